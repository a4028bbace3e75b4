export * from './bank.js';
export * from './notes.js';
export * from './lint.js';
export * from './check.js';
export * from './export.js';
export * from './srs.js';
