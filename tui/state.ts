import type { Token } from 'marked';
import type { TraceEvent } from '../engine/sys/trace.js';
import { recordStep, resumeStep, stepsDone, type Progress } from '../course/progress.js';
import type { StepResult } from '../course/runner.js';
import type { Lesson } from '../course/types.js';
import { blockCount } from './markdown.js';
import { currentLang, t, type Lang } from '../i18n/index.js';

/**
 * The TUI's one state and the one reducer that changes it (the idea of rustlings' AppState): every key and every
 * event of a lesson session becomes an Action; components only draw what is here. Side effects (running a
 * step, shells, cleanup, saving progress) live in App, next to the one input dispatcher.
 */

/** The panes of a lesson, in order: their keys (1, 2, 3 …, tab) and labels all derive from this list. */
export const PANES = [
  { id: 'lesson', get label() { return t().paneLesson; } },
  { id: 'evidence', get label() { return t().paneEvidence; } },
  { id: 'trace', get label() { return t().paneTrace; } },
] as const;
export type PaneId = (typeof PANES)[number]['id'];

const noOffsets = (): Record<PaneId, number> => Object.fromEntries(PANES.map((p) => [p.id, 0])) as Record<PaneId, number>;

export interface Entry {
  kind: 'intro' | 'step' | 'outro';
  title: string;
  step?: number;
  tokens: Token[];
}

export function entriesOf(lesson: Lesson): Entry[] {
  const out: Entry[] = [];
  if (blockCount(lesson.intro) > 0) out.push({ kind: 'intro', title: t().introduction, tokens: lesson.intro });
  for (const s of lesson.steps) {
    const text = t().stepHeading(s.index + 1, s.title);
    const heading = { type: 'heading', depth: 2, raw: '', text, tokens: [{ type: 'text', raw: '', text }] } as unknown as Token;
    out.push({ kind: 'step', title: s.title, step: s.index, tokens: [heading, ...s.tokens] });
  }
  if (blockCount(lesson.outro) > 0) out.push({ kind: 'outro', title: t().wrapUp, tokens: lesson.outro });
  return out;
}

export interface Message { text: string; color?: string }

export interface LessonState {
  lesson: Lesson;
  entries: Entry[];
  /** index into entries */
  selected: number;
  pane: PaneId;
  offsets: Record<PaneId, number>;
  runningStep?: number | undefined;
  message?: Message | undefined;
  /** trace of the step running now */
  liveTrace: TraceEvent[];
  /** results of this session, by step index */
  results: (StepResult | undefined)[];
}

/**
 * The screens of the app. A new one (task view, interview) adds its id here and its entry in MODES
 * (tui/modes.tsx); its own data lives in `views[id]`, changed through the `view` action.
 */
export type ModeId = 'menu' | 'lesson' | 'task' | 'interview';

export interface AppState {
  mode: ModeId;
  /** the language shown: the UI's messages and the lessons' text (l switches) */
  lang: Lang;
  help: boolean;
  busy?: string | undefined;
  menuSelected: number;
  progress: Progress;
  lesson?: LessonState | undefined;
  /** state of views added later, by mode id */
  views: Record<string, unknown>;
}

export type Action =
  | { type: 'help'; open: boolean }
  /** `lessons`: the course in the new language (the same lessons, their text translated where a translation exists) */
  | { type: 'lang'; lang: Lang; lessons: Lesson[] }
  | { type: 'busy'; text?: string | undefined }
  | { type: 'mode'; mode: ModeId }
  | { type: 'progress'; progress: Progress }
  | { type: 'view'; mode: string; update: (old: unknown) => unknown }
  | { type: 'menu/move'; delta: number; count: number }
  | { type: 'lesson/open'; lesson: Lesson }
  | { type: 'lesson/closed' }
  | { type: 'lesson/select'; index: number }
  | { type: 'lesson/next-step' }
  | { type: 'pane'; pane: PaneId }
  | { type: 'pane/cycle'; delta: number }
  | { type: 'scroll'; delta: number; max: number }
  | { type: 'message'; message?: Message | undefined }
  | { type: 'step/run' }
  | { type: 'step/start'; step: number }
  | { type: 'step/trace'; event: TraceEvent }
  | { type: 'step/end'; result: StepResult }
  | { type: 'step/done'; asked: number; ran: number; error?: string | undefined }
  | { type: 'step/idle' };

export function initialState(progress: Progress, lessons: Lesson[], initialLesson?: Lesson, lang: Lang = currentLang()): AppState {
  const last = lessons.findIndex((l) => l.meta.id === progress.lastLesson);
  const base: AppState = { mode: 'menu', lang, help: false, menuSelected: Math.max(0, last), progress, views: {} };
  if (!initialLesson) return base;
  return reduce({ ...base, menuSelected: Math.max(0, lessons.indexOf(initialLesson)) }, { type: 'lesson/open', lesson: initialLesson });
}

function openLesson(lesson: Lesson, progress: Progress): LessonState {
  const entries = entriesOf(lesson);
  const start = resumeStep(progress, lesson);
  const at = entries.findIndex((e) => e.kind === 'step' && e.step === start);
  return { lesson, entries, selected: at > 0 && start > 0 ? at : 0, pane: 'lesson', offsets: noOffsets(), liveTrace: [], results: [] };
}

function withLesson(s: AppState, f: (l: LessonState) => LessonState): AppState {
  return s.lesson ? { ...s, lesson: f(s.lesson) } : s;
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

/** The one reducer. */
export function reduce(s: AppState, a: Action): AppState {
  switch (a.type) {
    case 'help': return { ...s, help: a.open };
    case 'lang': {
      // the open lesson keeps its place, its session and its results; only its text changes
      const now = s.lesson && a.lessons.find((l) => l.meta.id === s.lesson!.lesson.meta.id);
      if (!s.lesson || !now) return { ...s, lang: a.lang };
      const entries = entriesOf(now);
      const at = s.lesson.entries[s.lesson.selected]!;
      const selected = Math.max(0, entries.findIndex((e) => e.kind === at.kind && e.step === at.step));
      return { ...s, lang: a.lang, lesson: { ...s.lesson, lesson: now, entries, selected } };
    }
    case 'busy': return { ...s, busy: a.text };
    case 'mode': return { ...s, mode: a.mode };
    case 'progress': return { ...s, progress: a.progress };
    case 'view': return { ...s, views: { ...s.views, [a.mode]: a.update(s.views[a.mode]) } };
    case 'menu/move': return { ...s, menuSelected: clamp(s.menuSelected + a.delta, 0, Math.max(0, a.count - 1)) };
    case 'lesson/open': return { ...s, mode: 'lesson', lesson: openLesson(a.lesson, s.progress) };
    case 'lesson/closed': return { ...s, mode: 'menu', lesson: undefined, busy: undefined };
    case 'lesson/select': return withLesson(s, (l) => ({ ...l, selected: clamp(a.index, 0, l.entries.length - 1), offsets: noOffsets() }));
    case 'lesson/next-step': return withLesson(s, (l) => {
      const next = l.entries.findIndex((e, i) => i > l.selected && e.kind === 'step');
      return next < 0 ? l : { ...l, selected: next, pane: 'lesson', offsets: noOffsets() };
    });
    case 'pane': return withLesson(s, (l) => ({ ...l, pane: a.pane }));
    case 'pane/cycle': return withLesson(s, (l) => {
      const i = PANES.findIndex((p) => p.id === l.pane);
      return { ...l, pane: PANES[(i + a.delta + PANES.length) % PANES.length]!.id };
    });
    case 'scroll': return withLesson(s, (l) => ({ ...l, offsets: { ...l.offsets, [l.pane]: clamp(l.offsets[l.pane] + a.delta, 0, a.max) } }));
    case 'message': return withLesson(s, (l) => ({ ...l, message: a.message }));
    case 'step/run': return withLesson(s, (l) => ({ ...l, message: undefined, liveTrace: [], pane: 'trace', offsets: noOffsets() }));
    case 'step/start': return withLesson(s, (l) => ({ ...l, runningStep: a.step, liveTrace: [] }));
    case 'step/trace': return withLesson(s, (l) => ({ ...l, liveTrace: l.liveTrace.length > 2000 ? [...l.liveTrace.slice(-1500), a.event] : [...l.liveTrace, a.event] }));
    case 'step/end': {
      const l = s.lesson;
      if (!l) return s;
      const r = a.result;
      const results = [...l.results];
      results[r.index] = r;
      const progress = recordStep(structuredClone(s.progress), l.lesson, r.index, { ok: r.ok, checksPassed: r.checks.filter((c) => c.passed).length, checksTotal: r.checks.length });
      return { ...s, progress, lesson: { ...l, results } };
    }
    case 'step/done': return withLesson(s, (l) => {
      const asked = l.results[a.asked];
      const n = l.lesson.steps.length;
      let message: Message;
      const m = t();
      if (a.error !== undefined) message = { text: `✗ ${a.error}`, color: 'red' };
      else if (a.ran !== a.asked) message = { text: m.replayFailed(a.ran + 1, a.asked + 1, l.results[a.ran]?.error ?? m.aCheckFailed), color: 'red' };
      else if (asked?.ok) message = { text: m.stepPassed(a.asked + 1, asked.checks.length, a.asked + 1 >= n), color: 'green' };
      else message = { text: m.stepFailed(a.asked + 1, asked?.checks.filter((c) => c.passed).length ?? 0, asked?.checks.length ?? 0), color: 'red' };
      const failedAt = a.error === undefined && a.ran !== a.asked ? l.entries.findIndex((e) => e.step === a.ran) : -1;
      return { ...l, message, pane: a.error === undefined ? 'evidence' : l.pane, ...(failedAt >= 0 && { selected: failedAt }) };
    });
    case 'step/idle': return withLesson(s, (l) => ({ ...l, runningStep: undefined }));
  }
}

/** Steps done, in this session or an earlier one (the progress file). */
export function doneSteps(s: AppState): boolean[] {
  return s.lesson ? stepsDone(s.progress, s.lesson.lesson) : [];
}
