import { z } from 'zod';

// Kept apart from the task parser so the progress store can import it without loading the parser.

export const taskFrontMatterSchema = z.strictObject({
  lesson: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'the lesson id, like 01-uts'),
  solution_after: z.number().int().positive().default(3),
});

const num = z.number().int();

export const paramSpecSchema = z.union([
  z.strictObject({ pick: z.array(z.union([z.string(), z.number()]).transform(String)).min(2, 'pick: give at least two choices, so learners differ') }),
  z.strictObject({ range: z.tuple([num, num]).refine(([a, b]) => a < b, 'range: [low, high] with low < high') }),
  z.strictObject({ word: num.min(3).max(12) }),
  z.strictObject({ mul: z.tuple([z.string(), z.number()]) }),
  z.strictObject({ text: z.string().min(1) }),
]);

export const hintsSchema = z.array(z.string().min(1)).min(1, 'hints: a YAML list, nudge first, then the flag, then the command');

/** One task's record in the progress file (key: lesson id, then task title). */
export const taskProgressSchema = z.object({
  attempts: z.number().int().min(0).default(0),
  hints: z.number().int().min(0).default(0),
  checksPassed: z.number().int().min(0).default(0),
  checksTotal: z.number().int().min(0).default(0),
  /** when the learner asked for (or was shown) the solution */
  solutionShownAt: z.string().optional(),
  solvedAt: z.string().optional(),
  updatedAt: z.string(),
});

export type TaskProgress = z.infer<typeof taskProgressSchema>;
