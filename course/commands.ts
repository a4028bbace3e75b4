import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { UserError } from '../engine/sys/errors.js';
import { formatTrace } from '../engine/sys/trace.js';
import { daemonTargetFromEnv, detectCgroupVersion, lessonsDir as defaultLessonsDir, type DaemonTarget } from './env.js';
import type { CheckResult } from './checks.js';
import type { Executor } from './exec.js';
import { lessonNamed } from './find-lesson.js';
import { journalStep } from './journal.js';
import { lintTranslations, stampTranslation, translationFile } from './i18n.js';
import { loadLessons } from './lint.js';
import { langFromEnv, messages, setLang, type Messages } from '../i18n/index.js';
import { lessonStatus, loadProgress, progressFile, recordStep, resetLessonProgress, saveProgress, STATUS_MARK, stepsDone } from './progress.js';
import { runLesson, type LessonReport, type RunEvent } from './runner.js';
import { stepId } from './step-id.js';
import { DaemonTraceSource, type TraceSource } from './trace-source.js';
import type { Diagnostic, Lesson } from './types.js';

/** Where command output goes; the CLI passes process.stdout/stderr writers, tests collect strings. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export interface CourseContext {
  lessonsDir?: string;
  env?: NodeJS.ProcessEnv;
  io: Output;
}

function lessonsOrThrow(ctx: CourseContext): Lesson[] {
  const { lessons } = loadLessons(ctx.lessonsDir ?? defaultLessonsDir(ctx.env), { lang: langFromEnv(ctx.env ?? process.env) });
  return lessons;
}

export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const file = relative(cwd, d.file) || d.file;
  return `${file}:${d.line}: ${d.message}`;
}

/** `boxlab lessons`: id, progress mark, minutes, title. */
export function listLessonsCommand(ctx: CourseContext): number {
  const env = ctx.env ?? process.env;
  const lessons = lessonsOrThrow(ctx);
  const progress = loadProgress(progressFile(env));
  const width = Math.max(22, ...lessons.map((l) => l.meta.id.length));
  for (const l of lessons) {
    const mark = STATUS_MARK[lessonStatus(progress, l)];
    ctx.io.out(`${mark} ${l.meta.id.padEnd(width)} ${String(l.meta.minutes).padStart(3)} ${messages(langFromEnv(env)).minutes}  ${l.meta.title}`);
  }
  if (lessons.length === 0) ctx.io.err(messages(langFromEnv(env)).noLessons);
  return 0;
}

/** `boxlab lessons lint`: every problem as file:line: message; exit 1 if any. */
export function lintLessonsCommand(ctx: CourseContext): number {
  const { lessons, diagnostics: english } = loadLessons(ctx.lessonsDir ?? defaultLessonsDir(ctx.env));
  // the parity lint of the Chinese text (docs/lesson-format.md §8): a missing translation is only counted
  const zh = lintTranslations(lessons.filter((l) => !english.some((d) => d.file === l.file)), 'zh');
  const diagnostics = [...english, ...zh.diagnostics];
  for (const d of diagnostics) ctx.io.err(formatDiagnostic(d));
  for (const w of zh.warnings) ctx.io.err(`warning: ${formatDiagnostic(w)}`);
  if (zh.untranslated.length > 0) ctx.io.err(`warning: ${zh.untranslated.length} of ${lessons.length} lessons untranslated (no lesson.zh.md): ${zh.untranslated.join(' ')}`);
  if (diagnostics.length > 0) {
    ctx.io.err(`${diagnostics.length} problem${diagnostics.length > 1 ? 's' : ''} in ${new Set(diagnostics.map((d) => d.file)).size} file(s) — see docs/lesson-format.md`);
    return 1;
  }
  ctx.io.out(`${lessons.length} lesson${lessons.length === 1 ? '' : 's'} OK`);
  if (zh.untranslated.length < lessons.length) ctx.io.out(`${lessons.length - zh.untranslated.length} of ${lessons.length} translated (中文), 0 stale`);
  return 0;
}

/** `boxlab lessons translate-stamp LESSON`: records that lesson.zh.md matches lesson.md as it is now. */
export function translateStampCommand(ctx: CourseContext, id: string): number {
  const lessons = lessonsOrThrow(ctx);
  const lesson = lessons.find((l) => l.meta.id === id) ?? lessons.find((l) => l.meta.id.startsWith(`${id}-`) || l.meta.id.split("-").slice(1).join("-") === id);
  if (!lesson) throw new UserError(`no lesson "${id}" — \`boxlab lessons\` lists them`);
  const file = translationFile(lesson.file, 'zh');
  try {
    const { steps } = stampTranslation(lesson, file);
    ctx.io.out(`${relative(process.cwd(), file) || file}: stamped the front matter and ${steps} of ${lesson.steps.length} steps with their English source`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${lesson.meta.id} has no lesson.zh.md yet — write one first (docs/lesson-format.md §8)`);
    throw e;
  }
  return 0;
}

export interface CheckOptions {
  ids: string[];
  all?: boolean;
  json?: boolean;
  /** print the engine's trace under each step */
  trace?: boolean;
  executor?: Executor;
  traceSource?: TraceSource;
  target?: DaemonTarget;
  signal?: AbortSignal;
  /** also run each step's checks with its actions skipped and fail on any that still pass (not invariants) */
  counterfactual?: boolean;
}

/** Checks that passed with their step's actions skipped and declare no invariant: they prove nothing. */
export function vacuousChecks(report: LessonReport): { step: number; result: CheckResult }[] {
  return report.steps.flatMap((s) => s.checks
    .filter((c) => c.passed && c.withoutAction === 'passed' && c.invariant === undefined)
    .map((result) => ({ step: s.index, result })));
}

/** `boxlab check LESSON...|--all [--json]`: runs lessons headless; exit 0 only if every check passed. */
export async function checkCommand(ctx: CourseContext, opts: CheckOptions): Promise<number> {
  const env = ctx.env ?? process.env;
  const lang = langFromEnv(env);
  const m = messages(lang);
  setLang(lang); // what the checks saw (course/checks.ts) is told in the same language
  const { lessons, diagnostics } = loadLessons(ctx.lessonsDir ?? defaultLessonsDir(env), { lang });
  let chosen: Lesson[];
  if (opts.all) chosen = lessons;
  else {
    if (opts.ids.length === 0) throw new UserError(m.nameALesson);
    chosen = opts.ids.map((id) => lessonNamed(lessons, id));
  }
  const broken = diagnostics.filter((d) => chosen.some((l) => l.file === d.file));
  if (broken.length > 0) {
    for (const d of broken) ctx.io.err(formatDiagnostic(d));
    throw new UserError(m.fixLessonsFirst);
  }
  const target = opts.target ?? daemonTargetFromEnv(env);
  const traceSource = opts.traceSource ?? new DaemonTraceSource(target.socket ?? '/run/boxlab/boxlab.sock');
  const cgroup = detectCgroupVersion(env);
  const reports: LessonReport[] = [];
  for (const lesson of chosen) {
    if (opts.signal?.aborted) break;
    if (!opts.json) ctx.io.out(`${lesson.meta.id}: ${lesson.meta.title}`);
    const onEvent = (e: RunEvent) => {
      if (!opts.json) printEvent(ctx.io, e, opts.trace ?? false, m);
      if (e.type === 'step-end') journalStep(lesson.meta.id, e.result, env);
    };
    const report = await runLesson(lesson, {
      target, traceSource, cgroup,
      ...(opts.executor !== undefined && { executor: opts.executor }),
      ...(opts.signal !== undefined && { signal: opts.signal }),
      onEvent,
      ...(opts.counterfactual && { counterfactual: true }),
    });
    reports.push(report);
    recordProgress(env, lesson, report);
    if (opts.counterfactual && vacuousChecks(report).length > 0) report.ok = false;
    if (!opts.json) printSummary(ctx.io, report, lesson, m, opts.counterfactual ?? false);
  }
  const ok = reports.every((r) => r.ok) && !opts.signal?.aborted;
  if (opts.json) ctx.io.out(JSON.stringify({ ok, cgroup, lessons: reports.map((r, i) => jsonReport(r, chosen[i]!)) }, null, 2));
  else {
    const checks = reports.flatMap((r) => r.steps.flatMap((s) => s.checks));
    ctx.io.out(m.checkSummary(ok, checks.filter((c) => c.passed).length, checks.length, reports.length));
    if (opts.counterfactual) ctx.io.out(counterfactualCount(reports, checks));
  }
  return ok ? 0 : 1;
}

/** A step passed headless is a step done: `boxlab progress` and the menu count it like one done in the TUI. */
function recordProgress(env: NodeJS.ProcessEnv, lesson: Lesson, report: LessonReport): void {
  if (report.skipped !== undefined || report.steps.length === 0) return;
  const file = progressFile(env);
  const p = loadProgress(file);
  for (const r of report.steps) {
    recordStep(p, lesson, r.index, { ok: r.ok, checksPassed: r.checks.filter((c) => c.passed).length, checksTotal: r.checks.length });
  }
  saveProgress(file, p);
}

function printEvent(io: Output, e: RunEvent, trace: boolean, m: Messages): void {
  switch (e.type) {
    case 'step-start': io.out(m.checkStep(e.step + 1, e.catchUp)); break;
    case 'check': io.out(`    ${e.result.passed ? '✓' : '✗'} ${e.result.proves}${e.result.passed ? '' : `\n        ${e.result.detail}${e.result.hint ? `\n        ${m.hint} ${e.result.hint}` : ''}`}`); break;
    case 'trace': if (trace) io.out(`      | ${formatTrace(e.event)}`); break;
    case 'step-end':
      if (e.result.error !== undefined) io.out(`    ✗ ${m.checkStopped(e.result.error)}\n        ${m.hint} ${e.result.hint ?? ''}`);
      break;
    default: break;
  }
}

function printSummary(io: Output, r: LessonReport, lesson: Lesson, m: Messages, counterfactual: boolean): void {
  if (r.skipped) { io.out(m.skipped(r.skipped)); return; }
  if (counterfactual) printVacuous(io, r, lesson);
  const notRun = lesson.steps.length - r.steps.length;
  if (notRun > 0) io.out(m.notRun(notRun));
  for (const f of r.cleanupFailures) io.out(m.cleanupFailed(f));
}

/** One lesson's run as JSON; each step carries its id, which `boxlab interview check --lessons-report` reads. */
function jsonReport(r: LessonReport, lesson: Lesson) {
  return {
    id: r.id, title: r.title, ok: r.ok, ...(r.skipped !== undefined && { skipped: r.skipped }),
    cleanupFailures: r.cleanupFailures,
    steps: r.steps.map((s) => ({
      index: s.index + 1, id: stepId(lesson.steps[s.index]!), title: s.title, ok: s.ok, ...(s.error !== undefined && { error: s.error, hint: s.hint }),
      checks: s.checks.map((c) => ({
        passed: c.passed, proves: c.proves, detail: c.detail, line: c.line,
        ...(c.withoutAction !== undefined && { withoutAction: c.withoutAction }), ...(c.invariant !== undefined && { invariant: c.invariant }),
      })),
    })),
  };
}

/** `boxlab progress [--export FILE]`. */
export function progressCommand(ctx: CourseContext, opts: { exportTo?: string } = {}): number {
  const env = ctx.env ?? process.env;
  const file = progressFile(env);
  const progress = loadProgress(file);
  if (opts.exportTo !== undefined) {
    writeFileSync(opts.exportTo, `${JSON.stringify({ ...progress, exportedAt: new Date().toISOString() }, null, 2)}\n`);
    ctx.io.out(messages(langFromEnv(env)).progressWritten(opts.exportTo));
    return 0;
  }
  const lessons = lessonsOrThrow(ctx);
  const m = messages(langFromEnv(env));
  const width = Math.max(22, ...lessons.map((l) => l.meta.id.length));
  for (const l of lessons) {
    const done = stepsDone(progress, l);
    ctx.io.out(`${STATUS_MARK[lessonStatus(progress, l)]} ${l.meta.id.padEnd(width)} ${done.filter(Boolean).length}/${done.length} ${m.steps}  ${done.map((d) => (d ? '✓' : '·')).join('')}`);
  }
  ctx.io.out(`(${file})`);
  return 0;
}

/** `boxlab reset --lesson X`: forgets one lesson's progress. */
export function resetLessonCommand(ctx: CourseContext, id: string): number {
  const env = ctx.env ?? process.env;
  const lessons = lessonsOrThrow(ctx);
  const m = messages(langFromEnv(env));
  if (!lessons.some((l) => l.meta.id === id)) throw new UserError(m.noLessonNamed(id));
  const file = progressFile(env);
  const p = loadProgress(file);
  const had = resetLessonProgress(p, id);
  saveProgress(file, p);
  ctx.io.out(had ? m.progressReset(id) : m.noProgress(id));
  return 0;
}

/** --counterfactual's findings: for lesson authors, in English like lint. */
function printVacuous(io: Output, r: LessonReport, lesson: Lesson): void {
  for (const { step, result } of vacuousChecks(r)) {
    io.out(`  ✗ ${relative(process.cwd(), lesson.file) || lesson.file}:${result.line}: step ${step + 1}: passes with the step's actions skipped, so it proves nothing: ${result.proves}\n      make it depend on the action, or add invariant: <why it holds either way>`);
  }
}

/** --counterfactual's count, for lesson authors. */
function counterfactualCount(reports: LessonReport[], checks: CheckResult[]): string {
  const vacuous = reports.reduce((n, r) => n + vacuousChecks(r).length, 0);
  const invariants = checks.filter((c) => c.invariant !== undefined).length;
  return `counterfactual: ${vacuous} check${vacuous === 1 ? '' : 's'} passed with ${vacuous === 1 ? 'its' : 'their'} action skipped; ${invariants} declared invariant${invariants === 1 ? '' : 's'}`;
}
