import type { Token } from 'marked';
import type { CaptureBlock, CheckBlock, CleanupBlock, CommandLine, CgroupVersion, ObserveBlock } from '../types.js';

/** How one parameter is drawn for a learner (see docs/lesson-format.md, "Tasks"). */
export type ParamSpec =
  | { pick: string[] }
  | { range: [number, number] }
  | { word: number }
  | { mul: [string, number] }
  /** a text built from earlier parameters: `tk-{{name}}` */
  | { text: string };

export interface Param {
  name: string;
  line: number;
  spec: ParamSpec;
}

/** setup, solution and cleanup blocks: command lines run with `sh -c`, host commands allowed. */
export interface CommandBlock {
  line: number;
  cgroup?: CgroupVersion;
  timeoutMs?: number;
  commands: CommandLine[];
}

export interface Task {
  /** 0-based position in the file */
  index: number;
  title: string;
  line: number;
  /** the goal: prose (and shown-only code) with {{param}} placeholders */
  goal: Token[];
  params: Param[];
  setup: CommandBlock[];
  /** capture, observe and check blocks, in file order: what "done" means */
  checks: (CaptureBlock | ObserveBlock | CheckBlock)[];
  /** nudge → flag → command */
  hints: string[];
  solution: CommandBlock[];
  cleanup: CleanupBlock[];
}

export interface TaskFile {
  /** the lesson the tasks belong to (the folder name) */
  lesson: string;
  file: string;
  dir: string;
  /** failed checks after which the solution is offered without asking */
  solutionAfter: number;
  tasks: Task[];
}
