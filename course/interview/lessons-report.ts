import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../engine/sys/errors.js';
import { stepSlug } from '../step-id.js';
import type { ProofRef } from './bank.js';
import type { ProofOutcome } from './check.js';

/**
 * The JSON `boxlab check --all --json` prints, as far as interview proofs need it. Reading it lets
 * `boxlab interview check --lessons-report FILE` prove every lesson-step proof from one run of the course
 * (CI's test/course-lessons makes that run anyway) instead of running every lesson a second time.
 */
const checkSchema = z.object({ passed: z.boolean(), proves: z.string(), detail: z.string(), line: z.number() }).loose();
const reportSchema = z.object({
  ok: z.boolean(),
  lessons: z.array(z.object({
    id: z.string(),
    skipped: z.string().optional(),
    cleanupFailures: z.array(z.string()),
    steps: z.array(z.object({
      index: z.number(),
      /** the step's id (course/step-id.ts); older reports lack it, then the (English) title's slug is used */
      id: z.string().optional(),
      title: z.string(),
      ok: z.boolean(),
      error: z.string().optional(),
      checks: z.array(checkSchema),
    }).loose()),
  }).loose()),
}).loose();
export type LessonsRunReport = z.infer<typeof reportSchema>;

export function readLessonsReport(file: string): LessonsRunReport {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`--lessons-report ${file}: ${(e as Error).message} — give the file \`boxlab check --all --json > FILE\` wrote`);
  }
  const r = reportSchema.safeParse(raw);
  if (!r.success) throw new UserError(`--lessons-report ${file}: not the JSON of \`boxlab check --json\` (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
  return r.data;
}

/** A proof passes when its step ran in that run, every one of its checks passed, and the lesson cleaned up. */
export function outcomesFromReport(report: LessonsRunReport, p: ProofRef): ProofOutcome {
  const lesson = report.lessons.find((l) => l.id === p.lesson);
  if (!lesson) return { ref: p.text, ok: false, checks: [], error: `lesson ${p.lesson} is not in the lessons report (run \`boxlab check --all --json\`)` };
  if (lesson.skipped !== undefined) return { ref: p.text, ok: true, checks: [], skipped: lesson.skipped };
  const step = lesson.steps.find((s) => (s.id ?? stepSlug(s.title)) === p.step);
  if (!step) return { ref: p.text, ok: false, checks: [], error: 'not reached in the lessons report: an earlier step failed, or the report is from another version of the lesson' };
  const checks = step.checks.map((c) => ({ passed: c.passed, proves: c.proves, detail: c.detail, line: c.line }));
  const error = step.error ?? (lesson.cleanupFailures.length > 0 ? `cleanup: ${lesson.cleanupFailures.join('; ')}` : undefined);
  return { ref: p.text, ok: step.ok && error === undefined && checks.every((c) => c.passed), checks, ...(error !== undefined && { error }) };
}
