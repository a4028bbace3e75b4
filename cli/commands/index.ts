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
import * as task from './task.js';
import * as doctor from './doctor.js';
import * as classroom from './classroom.js';
import * as interview from './interview.js';

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
  task,
  doctor,
  classroom,
  interview,
];

export function registerAll(program: Command): void {
  for (const g of groups) g.register(program);
}
