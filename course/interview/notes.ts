import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../env.js';

/**
 * The questions of the learner's study notes, read from the notes themselves: every level-2 heading of
 * note 000 (a list of questions) and of note 003 (part 1 "基本知识点" §0–§32, part 2 "runc项目" §1–§14).
 * Headings are counted line by line: 000's fenced blocks are not balanced, so a fence-aware count is wrong.
 */
export interface NoteQuestion {
  /** the reference a question file names in `source:` */
  ref: string;
  /** the heading as the notes write it, without its number */
  heading: string;
  line: number;
}

/** ../shared/seeds beside the clone (as CI lays it out), or $BOXLAB_NOTES. */
export function notesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOXLAB_NOTES ?? join(projectRoot(), '..', 'shared', 'seeds');
}

function noteFile(dir: string, prefix: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir).find((n) => n.startsWith(`${prefix}_`) && n.endsWith('.txt'));
  return f === undefined ? undefined : join(dir, f);
}

/** undefined when the notes are not there (a clone without shared/ beside it). */
export function noteQuestions(dir = notesDir()): NoteQuestion[] | undefined {
  const f000 = noteFile(dir, '000');
  const f003 = noteFile(dir, '003');
  if (f000 === undefined || f003 === undefined) return undefined;
  const out: NoteQuestion[] = [];
  let n = 0;
  readFileSync(f000, 'utf8').split('\n').forEach((l, i) => {
    const m = /^## (.+)$/.exec(l);
    if (m) out.push({ ref: `000#${++n}`, heading: m[1]!.trim(), line: i + 1 });
  });
  let part = 1;
  readFileSync(f003, 'utf8').split('\n').forEach((l, i) => {
    if (/^# 二/.test(l)) part = 2;
    const m = /^## (\d+)\.\s*(.+)$/.exec(l);
    if (m) out.push({ ref: `003:${part}§${m[1]}`, heading: m[2]!.trim(), line: i + 1 });
  });
  return out;
}

/** Text compared loosely: no spaces, backticks or punctuation, lowercase. */
export function normalise(s: string): string {
  return s.toLowerCase().replace(/[\s`'"‘’“”?？。，,、:：!！()（）.…-]/g, '');
}
