import { z } from 'zod';

/**
 * What a learner's machine may send to the instructor's server, and nothing more: a display name and the
 * results of lesson steps (from the results journal and the progress file). Every limit here is enforced
 * by the server before anything is stored.
 */
export const LIMITS = {
  /** bytes of one request body */
  bodyBytes: 256 * 1024,
  /** results in one POST */
  resultsPerPost: 200,
  /** learners in one room */
  learners: 300,
  hintChars: 1000,
  /** open message streams per learner */
  streamsPerLearner: 3,
  /** per learner: requests per second on average, and the burst allowed */
  ratePerSecond: 10,
  rateBurst: 40,
} as const;

// Printable text only: no control characters (they would garble a terminal or a CSV export).
const printable = (max: number) => z.string().max(max).regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed');

export const nameSchema = z.string().trim().min(1, 'a name is needed').max(40, 'a name is at most 40 characters')
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'a name must not contain control or invisible characters');
export const codeSchema = z.string().regex(/^[A-Za-z0-9-]{4,40}$/, 'a join code is 4–40 letters, digits or dashes');
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9-]{16,64}$/, 'a client id is 16–64 letters, digits or dashes');
export const lessonIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'not a lesson id');

export const resultSchema = z.object({
  /** chosen by the learner's machine; a resent result has the same id and is stored once */
  id: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  at: z.string().datetime(),
  lesson: lessonIdSchema,
  step: z.number().int().min(1).max(100),
  title: printable(200),
  ok: z.boolean(),
  /** `check`: a run of the step with its checks' outcomes; `progress`: a step's mark in the progress file */
  source: z.enum(['check', 'progress']),
  checks: z.array(z.object({ passed: z.boolean(), proves: printable(300), detail: printable(500) })).max(50),
  error: printable(500).optional(),
}).strict();
export type ResultRecord = z.infer<typeof resultSchema>;

export const joinSchema = z.object({ name: nameSchema, clientId: clientIdSchema }).strict();
export const postResultsSchema = z.object({ results: z.array(resultSchema).max(LIMITS.resultsPerPost) }).strict();
export const hintSchema = z.object({ text: z.string().trim().min(1).max(LIMITS.hintChars) }).strict();

/** What the server pushes to learners: a lesson released, or a hint. */
export interface RoomMessage {
  id: number;
  at: string;
  kind: 'release' | 'hint';
  text: string;
  lesson?: string;
}

export const CODE_HEADER = 'x-classroom-code';
export const CLIENT_HEADER = 'x-classroom-client';
export const KEY_HEADER = 'x-classroom-key';
