import { existsSync } from 'node:fs';
import type { Check } from './types.js';
import { t } from '../i18n/index.js';

/** How a check went: the sentence it proves, and what was seen when it failed. */
export interface CheckResult {
  proves: string;
  passed: boolean;
  /** what was compared, for the failure message: `"lab" equals "lab"` */
  detail: string;
  hint?: string;
  line: number;
  /** set by a counterfactual run: whether the check also passed with its step's actions skipped */
  withoutAction?: 'passed' | 'failed';
  /** the check's declared reason for holding either way (it may pass without its action) */
  invariant?: string;
}

/** What the subject of a check evaluated to. */
export interface Subject {
  text: string;
  exitCode?: number;
  /** stderr of a run: subject, shown when it failed unexpectedly */
  stderr?: string;
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
const q = (s: string) => JSON.stringify(clip(s));

/** Evaluates every operator of an already-substituted check against its subject. */
export function evaluateCheck(check: Check, subject: Subject): CheckResult {
  const failures: string[] = [];
  const passes: string[] = [];
  const o = check.ops;
  // a check that expects a failure reads the error too: why it failed is the point (`exit: 1` + `contains:`)
  const expectsFailure = o.exit !== undefined && o.exit !== 0;
  const s = (expectsFailure ? `${subject.text}\n${subject.stderr ?? ''}` : subject.text).trim();
  const note = (ok: boolean, text: string) => (ok ? passes : failures).push(text);
  const num = (v: string) => Number(v.trim());
  // in the language shown now (the TUI's, or the one boxlab check set from --lang)
  const m = t();

  if ('run' in check.subject && o.exit === undefined && subject.exitCode !== 0) {
    const said = subject.stderr?.trim().split('\n').pop();
    note(false, m.ckExited(String(subject.exitCode), said ? clip(said) : ''));
  }
  if (o.equals !== undefined) note(s === o.equals.trim(), m.ckEquals(q(s), s === o.equals.trim(), q(o.equals.trim())));
  if (o.differs !== undefined) note(s !== o.differs.trim(), m.ckDiffers(q(s), s !== o.differs.trim(), q(o.differs.trim())));
  if (o.contains !== undefined) note(s.includes(o.contains), m.ckContains(s.includes(o.contains), q(o.contains)));
  if (o.lacks !== undefined) note(!s.includes(o.lacks), m.ckContains(s.includes(o.lacks), q(o.lacks)));
  if (o.matches !== undefined) {
    const ok = new RegExp(o.matches, 'm').test(s);
    note(ok, m.ckMatches(q(s), ok, o.matches));
  }
  const cmp = [['gt', '>', (a: number, b: number) => a > b], ['gte', '≥', (a: number, b: number) => a >= b],
    ['lt', '<', (a: number, b: number) => a < b], ['lte', '≤', (a: number, b: number) => a <= b]] as const;
  for (const [key, sym, fn] of cmp) {
    const want = o[key];
    if (want === undefined) continue;
    const a = num(s);
    const b = num(want);
    if (Number.isNaN(a) || Number.isNaN(b)) note(false, m.ckNotNumber(q(s), sym, q(want)));
    else note(fn(a, b), m.ckCompare(a, fn(a, b), sym, b));
  }
  if (o.exit !== undefined) note(subject.exitCode === o.exit, m.ckExit(String(subject.exitCode), subject.exitCode === o.exit, o.exit));
  if (o.exists !== undefined) {
    const path = 'file' in check.subject ? check.subject.file : s;
    const there = existsSync(path);
    note(there === o.exists, m.ckExists(path, there));
  }
  return {
    proves: check.proves,
    passed: failures.length === 0,
    detail: (failures.length > 0 ? failures : passes).join('; '),
    ...(check.hint !== undefined && { hint: check.hint }),
    ...(check.invariant !== undefined && { invariant: check.invariant }),
    line: check.line,
  };
}
