import type { Token } from 'marked';

/** cgroup hierarchy version a block applies to (DESIGN §8: the lesson shows the right files per machine). */
export type CgroupVersion = 'v1' | 'v2';

/** A problem found in a lesson file, reported as `file:line: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  message: string;
}

export interface LessonMeta {
  id: string;
  title: string;
  summary: string;
  minutes: number;
  prerequisites: string[];
  shell?: string;
  cgroup?: CgroupVersion;
}

/** One command line of an action/observe/cleanup block (continuations joined). */
export interface CommandLine {
  text: string;
  line: number;
}

interface BlockBase {
  /** line of the opening fence */
  line: number;
  cgroup?: CgroupVersion;
  timeoutMs?: number;
}

export interface ActionBlock extends BlockBase {
  kind: 'action';
  commands: CommandLine[];
  name?: string;
  expectFail: boolean;
}

export interface ObserveBlock extends BlockBase {
  kind: 'observe';
  commands: CommandLine[];
  name?: string;
  phase?: 'before' | 'after';
  /** the block changes state (an `ip link add`, an `nsenter ... hostname x`): the counterfactual run skips it like an action */
  changes: boolean;
}

export interface CleanupBlock extends BlockBase {
  kind: 'cleanup';
  commands: CommandLine[];
}

export interface Capture {
  name: string;
  line: number;
  run?: string;
  from?: string;
  match?: string;
  json?: string;
}

export interface CaptureBlock extends BlockBase {
  kind: 'capture';
  captures: Capture[];
}

export type CheckSubject = { value: string } | { run: string } | { file: string };

export interface CheckOps {
  equals?: string;
  differs?: string;
  contains?: string;
  lacks?: string;
  matches?: string;
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  exit?: number;
  exists?: boolean;
}

export interface Check {
  line: number;
  subject: CheckSubject;
  ops: CheckOps;
  proves: string;
  hint?: string;
  cgroup?: CgroupVersion;
  /** why this check is meant to hold whether or not its step's action ran (the counterfactual run accepts it) */
  invariant?: string;
}

export interface CheckBlock extends BlockBase {
  kind: 'check';
  checks: Check[];
}

export type Block = ActionBlock | ObserveBlock | CleanupBlock | CaptureBlock | CheckBlock;
export type RunnableBlock = Exclude<Block, CleanupBlock>;

export interface Step {
  index: number;
  title: string;
  line: number;
  /** markdown tokens shown for this step (heading excluded), runnable code blocks included */
  tokens: Token[];
  blocks: RunnableBlock[];
  /** the English title when `title` is a translation: progress is recorded by it in every language */
  progressKey?: string;
}

export interface Lesson {
  meta: LessonMeta;
  /** absolute path of lesson.md */
  file: string;
  dir: string;
  /** tokens before the first step */
  intro: Token[];
  steps: Step[];
  /** prose after the last step */
  outro: Token[];
  cleanup: CleanupBlock[];
  /** language of the text; absent: English (course/i18n.ts lays a translation over the English) */
  lang?: 'en' | 'zh';
}
