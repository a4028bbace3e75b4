import { UserError } from '../../engine/sys/errors.js';
import type { CourseContext, Output } from '../commands.js';
import { formatDiagnostic } from '../commands.js';
import { DEFAULT_ROOT, DEFAULT_SOCKET, daemonTargetFromEnv, detectCgroupVersion, lessonsDir as defaultLessonsDir, type DaemonTarget } from '../env.js';
import type { Executor } from '../exec.js';
import { loadLessons } from '../lint.js';
import { lessonNamed } from '../find-lesson.js';
import type { SessionOptions } from '../runner.js';
import type { Lesson } from '../types.js';
import { drawParams, newSeed } from './params.js';
import { parseTasksFile, tasksFileOf } from './parse.js';
import { learnerSeed, taskProgress, updateTaskProgress } from './progress.js';
import { checkTask, cleanupTask, fillText, goalText, runSolution, solutionText, startTask, type TaskCheckReport } from './run.js';
import type { Task, TaskFile } from './types.js';
import { t } from '../../i18n/index.js';

export interface TaskContext extends CourseContext {
  target?: DaemonTarget;
  executor?: Executor;
}

interface Chosen {
  lesson: Lesson;
  file: TaskFile;
  task: Task;
  params: Map<string, string>;
  /** params plus the built-in values, for text shown to the learner */
  shown: Map<string, string>;
  /** `boxlab task ... <this>` */
  ref: string;
}


function loadTaskFile(lesson: Lesson): TaskFile {
  const path = tasksFileOf(lesson.dir);
  if (!path) throw new UserError(t().tkNoTasks(lesson.meta.id, lesson.dir));
  const r = parseTasksFile(path);
  if (!r.tasks || r.diagnostics.length > 0) {
    throw new UserError(t().tkFileProblems(path, r.diagnostics.map((d) => formatDiagnostic(d)).join('; ')));
  }
  return r.tasks;
}

/** The task the learner means: `--task N`, else the first one not solved yet (else the last). */
function choose(ctx: TaskContext, id: string, taskNo?: number): Chosen {
  const env = ctx.env ?? process.env;
  const lesson = lessonNamed(loadLessons(ctx.lessonsDir ?? defaultLessonsDir(env)).lessons, id);
  const file = loadTaskFile(lesson);
  let task: Task | undefined;
  if (taskNo !== undefined) {
    task = file.tasks[taskNo - 1];
    if (!task) throw new UserError(t().tkOutOfRange(lesson.meta.id, file.tasks.length));
  } else {
    task = file.tasks.find((t) => taskProgress(lesson.meta.id, t.title, env)?.solvedAt === undefined) ?? file.tasks.at(-1)!;
  }
  const params = drawParams(task.params, learnerSeed(env), `${lesson.meta.id}\0${task.title}`);
  const target = ctx.target ?? daemonTargetFromEnv(env);
  // what the learner reads (goal, hints, solution) names the daemon they talk to, as the commands will
  const shown = new Map([['boxlab.socket', target.socket ?? DEFAULT_SOCKET], ['boxlab.root', target.root ?? DEFAULT_ROOT], ['cgroup.version', detectCgroupVersion(env)], ...params]);
  const ref = `${lesson.meta.id}${file.tasks.length > 1 ? ` --task ${task.index + 1}` : ''}`;
  return { lesson, file, task, params, shown, ref };
}

function sessionOptions(ctx: TaskContext): SessionOptions {
  const env = ctx.env ?? process.env;
  return {
    target: ctx.target ?? daemonTargetFromEnv(env), cgroup: detectCgroupVersion(env), traceDrainMs: 0,
    ...(ctx.executor !== undefined && { executor: ctx.executor }),
  };
}

/** `boxlab task LESSON`: the goal with this learner's params. */
export function taskShowCommand(ctx: TaskContext, id: string, taskNo?: number): number {
  const c = choose(ctx, id, taskNo);
  const io = ctx.io;
  io.out(t().tkHeading(c.lesson.meta.id, c.task.index + 1, c.file.tasks.length, c.task.title));
  io.out('');
  io.out(goalText(c.task, c.shown));
  if (c.params.size > 0) {
    io.out('');
    io.out(t().taskYourValues([...c.params].map(([k, v]) => `${k}=${v}`).join('  ')));
  }
  io.out('');
  if (c.task.setup.length > 0) io.out(t().tkFirst(c.ref));
  io.out(t().tkWhenDone(c.ref));
  return 0;
}

/** `boxlab task start LESSON`: clears an earlier attempt, runs the task's setup. */
export async function taskStartCommand(ctx: TaskContext, id: string, taskNo?: number): Promise<number> {
  const c = choose(ctx, id, taskNo);
  const r = await startTask(c.file, c.task, c.params, sessionOptions(ctx));
  if (r && !r.ok) {
    ctx.io.err(`${t().tkSetupFailed(r.error ?? '')}${r.hint ? `\n  ${t().hint} ${r.hint}` : ''}`);
    return 1;
  }
  ctx.io.out(t().tkReady(c.task.title, c.ref));
  return 0;
}

export function printCheckReport(io: Output, r: TaskCheckReport): void {
  for (const c of r.checks) {
    io.out(`  ${c.passed ? '✓' : '✗'} ${c.proves}`);
    if (!c.passed) {
      io.out(`  ${t().taskLookedAt(c.lookedAt)}`);
      io.out(`  ${t().taskFound(c.found)}`);
      if (c.hint) io.out(`  ${t().taskHintLine(c.hint)}`);
    }
  }
}

/** `boxlab task check LESSON`: checks what the learner made, check by check; exit 0 when solved. */
export async function taskCheckCommand(ctx: TaskContext, id: string, taskNo?: number): Promise<number> {
  const env = ctx.env ?? process.env;
  const c = choose(ctx, id, taskNo);
  const r = await checkTask(c.file, c.task, c.params, sessionOptions(ctx));
  const now = new Date().toISOString();
  const p = updateTaskProgress(c.lesson.meta.id, c.task.title, (t) => {
    t.attempts += 1;
    t.checksPassed = r.passed;
    t.checksTotal = r.total;
    if (r.solved && t.solvedAt === undefined) t.solvedAt = now;
  }, env);
  ctx.io.out(`${c.lesson.meta.id} — ${c.task.title}`);
  printCheckReport(ctx.io, r);
  if (r.solved) {
    ctx.io.out(t().tkSolved(r.passed, r.total, p.solutionShownAt !== undefined, c.ref));
    return 0;
  }
  ctx.io.out(t().tkNotSolved(r.passed, r.total, p.attempts, c.ref));
  if (p.attempts >= c.file.solutionAfter) ctx.io.out(t().tkStuck(c.ref));
  return 1;
}

/** `boxlab task hint LESSON`: the next rung of the hint ladder (all rungs so far are printed). */
export function taskHintCommand(ctx: TaskContext, id: string, taskNo?: number): number {
  const c = choose(ctx, id, taskNo);
  const p = updateTaskProgress(c.lesson.meta.id, c.task.title, (t) => { t.hints = Math.min(t.hints + 1, c.task.hints.length); }, ctx.env ?? process.env);
  c.task.hints.slice(0, p.hints).forEach((h, i) => ctx.io.out(t().taskHint(i + 1, c.task.hints.length, fillText(h, c.shown))));
  if (p.hints >= c.task.hints.length) ctx.io.out(t().tkLastHint(c.ref));
  return 0;
}

/** `boxlab task solution LESSON [--run]`: shows (and with --run, runs) the solution; recorded in progress. */
export async function taskSolutionCommand(ctx: TaskContext, id: string, opts: { taskNo?: number; run?: boolean } = {}): Promise<number> {
  const env = ctx.env ?? process.env;
  const c = choose(ctx, id, opts.taskNo);
  updateTaskProgress(c.lesson.meta.id, c.task.title, (t) => { t.solutionShownAt ??= new Date().toISOString(); }, env);
  ctx.io.out(t().tkSolutionOf(c.task.title));
  for (const line of solutionText(c.task, c.shown, detectCgroupVersion(env))) ctx.io.out(`  ${line}`);
  if (!opts.run) return 0;
  const r = await runSolution(c.file, c.task, c.params, sessionOptions(ctx));
  if (!r.ok) { ctx.io.err(t().tkSolutionFailed(r.error ?? '')); return 1; }
  ctx.io.out(t().tkRanIt(c.ref));
  return 0;
}

export interface TasksCheckOptions {
  ids: string[];
  all?: boolean;
  json?: boolean;
  seed?: string;
  signal?: AbortSignal;
}

interface TaskVerdict {
  lesson: string;
  task: string;
  params: Record<string, string>;
  /** checks that passed on the untouched state (each one is a task "done" before the learner starts) */
  preSolved: string[];
  before: TaskCheckReport;
  after?: TaskCheckReport;
  error?: string;
  cleanupFailures: string[];
  ok: boolean;
}

/**
 * `boxlab check --tasks`: for each task, draw params, set the scene, require every check to FAIL, run the
 * solution, require every check to PASS, clean up. Proves each task is solvable and none is done already.
 */
export async function tasksCheckCommand(ctx: TaskContext, opts: TasksCheckOptions): Promise<number> {
  const env = ctx.env ?? process.env;
  const { lessons } = loadLessons(ctx.lessonsDir ?? defaultLessonsDir(env));
  let chosen: Lesson[];
  if (opts.all) chosen = lessons.filter((l) => tasksFileOf(l.dir));
  else {
    if (opts.ids.length === 0) throw new UserError('name a lesson (boxlab check --tasks 01-uts) or use --all');
    chosen = opts.ids.map((id) => lessonNamed(lessons, id));
  }
  const seed = opts.seed ?? newSeed();
  const so = sessionOptions(ctx);
  const cgroup = so.cgroup!;
  const verdicts: TaskVerdict[] = [];
  if (!opts.json) ctx.io.out(`tasks, seed ${seed} (--seed ${seed} draws the same values again)`);
  for (const lesson of chosen) {
    const file = loadTaskFile(lesson);
    for (const task of file.tasks) {
      if (opts.signal?.aborted) break;
      const params = drawParams(task.params, seed, `${lesson.meta.id}\0${task.title}`);
      const v: TaskVerdict = { lesson: lesson.meta.id, task: task.title, params: Object.fromEntries(params), preSolved: [], before: { passed: 0, total: 0, solved: false, checks: [] }, cleanupFailures: [], ok: false };
      if (!opts.json) ctx.io.out(`${lesson.meta.id}: ${task.title}  (${[...params].map(([k, x]) => `${k}=${x}`).join(' ')})`);
      if (lesson.meta.cgroup !== undefined && lesson.meta.cgroup !== cgroup) {
        if (!opts.json) ctx.io.out(`  skipped: the lesson needs cgroup ${lesson.meta.cgroup}`);
        continue;
      }
      try {
        const setup = await startTask(file, task, params, so);
        if (setup && !setup.ok) throw new Error(`setup failed: ${setup.error ?? 'a command failed'}`);
        v.before = await checkTask(file, task, params, so);
        v.preSolved = v.before.checks.filter((c) => c.passed).map((c) => c.proves);
        const sol = await runSolution(file, task, params, so);
        if (!sol.ok) throw new Error(`solution failed: ${sol.error ?? 'a command failed'}`);
        v.after = await checkTask(file, task, params, so);
        v.ok = v.preSolved.length === 0 && v.before.total > 0 && v.after.solved;
      } catch (e) {
        v.error = (e as Error).message;
      } finally {
        v.cleanupFailures = await cleanupTask(file, task, params, so);
        if (v.cleanupFailures.length > 0) v.ok = false;
      }
      verdicts.push(v);
      if (!opts.json) printVerdict(ctx.io, v);
    }
  }
  const ok = verdicts.length > 0 && verdicts.every((v) => v.ok) && !opts.signal?.aborted;
  const preSolved = verdicts.filter((v) => v.preSolved.length > 0).length;
  const solved = verdicts.filter((v) => v.after?.solved).length;
  if (opts.json) ctx.io.out(JSON.stringify({ ok, seed, cgroup, tasks: verdicts.length, preSolved, solved, verdicts }, null, 2));
  else ctx.io.out(`${ok ? 'PASS' : 'FAIL'}: ${verdicts.length} tasks, ${preSolved} pre-solved, ${solved} solved by their solution`);
  return ok ? 0 : 1;
}

function printVerdict(io: Output, v: TaskVerdict): void {
  io.out(`  untouched: ${v.before.total - v.before.passed}/${v.before.total} checks fail${v.preSolved.length > 0 ? ` — PRE-SOLVED: ${v.preSolved.join(' | ')}` : ''}`);
  if (v.after) {
    io.out(`  solved: ${v.after.passed}/${v.after.total} checks pass`);
    if (!v.after.solved) printCheckReport(io, v.after);
  }
  if (v.error) io.out(`  ✗ ${v.error}`);
  for (const f of v.cleanupFailures) io.out(`  ✗ cleanup failed: ${f}`);
  io.out(`  ${v.ok ? 'ok' : 'FAILED'}`);
}
