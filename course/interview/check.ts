import type { CheckResult } from '../checks.js';
import { LessonSession, runLesson, type SessionOptions } from '../runner.js';
import { stepId } from '../step-id.js';
import type { Lesson } from '../types.js';
import type { Question } from './bank.js';
import { proofStepIndex } from './lint.js';
import { outcomesFromReport, type LessonsRunReport } from './lessons-report.js';

/** The outcome of one proof of a question: a lesson step (`01-uts#step-id`) or the question's own demo. */
export interface ProofOutcome {
  ref: string;
  ok: boolean;
  checks: CheckResult[];
  error?: string;
  /** did not run on this machine (a lesson for the other cgroup version), not a failure */
  skipped?: string;
}

export interface QuestionOutcome {
  id: string;
  ok: boolean;
  /** no live proof: a written answer only */
  written: boolean;
  proofs: ProofOutcome[];
}

export interface InterviewCheckOptions extends SessionOptions {
  /** leave lesson-step proofs out (`boxlab check` runs those lessons already); run the questions' own demos */
  ownDemosOnly?: boolean;
  /**
   * the JSON of a `boxlab check --all --json` run: lesson-step proofs are read from it (each proof's step must
   * have passed there) instead of running the lessons again; the demos still run
   */
  lessonsReport?: LessonsRunReport;
  onProgress?: (line: string) => void;
}

/**
 * Runs the proofs of `questions`. Each lesson a proof names runs once, up to the last step any chosen
 * question names, and its step results are handed to every question that cites them — a lesson is never
 * replayed per question. Each demo runs as a lesson of its own. Everything is cleaned up after.
 */
export async function checkQuestions(questions: Question[], lessons: Lesson[], opts: InterviewCheckOptions = {}): Promise<QuestionOutcome[]> {
  const stepOutcome = new Map<string, ProofOutcome>();
  if (opts.lessonsReport) {
    for (const q of questions) for (const p of q.proof) stepOutcome.set(p.text, outcomesFromReport(opts.lessonsReport, p));
  } else if (!opts.ownDemosOnly) {
    const upTo = new Map<string, number>();
    for (const q of questions) {
      for (const p of q.proof) {
        const lesson = lessons.find((l) => l.meta.id === p.lesson);
        const i = lesson ? proofStepIndex(lesson, p.step) : -1;
        if (i >= 0) upTo.set(p.lesson, Math.max(upTo.get(p.lesson) ?? 0, i)); // else lint reports it
      }
    }
    for (const [id, last] of [...upTo].sort()) {
      if (opts.signal?.aborted) break;
      const lesson = lessons.find((l) => l.meta.id === id);
      if (!lesson) continue; // lint reports it
      opts.onProgress?.(`lesson ${id}, steps 1–${last + 1}`);
      for (const [ref, o] of await runLessonSteps(lesson, last, opts)) stepOutcome.set(ref, o);
    }
  }
  const out: QuestionOutcome[] = [];
  for (const q of questions) {
    if (opts.signal?.aborted) break;
    const proofs: ProofOutcome[] = opts.ownDemosOnly ? [] : q.proof.map((p) => stepOutcome.get(p.text) ?? { ref: p.text, ok: false, checks: [], error: 'not run' });
    if (q.demo) {
      opts.onProgress?.(`demo of ${q.id}`);
      const r = await runLesson(q.demo, opts);
      const checks = r.steps.flatMap((s) => s.checks);
      const error = r.steps.find((s) => s.error !== undefined)?.error ?? (r.cleanupFailures.length > 0 ? `cleanup: ${r.cleanupFailures.join('; ')}` : undefined);
      proofs.push({ ref: 'demo', ok: r.ok, checks, ...(error !== undefined && { error }), ...(r.skipped !== undefined && { skipped: r.skipped, ok: true }) });
    }
    out.push({ id: q.id, written: q.proof.length === 0 && !q.demo, ok: proofs.every((p) => p.ok), proofs });
  }
  return out;
}

async function runLessonSteps(lesson: Lesson, last: number, opts: SessionOptions): Promise<Map<string, ProofOutcome>> {
  const out = new Map<string, ProofOutcome>();
  const session = new LessonSession(lesson, opts);
  const ref = (i: number) => `${lesson.meta.id}#${stepId(lesson.steps[i]!)}`;
  if (session.unsupported) {
    for (let i = 0; i <= last; i++) out.set(ref(i), { ref: ref(i), ok: true, checks: [], skipped: session.unsupported });
    return out;
  }
  let failures: string[] = [];
  try {
    await session.runStep(last);
  } catch (e) {
    out.set(ref(last), { ref: ref(last), ok: false, checks: [], error: (e as Error).message });
  } finally {
    failures = await session.cleanup();
  }
  for (let i = 0; i <= last; i++) {
    const r = session.results[i];
    if (out.has(ref(i))) continue;
    if (!r) { out.set(ref(i), { ref: ref(i), ok: false, checks: [], error: 'not reached: an earlier step failed' }); continue; }
    out.set(ref(i), { ref: ref(i), ok: r.ok, checks: r.checks, ...(r.error !== undefined && { error: r.error }) });
  }
  if (failures.length > 0) {
    const o = out.get(ref(last))!;
    out.set(ref(last), { ...o, ok: false, error: `cleanup: ${failures.join('; ')}` });
  }
  return out;
}
