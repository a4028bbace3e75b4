import type { Runtime } from '../containers/runtime.js';

/** What every route module gets: the runtime and the daemon's own settings. */
export interface DaemonContext {
  runtime: Runtime;
  root: string;
  socket: string;
  cgroupParent: string;
  /** areas (networks, images …) add their part of `boxlab reset` here */
  resetHooks: (() => Promise<string[]>)[];
}
