import type { Token } from 'marked';
import type { CheckResult } from '../checks.js';
import { placeholdersIn, substitute } from '../placeholders.js';
import { LessonSession, type SessionOptions, type StepResult } from '../runner.js';
import type { ActionBlock, CgroupVersion, Check, CleanupBlock, Lesson, RunnableBlock } from '../types.js';
import type { CommandBlock, Task, TaskFile } from './types.js';
import { t } from '../../i18n/index.js';

/** One check of a task as the learner sees it: what it proves, what it looked at, what it found. */
export interface TaskCheckOutcome {
  proves: string;
  passed: boolean;
  /** the command, file or value the check examined, placeholders filled in */
  lookedAt: string;
  /** what it found (the comparison that failed, or held) */
  found: string;
  hint?: string;
}

export interface TaskCheckReport {
  passed: number;
  total: number;
  solved: boolean;
  checks: TaskCheckOutcome[];
  /** a capture or observation that stopped the checks early */
  error?: string;
}

export type TaskPhase = 'setup' | 'checks' | 'solution';

/**
 * Runs a task's blocks with the lesson runner (course/runner.ts): each phase is a one-step lesson of its own,
 * so the runner's cleanup-before-first-step touches only what the phase asks for (never the learner's work
 * when checking it).
 */
function session(file: TaskFile, task: Task, blocks: RunnableBlock[], cleanup: CleanupBlock[], params: Map<string, string>, opts: SessionOptions): LessonSession {
  const lesson: Lesson = {
    meta: { id: file.lesson, title: task.title, summary: task.title, minutes: 1, prerequisites: [] },
    file: file.file, dir: file.dir, intro: [], outro: [], cleanup,
    steps: [{ index: 0, title: task.title, line: task.line, tokens: [], blocks }],
  };
  const s = new LessonSession(lesson, opts);
  for (const [k, v] of params) s.values.set(k, v);
  return s;
}

const asAction = (b: CommandBlock): ActionBlock => ({ kind: 'action', expectFail: false, ...b });

/** Clears what an earlier attempt left, then builds the task's starting state (its setup blocks). */
export async function startTask(file: TaskFile, task: Task, params: Map<string, string>, opts: SessionOptions = {}): Promise<StepResult | undefined> {
  const s = session(file, task, task.setup.map(asAction), task.cleanup, params, opts);
  if (task.setup.length === 0) { await s.cleanup(); return undefined; }
  return s.runStep(0);
}

/** Runs the solution as a learner would type it. */
export async function runSolution(file: TaskFile, task: Task, params: Map<string, string>, opts: SessionOptions = {}): Promise<StepResult> {
  return session(file, task, task.solution.map(asAction), [], params, opts).runStep(0);
}

/** Runs the task's cleanup blocks; returns what failed. */
export async function cleanupTask(file: TaskFile, task: Task, params: Map<string, string>, opts: SessionOptions = {}): Promise<string[]> {
  return session(file, task, [], task.cleanup, params, opts).cleanup();
}

/** Checks the state the learner made, check by check (partial credit). */
export async function checkTask(file: TaskFile, task: Task, params: Map<string, string>, opts: SessionOptions = {}): Promise<TaskCheckReport> {
  const s = session(file, task, task.checks, [], params, opts);
  const result = await s.runStep(0);
  const byLine = new Map<number, CheckResult>(result.checks.map((c) => [c.line, c]));
  const checks: TaskCheckOutcome[] = [];
  for (const c of applicableChecks(task, s.cgroup)) {
    const r = byLine.get(c.line);
    const lookedAt = describeSubject(c, s.values);
    if (r) checks.push({ proves: r.proves, passed: r.passed, lookedAt, found: r.detail, ...(r.hint !== undefined && { hint: r.hint }) });
    else checks.push({ proves: fillText(c.proves, s.values), passed: false, lookedAt, found: t().ckNotChecked(result.error ?? t().ckEarlierFailed), ...(c.hint !== undefined && { hint: c.hint }) });
  }
  const passed = checks.filter((c) => c.passed).length;
  return { passed, total: checks.length, solved: passed === checks.length && result.error === undefined, checks, ...(result.error !== undefined && { error: result.error }) };
}

export function applicableChecks(task: Task, cgroup: CgroupVersion): Check[] {
  return task.checks.flatMap((b) => (b.kind === 'check' && (b.cgroup === undefined || b.cgroup === cgroup) ? b.checks.filter((c) => c.cgroup === undefined || c.cgroup === cgroup) : []));
}

function describeSubject(c: Check, values: ReadonlyMap<string, string>): string {
  const raw = 'run' in c.subject ? c.subject.run : 'file' in c.subject ? c.subject.file : c.subject.value;
  try { return substitute(raw, values); } catch { return raw; }
}

/** The goal prose with the learner's params filled in (markdown tokens, for the TUI's renderer). */
export function goalTokens(task: Task, params: ReadonlyMap<string, string>): Token[] {
  return task.goal.map((t) => fill(t, params));
}

function fill(t: Token, params: ReadonlyMap<string, string>): Token {
  return JSON.parse(JSON.stringify(t), (_k, v: unknown) => (typeof v === 'string' ? fillText(v, params) : v)) as Token;
}

/** Replaces the params it knows and leaves anything else (a Go template, say) as written. */
export function fillText(text: string, params: ReadonlyMap<string, string>): string {
  const known = new Map(params);
  for (const p of placeholdersIn(text)) if (!known.has(p)) known.set(p, `{{${p}}}`);
  return substitute(text, known);
}

/** The goal as plain markdown text, for the CLI. */
export function goalText(task: Task, params: ReadonlyMap<string, string>): string {
  return fillText(task.goal.map((t) => t.raw).join('').trim(), params);
}

export function solutionText(task: Task, params: ReadonlyMap<string, string>, cgroup: CgroupVersion): string[] {
  return task.solution.filter((b) => b.cgroup === undefined || b.cgroup === cgroup).flatMap((b) => b.commands.map((c) => fillText(c.text, params)));
}
