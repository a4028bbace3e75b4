export * from './types.js';
export { runDoctor, essentialProblems, DEFAULT_STATE_ROOT } from './run.js';
export { formatDoctor, type FormatOptions } from './format.js';
export { firstRunNeeded, markFirstRun } from './first-run.js';
export { parseIptablesVersion } from './network.js';
export { TOOLS } from './tools.js';
export { localeCheck, effectiveLocale } from './locale.js';
