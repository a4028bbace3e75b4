export * from './types.js';
export { runDoctor, essentialProblems, DEFAULT_STATE_ROOT } from './run.js';
export { formatDoctor } from './format.js';
export { firstRunNeeded, markFirstRun } from './first-run.js';
export { parseIptablesVersion } from './network.js';
export { TOOLS } from './tools.js';
//# sourceMappingURL=index.js.map