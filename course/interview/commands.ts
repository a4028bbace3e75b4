import { writeFileSync } from 'node:fs';
import { UserError } from '../../engine/sys/errors.js';
import { formatDiagnostic, type CourseContext } from '../commands.js';
import { daemonTargetFromEnv, detectCgroupVersion, lessonsDir as defaultLessonsDir, type DaemonTarget } from '../env.js';
import { loadLessons } from '../lint.js';
import { loadProgress, progressFile } from '../progress.js';
import { DaemonTraceSource } from '../trace-source.js';
import type { Diagnostic, Lesson } from '../types.js';
import { interviewDir, isLive, loadBank, type Lang, type Question } from './bank.js';
import { checkQuestions, type QuestionOutcome } from './check.js';
import { exportMarkdown, questionText } from './export.js';
import { readLessonsReport } from './lessons-report.js';
import { lintChineseLists, lintCoverage, lintProofs, lintUnique } from './lint.js';
import { stepId } from '../step-id.js';
import { lessonNamed } from '../find-lesson.js';
import { noteQuestions, notesDir } from './notes.js';
import { dueQuestions, markOf } from './srs.js';
import { messages, t } from '../../i18n/index.js';

export interface InterviewContext extends CourseContext {
  interviewDir?: string;
  notesDir?: string;
}

export interface LoadedInterview {
  questions: Question[];
  lessons: Lesson[];
  diagnostics: Diagnostic[];
  /** false when the notes are not beside the clone, so coverage could not be checked */
  notesFound: boolean;
}

/** The bank, the lessons its proofs name, and every problem: parse, ids, proofs, coverage of the notes. */
export function loadInterview(ctx: InterviewContext): LoadedInterview {
  const env = ctx.env ?? process.env;
  const bank = loadBank(ctx.interviewDir ?? interviewDir(env));
  const { lessons } = loadLessons(ctx.lessonsDir ?? defaultLessonsDir(env));
  const notes = noteQuestions(ctx.notesDir ?? notesDir(env));
  const diagnostics = [
    ...bank.diagnostics, ...lintUnique(bank.questions), ...lintProofs(bank.questions, lessons), ...lintChineseLists(bank.questions),
    ...(notes ? lintCoverage(bank.questions, notes) : []),
  ];
  return { questions: bank.questions, lessons, diagnostics, notesFound: notes !== undefined };
}

export function parseLang(s: string | undefined): Lang {
  if (s === undefined || s === 'en') return 'en';
  if (s === 'zh') return 'zh';
  throw new UserError(t().ivCliBadLang(s));
}

/** `boxlab interview --list`: id, mark, live/written, source, the question. */
export function listInterviewCommand(ctx: InterviewContext, lang: Lang): number {
  const { questions } = loadInterview(ctx);
  const progress = loadProgress(progressFile(ctx.env ?? process.env));
  const width = Math.max(...questions.map((q) => q.id.length));
  for (const q of questions) {
    const m = markOf(progress, q.id);
    const mark = m ? { knew: '✓', partly: '◐', 'not-yet': '✗' }[m.last] : '·';
    ctx.io.out(`${mark} ${q.id.padEnd(width)} ${isLive(q) ? messages(lang).ivCliLive : messages(lang).ivCliWritten} ${q.source.padEnd(8)} ${questionText(q, lang).split('\n')[0]}`);
  }
  const due = dueQuestions(progress, questions.map((q) => q.id)).length;
  ctx.io.out(messages(lang).ivCliListed(questions.length, questions.filter(isLive).length, questions.filter((q) => !isLive(q)).length, due));
  return 0;
}

/** `boxlab interview --export FILE [--lang]`. */
export function exportInterviewCommand(ctx: InterviewContext, file: string, lang: Lang): number {
  const { questions } = loadInterview(ctx);
  writeFileSync(file, exportMarkdown(questions, lang));
  ctx.io.out(messages(lang).ivCliExported(questions.length, file, lang));
  return 0;
}

/** `boxlab interview lint`: problems as file:line; exit 1 if any. */
export function lintInterviewCommand(ctx: InterviewContext): number {
  const { questions, diagnostics, notesFound } = loadInterview(ctx);
  for (const d of diagnostics) ctx.io.err(formatDiagnostic(d));
  if (!notesFound) ctx.io.err('note: the study notes (../shared/seeds) are not here, so coverage of the notes was not checked');
  if (diagnostics.length > 0) {
    ctx.io.err(`${diagnostics.length} problem${diagnostics.length > 1 ? 's' : ''} — see interview/README.md`);
    return 1;
  }
  ctx.io.out(`${questions.length} questions OK (${questions.filter(isLive).length} live, ${questions.filter((q) => !isLive(q)).length} written only)`);
  return 0;
}

export interface InterviewCheckCommandOptions {
  ids: string[];
  all?: boolean;
  json?: boolean;
  ownDemosOnly?: boolean;
  /** a `boxlab check --all --json` report to read the lesson-step proofs from */
  lessonsReport?: string;
  target?: DaemonTarget;
  signal?: AbortSignal;
}

/** `boxlab interview check [ID...|--all] [--json]`: runs the proofs; exit 0 only if every one passed. */
export async function checkInterviewCommand(ctx: InterviewContext, opts: InterviewCheckCommandOptions): Promise<number> {
  const env = ctx.env ?? process.env;
  const { questions, lessons, diagnostics } = loadInterview(ctx);
  let chosen: Question[];
  if (opts.all) chosen = questions;
  else {
    if (opts.ids.length === 0) throw new UserError(t().ivCliNameOne);
    chosen = opts.ids.map((id) => {
      const q = questions.find((x) => x.id === id || x.source === id);
      if (!q) throw new UserError(t().ivCliNoQuestion(id));
      return q;
    });
  }
  const broken = diagnostics.filter((d) => d.line > 0 && chosen.some((q) => q.file === d.file));
  if (broken.length > 0) {
    for (const d of broken) ctx.io.err(formatDiagnostic(d));
    throw new UserError(t().ivCliFixFirst);
  }
  const target = opts.target ?? daemonTargetFromEnv(env);
  const results = await checkQuestions(chosen, lessons, {
    target, cgroup: detectCgroupVersion(env),
    traceSource: new DaemonTraceSource(target.socket ?? '/run/boxlab/boxlab.sock'),
    ...(opts.ownDemosOnly !== undefined && { ownDemosOnly: opts.ownDemosOnly }),
    ...(opts.lessonsReport !== undefined && { lessonsReport: readLessonsReport(opts.lessonsReport) }),
    ...(opts.signal !== undefined && { signal: opts.signal }),
    ...(!opts.json && { onProgress: (l: string) => ctx.io.out(`… ${l}`) }),
  });
  const ok = results.every((r) => r.ok) && !opts.signal?.aborted;
  if (opts.json) ctx.io.out(JSON.stringify({ ok, questions: results }, null, 2));
  else printResults(ctx, results, ok);
  return ok ? 0 : 1;
}

function printResults(ctx: InterviewContext, results: QuestionOutcome[], ok: boolean): void {
  for (const r of results) {
    if (r.written) { ctx.io.out(t().ivCliWrittenOnly(r.id)); continue; }
    if (r.proofs.length === 0) continue;
    ctx.io.out(`${r.ok ? '✓' : '✗'} ${r.id}`);
    for (const p of r.proofs) {
      if (p.skipped) { ctx.io.out(t().ivCliSkipped(p.ref, p.skipped)); continue; }
      ctx.io.out(`    ${p.ok ? '✓' : '✗'} ${p.ref}${p.error ? `: ${p.error}` : ''}`);
      for (const c of p.checks) if (!c.passed || p.ref === 'demo') ctx.io.out(`        ${c.passed ? '✓' : '✗'} ${c.proves}${c.passed ? '' : `\n            ${c.detail}`}`);
    }
  }
  const proofs = results.flatMap((r) => r.proofs);
  ctx.io.out(t().ivCliSummary(ok, proofs.filter((p) => p.ok).length, proofs.length, results.length));
}

/** `boxlab interview steps LESSON`: the ids a proof can name, one per step, with the step's title. */
export function stepsInterviewCommand(ctx: InterviewContext, lessonId: string): number {
  const { lessons } = loadLessons(ctx.lessonsDir ?? defaultLessonsDir(ctx.env ?? process.env));
  const lesson = lessonNamed(lessons, lessonId);
  for (const s of lesson.steps) ctx.io.out(`${lesson.meta.id}#${stepId(s)}`);
  return 0;
}
