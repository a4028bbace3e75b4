import { appendFileSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { stateDir } from './env.js';
import type { StepResult } from './runner.js';

/**
 * The results journal: one JSON line per step a learner ran, with each check's outcome and text. It exists
 * for `boxlab classroom join`, which creates the file and sends new lines to the instructor; outside a
 * classroom the file does not exist and nothing is recorded. Each line has its own id, so a line sent twice
 * (after the instructor's server restarted) is recognised and counted once.
 */
export interface JournalEntry {
  id: string;
  at: string;
  lesson: string;
  /** 1-based, as `boxlab check` prints it */
  step: number;
  title: string;
  ok: boolean;
  checks: { passed: boolean; proves: string; detail: string }[];
  error?: string;
}

export function journalFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'results.jsonl');
}

// Long command output in a check's detail is not what an instructor needs to see on a dashboard.
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function journalEntry(lessonId: string, r: StepResult, now = new Date()): JournalEntry {
  return {
    id: randomUUID(), at: now.toISOString(), lesson: lessonId, step: r.index + 1, title: clip(r.title, 200), ok: r.ok,
    checks: r.checks.map((c) => ({ passed: c.passed, proves: clip(c.proves, 300), detail: clip(c.detail, 500) })),
    ...(r.error !== undefined && { error: clip(r.error, 500) }),
  };
}

/** Appends one step's result if a classroom client opened the journal; a replayed (catch-up) step is not news. */
export function journalStep(lessonId: string, r: StepResult, env: NodeJS.ProcessEnv = process.env): void {
  if (r.catchUp) return;
  const file = journalFile(env);
  if (!existsSync(file)) return;
  try {
    appendFileSync(file, `${JSON.stringify(journalEntry(lessonId, r))}\n`);
  } catch {
    // the classroom is a bonus: a full disk or read-only home must not fail the lesson
  }
}
