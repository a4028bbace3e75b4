import type { Command } from 'commander';
import * as run from './run.js';
import * as containers from './containers.js';
import * as exec from './exec.js';
import * as system from './system.js';
import * as network from './network.js';
import * as cgroups from './cgroups.js';
import * as images from './images.js';
import * as registry from './registry.js';
import * as course from './course.js';
import * as doctor from './doctor.js';

/** Every command group. A group adds itself with one import and one entry here. */
const groups: { register: (program: Command) => void }[] = [
  run,
  containers,
  exec,
  system,
  network,
  cgroups,
  images,
  registry,
  course,
  doctor,
];

export function registerAll(program: Command): void {
  for (const g of groups) g.register(program);
}
