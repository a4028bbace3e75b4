import type { DaemonTarget } from '../course/env.js';
import type { Lang } from '../course/interview/bank.js';
import { UserError } from '../engine/sys/errors.js';

export interface InterviewTuiOptions {
  target?: DaemonTarget;
  lang?: Lang;
}

export async function startInterviewTui(_opts: InterviewTuiOptions = {}): Promise<number> {
  throw new UserError('interview mode in the TUI is not here yet — use boxlab interview --list, --export FILE or check');
}
