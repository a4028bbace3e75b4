export * from './types.js';
export * from './parse.js';
export * from './lint.js';
export * from './placeholders.js';
export * from './checks.js';
export * from './diff.js';
export * from './extract.js';
export * from './env.js';
export * from './exec.js';
export * from './trace-source.js';
export * from './runner.js';
export * from './progress.js';
export * from './commands.js';
//# sourceMappingURL=index.js.map