export * from './calls.js';
export * from './flags.js';
export * from './errors.js';
export * from './trace.js';
export * from './host.js';
//# sourceMappingURL=index.js.map