import type { Learner, StoredResult } from './store.js';
import { t } from '../i18n/index.js';

/**
 * The room as the instructor sees it, computed from the stored learners and results: one row per learner,
 * one cell per step of each released lesson, who is stuck, and how far the room is per step. Kept in memory
 * and updated per result, so pushing a fresh view to the page costs no database read.
 */
export interface LessonInfo {
  id: string;
  title: string;
  steps: string[];
}

export type CellState = 'passed' | 'failing' | 'none';

export interface Cell {
  state: CellState;
  /** the failing check (what it proves, and what was seen), or why the step stopped */
  text?: string;
  /** failing runs of this step so far */
  fails: number;
}

export interface Row {
  name: string;
  cells: Cell[];
  /** why this learner looks stuck, if they do */
  stuck?: string;
  lastActivity: string;
}

export interface RoomView {
  lessons: LessonInfo[];
  /** the next lesson the instructor can release, if any */
  next?: { id: string; title: string };
  rows: Row[];
  /** per column: how many learners passed it, are failing it */
  bars: { passed: number; failing: number }[];
  results: number;
  stuckMinutes: number;
  generatedAt: string;
}

interface CellMemory {
  passed: boolean;
  failText?: string;
  fails: number;
  /** the same failure, run after run */
  streak: number;
}

/** How many times in a row the same check may fail before the learner counts as stuck. */
export const STUCK_STREAK = 3;

export function failureText(r: StoredResult): string {
  const c = r.checks.find((x) => !x.passed);
  if (c) return `${c.proves} — ${c.detail}`;
  if (r.error !== undefined) return r.error;
  return r.source === 'progress' ? t().crStepFailedInCourse : t().crStepFailed;
}

export class Room {
  private readonly learners = new Map<string, Learner>();
  private readonly cells = new Map<string, Map<string, CellMemory>>();
  private readonly activity = new Map<string, string>();
  private count = 0;

  constructor(private readonly all: LessonInfo[], private readonly from: number, public released: number, private readonly stuckMinutes: number) {}

  get releasedLessons(): LessonInfo[] {
    return this.all.slice(this.from, this.from + this.released);
  }

  get next(): LessonInfo | undefined {
    return this.all[this.from + this.released];
  }

  get resultCount(): number {
    return this.count;
  }

  addLearner(l: Learner): void {
    this.learners.set(l.clientId, l);
    if (!this.activity.has(l.clientId)) this.activity.set(l.clientId, l.joinedAt);
  }

  learnerByName(name: string): Learner | undefined {
    for (const l of this.learners.values()) if (l.name.toLowerCase() === name.toLowerCase()) return l;
    return undefined;
  }

  learner(clientId: string): Learner | undefined {
    return this.learners.get(clientId);
  }

  get size(): number {
    return this.learners.size;
  }

  apply(r: StoredResult): void {
    this.count++;
    let mine = this.cells.get(r.clientId);
    if (!mine) this.cells.set(r.clientId, (mine = new Map()));
    const key = `${r.lesson}#${r.step}`;
    const m = mine.get(key) ?? { passed: false, fails: 0, streak: 0 };
    if (r.ok) {
      // a step once passed stays passed, as in the learner's own progress
      m.passed = true;
      m.streak = 0;
    } else {
      const text = failureText(r);
      m.streak = text === m.failText ? m.streak + 1 : 1;
      m.failText = text;
      m.fails++;
    }
    mine.set(key, m);
    const last = this.activity.get(r.clientId);
    if (last === undefined || r.receivedAt > last) this.activity.set(r.clientId, r.receivedAt);
  }

  view(now = new Date()): RoomView {
    const lessons = this.releasedLessons;
    const columns = lessons.flatMap((l) => l.steps.map((_, i) => `${l.id}#${i + 1}`));
    const bars = columns.map(() => ({ passed: 0, failing: 0 }));
    const rows: Row[] = [];
    for (const l of this.learners.values()) {
      const mine = this.cells.get(l.clientId);
      const cells: Cell[] = columns.map((key, i) => {
        const m = mine?.get(key);
        if (m?.passed) { bars[i]!.passed++; return { state: 'passed', fails: m.fails }; }
        if (m?.failText !== undefined) { bars[i]!.failing++; return { state: 'failing', text: m.failText, fails: m.fails }; }
        return { state: 'none', fails: 0 };
      });
      const lastActivity = this.activity.get(l.clientId) ?? l.joinedAt;
      rows.push({ name: l.name, cells, lastActivity, ...this.stuck(cells, columns, mine, lastActivity, now) });
    }
    rows.sort((a, b) => a.name.localeCompare(b.name));
    const next = this.next;
    return {
      lessons, rows, bars, results: this.count, stuckMinutes: this.stuckMinutes, generatedAt: now.toISOString(),
      ...(next && { next: { id: next.id, title: next.title } }),
    };
  }

  private stuck(cells: Cell[], columns: string[], mine: Map<string, CellMemory> | undefined, lastActivity: string, now: Date): { stuck?: string } {
    if (cells.length > 0 && cells.every((c) => c.state === 'passed')) return {};
    for (const key of columns) {
      const m = mine?.get(key);
      if (m && !m.passed && m.streak >= STUCK_STREAK) {
        const [lesson, step] = key.split('#');
        return { stuck: t().crStuckStreak(m.streak, lesson ?? '', step ?? '') };
      }
    }
    const idleMin = (now.getTime() - Date.parse(lastActivity)) / 60_000;
    if (idleMin >= this.stuckMinutes) return { stuck: t().crStuckIdle(Math.floor(idleMin)) };
    return {};
  }
}

/** One CSV line per learner and step; every field quoted, so names with commas or quotes stay one field. */
export function toCsv(view: RoomView): string {
  const q = (s: string | number) => `"${String(s).replace(/"/g, '""')}"`;
  // a field starting with = + - @ would be run as a formula by a spreadsheet: prefix it with a quote
  const safe = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  const lines = [['learner', 'lesson', 'step', 'step title', 'state', 'failed runs', 'failing check', 'stuck'].map(q).join(',')];
  const columns = view.lessons.flatMap((l) => l.steps.map((title, i) => ({ lesson: l.id, step: i + 1, title })));
  for (const row of view.rows) {
    columns.forEach((c, i) => {
      const cell = row.cells[i]!;
      lines.push([safe(row.name), c.lesson, c.step, safe(c.title), cell.state, cell.fails, safe(cell.text ?? ''), safe(row.stuck ?? '')].map(q).join(','));
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}
