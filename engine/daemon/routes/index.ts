import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import * as system from './system.js';
import * as containers from './containers.js';
import * as exec from './exec.js';
import * as networks from './networks.js';
import * as cgroups from './cgroups.js';
import * as images from './images.js';
import * as registry from './registry.js';
import * as prune from './prune.js';

/** Every area's routes. An area adds itself with one import and one entry here. */
const areas: { register: (router: Router, ctx: DaemonContext) => void }[] = [
  system,
  containers,
  exec,
  networks,
  cgroups,
  images,
  registry,
  prune,
];

export function registerAll(router: Router, ctx: DaemonContext): void {
  for (const area of areas) area.register(router, ctx);
}
