import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../engine/sys/errors.js';
import { stateDir } from './env.js';
import { taskProgressSchema } from './tasks/schema.js';
import type { Lesson, Step } from './types.js';

const stepSchema = z.object({
  done: z.boolean(),
  at: z.string(),
  checksPassed: z.number().int().min(0),
  checksTotal: z.number().int().min(0),
});

const lessonSchema = z.object({
  steps: z.record(z.string(), stepSchema).default({}),
  completedAt: z.string().optional(),
  updatedAt: z.string(),
});

// Interview mode's self-marks per question id (course/interview/srs.ts schedules reviews from them).
const interviewMarkSchema = z.object({
  box: z.number().int().min(1).max(5),
  last: z.enum(['knew', 'partly', 'not-yet']),
  at: z.string(),
  seen: z.number().int().min(0),
  notes: z.string().optional(),
});

const progressSchema = z.object({
  version: z.literal(1),
  user: z.string().optional(),
  lastLesson: z.string().optional(),
  lessons: z.record(z.string(), lessonSchema).default({}),
  interview: z.record(z.string(), interviewMarkSchema).optional(),
  /** draws the learner's task parameters (course/tasks/params.ts) */
  seed: z.string().optional(),
  /** lesson id → task title → attempts, hints, solution shown, solved */
  tasks: z.record(z.string(), z.record(z.string(), taskProgressSchema)).default({}),
});

export type Progress = z.infer<typeof progressSchema>;
export type LessonProgress = z.infer<typeof lessonSchema>;
export type InterviewMark = z.infer<typeof interviewMarkSchema>;
export type LessonStatus = 'new' | 'started' | 'done';

export function progressFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'progress.json');
}

export function emptyProgress(): Progress {
  return { version: 1, lessons: {}, tasks: {}, ...(process.env.USER !== undefined && { user: process.env.USER }) };
}

/** Reads the progress file; a missing file is a fresh start, a corrupt one a one-line error. */
export function loadProgress(file: string): Progress {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyProgress();
    throw e;
  }
  let data: unknown;
  try { data = JSON.parse(text); } catch {
    throw new UserError(`${file} is not valid JSON — move it away to start fresh`);
  }
  const r = progressSchema.safeParse(data);
  if (!r.success) throw new UserError(`${file} is not a boxlab progress file (${r.error.issues[0]?.message}) — move it away to start fresh`);
  return r.data;
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file. */
export function saveProgress(file: string, p: Progress): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(keepTaskRecords(file, p), null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Task records and the learner's seed are written straight to the file by `boxlab task` and the TUI's task
 * view, while the TUI may hold an older copy of the whole progress: a save keeps the newer record of each
 * task and the seed already on disk, whichever copy is written.
 */
function keepTaskRecords(file: string, p: Progress): Progress {
  let disk: Progress;
  try { disk = loadProgress(file); } catch { return p; }
  const tasks = structuredClone(p.tasks);
  for (const [lesson, byTitle] of Object.entries(disk.tasks)) {
    for (const [title, rec] of Object.entries(byTitle)) {
      const mine = tasks[lesson]?.[title];
      if (!mine || mine.updatedAt < rec.updatedAt) (tasks[lesson] ??= {})[title] = rec;
    }
  }
  return { ...p, tasks, ...(p.seed === undefined && disk.seed !== undefined && { seed: disk.seed }) };
}

/** Progress is recorded by a step's English title, so switching language keeps it. */
const stepKey = (s: Step) => s.progressKey ?? s.title;

export function recordStep(p: Progress, lesson: Lesson, stepIndex: number, outcome: { ok: boolean; checksPassed: number; checksTotal: number }, now = new Date()): Progress {
  const step = lesson.steps[stepIndex];
  if (!step) throw new RangeError(`no step ${stepIndex + 1} in ${lesson.meta.id}`);
  const at = now.toISOString();
  const lp: LessonProgress = p.lessons[lesson.meta.id] ?? { steps: {}, updatedAt: at };
  const prev = lp.steps[stepKey(step)];
  // a step once done stays done: re-running it and failing should not take the learner's mark away
  lp.steps[stepKey(step)] = { done: outcome.ok || (prev?.done ?? false), at, checksPassed: outcome.checksPassed, checksTotal: outcome.checksTotal };
  lp.updatedAt = at;
  if (lp.completedAt === undefined && lesson.steps.every((s) => lp.steps[stepKey(s)]?.done)) lp.completedAt = at;
  p.lessons[lesson.meta.id] = lp;
  p.lastLesson = lesson.meta.id;
  return p;
}

export function resetLessonProgress(p: Progress, id: string): boolean {
  const had = id in p.lessons;
  delete p.lessons[id];
  if (p.lastLesson === id) delete p.lastLesson;
  return had;
}

export function lessonStatus(p: Progress, lesson: Lesson): LessonStatus {
  const lp = p.lessons[lesson.meta.id];
  if (!lp) return 'new';
  const done = lesson.steps.filter((s) => lp.steps[stepKey(s)]?.done).length;
  if (done === lesson.steps.length) return 'done';
  return Object.keys(lp.steps).length > 0 ? 'started' : 'new';
}

export function stepsDone(p: Progress, lesson: Lesson): boolean[] {
  const lp = p.lessons[lesson.meta.id];
  return lesson.steps.map((s) => lp?.steps[stepKey(s)]?.done ?? false);
}

/** The step to resume at: the first one not done (the last step when all are done). */
export function resumeStep(p: Progress, lesson: Lesson): number {
  const done = stepsDone(p, lesson);
  const i = done.indexOf(false);
  return i < 0 ? Math.max(0, lesson.steps.length - 1) : i;
}

export const STATUS_MARK: Record<LessonStatus, string> = { new: '·', started: '◐', done: '✓' };
