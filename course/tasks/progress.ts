import { loadProgress, progressFile, saveProgress } from '../progress.js';
import { newSeed } from './params.js';
import type { TaskProgress } from './schema.js';

/**
 * The learner's seed: BOXLAB_TASK_SEED if set (tests, a workshop handing out instances), else the one in the
 * progress file, created there on first use so the same learner draws the same instance again.
 */
export function learnerSeed(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOXLAB_TASK_SEED) return env.BOXLAB_TASK_SEED;
  const file = progressFile(env);
  const p = loadProgress(file);
  if (p.seed === undefined) {
    p.seed = newSeed();
    saveProgress(file, p);
  }
  return p.seed;
}

export function taskProgress(lesson: string, title: string, env: NodeJS.ProcessEnv = process.env): TaskProgress | undefined {
  return loadProgress(progressFile(env)).tasks[lesson]?.[title];
}

/** Reads, changes and writes one task's record (atomically, through the progress store). */
export function updateTaskProgress(lesson: string, title: string, change: (t: TaskProgress) => void, env: NodeJS.ProcessEnv = process.env, now = new Date()): TaskProgress {
  const file = progressFile(env);
  const p = loadProgress(file);
  const byTitle = (p.tasks[lesson] ??= {});
  const t: TaskProgress = byTitle[title] ?? { attempts: 0, hints: 0, checksPassed: 0, checksTotal: 0, updatedAt: now.toISOString() };
  change(t);
  t.updatedAt = now.toISOString();
  byTitle[title] = t;
  saveProgress(file, p);
  return t;
}
