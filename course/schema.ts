import { z } from 'zod';

/** Names of values: `web.pid`, `host_uts`, `nat.before`. Placeholders use the same grammar. */
export const NAME_RE = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_0-9][\w-]*)*$/;
const ID_RE = /^[a-z0-9][a-z0-9-]*$/;

const cgroup = z.enum(['v1', 'v2']);

export const frontMatterSchema = z.strictObject({
  id: z.string().regex(ID_RE, 'use lowercase letters, digits and "-", like 01-uts'),
  title: z.string().min(1),
  summary: z.string().min(1),
  minutes: z.number().int().positive(),
  prerequisites: z.array(z.string()).default([]),
  shell: z.string().min(1).optional(),
  cgroup: cgroup.optional(),
});

// YAML reads `equals: 0` as a number and `equals: yes` as a string; compare as text either way.
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const captureSchema = z.union([
  z.string().min(1),
  z.strictObject({
    run: z.string().min(1).optional(),
    from: z.string().regex(NAME_RE, 'name an earlier value, like uts or web.pid').optional(),
    match: z.string().min(1).optional(),
    json: z.string().min(1).optional(),
  }).superRefine((c, ctx) => {
    if ((c.run === undefined) === (c.from === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of run: (a command) or from: (an earlier value)' });
    }
    if (c.match !== undefined && c.json !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give match: or json:, not both' });
    }
  }),
]);

const SUBJECTS = ['value', 'run', 'file'] as const;
const TEXT_OPS = ['equals', 'differs', 'contains', 'lacks', 'matches', 'gt', 'gte', 'lt', 'lte'] as const;

export const checkItemSchema = z.strictObject({
  value: text.optional(),
  run: z.string().min(1).optional(),
  file: z.string().min(1).optional(),
  equals: text.optional(),
  differs: text.optional(),
  contains: text.optional(),
  lacks: text.optional(),
  matches: text.optional(),
  gt: text.optional(),
  gte: text.optional(),
  lt: text.optional(),
  lte: text.optional(),
  exit: z.number().int().min(0).max(255).optional(),
  exists: z.boolean().optional(),
  proves: z.string().trim().min(10, 'proves: is too short; write one full sentence saying what the check proves'),
  hint: z.string().min(1).optional(),
  cgroup: cgroup.optional(),
  invariant: z.string().trim().min(10, 'invariant: give the reason this check holds whether or not the step ran, in one sentence').optional(),
}).superRefine((c, ctx) => {
  const subjects = SUBJECTS.filter((s) => c[s] !== undefined);
  if (subjects.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `give exactly one subject: value:, run: or file: (found ${subjects.length === 0 ? 'none' : subjects.join(', ')})` });
    return;
  }
  const subject = subjects[0];
  const textOps = TEXT_OPS.filter((o) => c[o] !== undefined);
  if (textOps.length === 0 && c.exit === undefined && c.exists === undefined) {
    ctx.addIssue({ code: 'custom', message: 'give at least one operator: equals, differs, contains, lacks, matches, gt, gte, lt, lte, exit (run:) or exists (file:)' });
  }
  if (c.exit !== undefined && subject !== 'run') ctx.addIssue({ code: 'custom', message: 'exit: only fits a run: check' });
  if (c.exists !== undefined && subject !== 'file') ctx.addIssue({ code: 'custom', message: 'exists: only fits a file: check' });
  if (subject === 'file' && textOps.length > 0) ctx.addIssue({ code: 'custom', message: `a file: check only takes exists:; to test its contents use run: cat ${c.file}` });
  if (c.exit !== undefined && c.exit !== 0 && c.contains === undefined && c.matches === undefined) {
    ctx.addIssue({ code: 'custom', path: ['exit'], message: 'a check that expects a failure also says why: add contains: or matches: for the error text (stdout and stderr are both searched)' });
  }
  if (c.matches !== undefined) {
    try { new RegExp(c.matches, 'm'); } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['matches'], message: `invalid regular expression: ${(e as Error).message}` });
    }
  }
});

export const checkListSchema = z.array(z.unknown()).min(1, 'a check block is a YAML list of checks, each starting with "- "');

export type FrontMatter = z.infer<typeof frontMatterSchema>;
export type CheckItem = z.infer<typeof checkItemSchema>;

/** Turns a zod issue into `key: message` for a one-line lint error. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (see docs/lesson-format.md)`;
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    if (issue.path.at(-1) === 'proves') return 'proves: missing — every check needs proves: one sentence saying what it proves';
    return `${where}missing (required)`;
  }
  return `${where}${issue.message}`;
}
