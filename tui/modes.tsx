import React from 'react';
import type { Key } from 'ink';
import type { LessonSession } from '../course/runner.js';
import type { Lesson } from '../course/types.js';
import { PANES, type Action, type AppState, type ModeId } from './state.js';

/** What a key may do besides changing the state: the effects App carries out. */
export interface Effects {
  openLesson(lesson: Lesson): void;
  /** leave the lesson: its session is cleaned up */
  leaveLesson(): void;
  runStep(index: number): void;
  shell(which: 'container' | 'host'): void;
  exit(): void;
}

export interface KeyContext {
  state: AppState;
  dispatch: (a: Action) => void;
  effects: Effects;
  lessons: Lesson[];
  session: LessonSession | undefined;
  /** how far the focused pane can scroll, and a page of it */
  scroll: { max: number; page: number };
}

export interface Binding {
  /** as the help shows it: `↑/↓  k/j` */
  keys: string;
  help: string;
  /** short form for the key bar; absent: not on the bar */
  bar?: string;
  match(input: string, key: Key): boolean;
  run(ctx: KeyContext, input: string, key: Key): void;
}

export interface ViewContext {
  state: AppState;
  dispatch: (a: Action) => void;
  width: number;
  height: number;
}

export interface ModeSpec {
  /** shown as the heading of this mode's keys in the help */
  title: string;
  bindings: Binding[];
  /**
   * Draws the mode; undefined for the built-in menu and lesson, which App draws with what only it has
   * (the session, the welcome lines). A view added later renders itself from `ctx.state.views[id]`.
   */
  render?: (ctx: ViewContext) => React.ReactElement;
  /** the view reads the keyboard itself (it takes typed text); its bindings are shown in the help only */
  ownsInput?: boolean;
}

const running = (ctx: KeyContext, then = ''): boolean => {
  if (ctx.state.lesson?.runningStep === undefined) return false;
  ctx.dispatch({ type: 'message', message: { text: `a step is running — wait for it to finish${then}`, color: 'yellow' } });
  return true;
};

const up = (input: string, k: Key) => k.upArrow || input === 'k';
const down = (input: string, k: Key) => k.downArrow || input === 'j';

const MENU: ModeSpec = {
  title: 'Menu',
  bindings: [
    { keys: '⏎', help: 'open the lesson', bar: '⏎ open', match: (_, k) => k.return,
      run: (c) => { const l = c.lessons[c.state.menuSelected]; if (l) c.effects.openLesson(l); } },
    { keys: '↑/↓  k/j', help: 'choose a lesson', bar: '↑↓ choose', match: (i, k) => up(i, k) || down(i, k),
      run: (c, i, k) => c.dispatch({ type: 'menu/move', delta: up(i, k) ? -1 : 1, count: c.lessons.length }) },
    { keys: 'i', help: 'interview practice: a question, your notes, Tab reveals, p runs the proof, 1/2/3 marks', bar: 'i interview',
      match: (i) => i === 'i', run: (c) => c.dispatch({ type: 'mode', mode: 'interview' }) },
    { keys: 'r', help: 'resume where you left off', match: (i) => i === 'r',
      run: (c) => { const l = c.lessons.find((x) => x.meta.id === c.state.progress.lastLesson); if (l) c.effects.openLesson(l); } },
    { keys: 'q  Esc', help: 'quit', bar: 'q quit', match: (i, k) => i === 'q' || k.escape, run: (c) => c.effects.exit() },
  ],
};

const paneKeys = PANES.map((_, i) => String(i + 1));

const LESSON: ModeSpec = {
  title: 'Lesson',
  bindings: [
    { keys: '⏎', help: 'run the chosen step', bar: '⏎ run', match: (_, k) => k.return, run: (c) => {
      const l = c.state.lesson!;
      if (running(c)) return;
      const e = l.entries[l.selected]!;
      if (e.kind === 'intro') c.dispatch({ type: 'lesson/select', index: l.selected + 1 });
      else if (e.step !== undefined) c.effects.runStep(e.step);
    } },
    { keys: '↑/↓  k/j', help: 'choose a step', bar: '↑↓ step', match: (i, k) => up(i, k) || down(i, k),
      run: (c, i, k) => c.dispatch({ type: 'lesson/select', index: c.state.lesson!.selected + (up(i, k) ? -1 : 1) }) },
    { keys: 'n', help: 'next step', match: (i) => i === 'n', run: (c) => c.dispatch({ type: 'lesson/next-step' }) },
    { keys: `tab  ${paneKeys.join(' ')}`, help: `switch pane: ${PANES.map((p) => p.label).join(', ')}`, bar: 'tab pane',
      match: (i, k) => k.tab || paneKeys.includes(i),
      run: (c, i, k) => c.dispatch(k.tab ? { type: 'pane/cycle', delta: k.shift ? -1 : 1 } : { type: 'pane', pane: PANES[Number(i) - 1]!.id }) },
    { keys: 'PgUp/PgDn  b/space', help: 'scroll the pane', bar: 'PgUp/PgDn scroll',
      match: (i, k) => k.pageDown || k.pageUp || i === ' ' || i === 'b', run: (c, i, k) => {
        const forward = k.pageDown || i === ' ';
        // the trace pane counts back from its newest line, a page at a time; the others move block by block
        const delta = c.state.lesson!.pane === 'trace' ? (forward ? -1 : 1) * c.scroll.page : (forward ? 1 : -1);
        c.dispatch({ type: 'scroll', delta, max: c.scroll.max });
      } },
    { keys: 's', help: "shell in the lesson's container (exit returns)", bar: 's shell',
      match: (i) => i === 's', run: (c) => { if (!running(c)) c.effects.shell('container'); } },
    { keys: 'h', help: 'host shell with boxlab on PATH (exit returns)', bar: 'h host',
      match: (i) => i === 'h', run: (c) => { if (!running(c)) c.effects.shell('host'); } },
    { keys: 't', help: "the lesson's task: do it yourself (h), ⏎ checks it", bar: 't task',
      match: (i) => i === 't', run: (c) => { if (!running(c)) c.dispatch({ type: 'mode', mode: 'task' }); } },
    { keys: 'q  Esc', help: 'back to the menu (cleans the lesson up)', bar: 'q back',
      match: (i, k) => i === 'q' || k.escape, run: (c) => { if (!running(c, ', then q')) c.effects.leaveLesson(); } },
  ],
};

const shownOnly = () => false;
const noop = () => undefined;

const TASK: ModeSpec = {
  title: 'Task',
  ownsInput: true,
  bindings: [
    { keys: 'r', help: 'set the scene (the task\'s setup)', match: shownOnly, run: noop },
    { keys: 'h', help: 'host shell with boxlab on PATH: do the task there (exit returns)', match: shownOnly, run: noop },
    { keys: '⏎', help: 'check what you made, check by check', match: shownOnly, run: noop },
    { keys: 'n', help: 'next hint (a nudge, then the flag, then the command)', match: shownOnly, run: noop },
    { keys: 'S', help: 'the solution (after a few attempts, or S twice; recorded)', match: shownOnly, run: noop },
    { keys: 'q  Esc', help: 'back to the lesson', match: shownOnly, run: noop },
  ],
};

const INTERVIEW: ModeSpec = {
  title: 'Interview',
  ownsInput: true,
  bindings: [
    { keys: '⏎  ↑/↓', help: 'pick what is due, a random question, a mock interview, all, or a topic', match: shownOnly, run: noop },
    { keys: 'typing', help: 'your notes for the question on screen', match: shownOnly, run: noop },
    { keys: 'tab', help: 'reveal the model answer, key points, wrong answers, follow-ups', match: shownOnly, run: noop },
    { keys: 'p', help: 'run the proof live: evidence and checks', match: shownOnly, run: noop },
    { keys: '1 2 3', help: 'mark: knew it / partly / not yet (spaced repetition)', match: shownOnly, run: noop },
    { keys: 'l', help: 'switch 中文 / English', match: shownOnly, run: noop },
    { keys: 'q  Esc', help: 'back', match: shownOnly, run: noop },
  ],
};

/** Keys that work everywhere. */
export const GLOBAL: Binding[] = [
  { keys: '?', help: 'this help', bar: '? help', match: (i) => i === '?', run: (c) => c.dispatch({ type: 'help', open: true }) },
];

/**
 * THE place a screen is added. A new view (e.g. the task view or the interview) is one entry here: its id
 * (added to ModeId in state.ts), its keys (they appear in the help and the key bar by themselves) and its
 * render function drawing from `state.views[id]`; a binding in MENU (or a CLI flag dispatching `mode`)
 * enters it, and its `q` dispatches `{ type: 'mode', mode: 'menu' }`. Nothing else needs to know.
 */
export const MODES: Record<ModeId, ModeSpec> = {
  menu: MENU,
  lesson: LESSON,
  task: TASK,
  interview: INTERVIEW,
};

/** The one input dispatcher: the help closes on any key; otherwise the mode's keys, then the global ones. */
export function dispatchKey(ctx: KeyContext, input: string, key: Key): void {
  if (ctx.state.help) { ctx.dispatch({ type: 'help', open: false }); return; }
  if (ctx.state.busy || MODES[ctx.state.mode].ownsInput) return;
  const b = [...MODES[ctx.state.mode].bindings, ...GLOBAL].find((x) => x.match(input, key));
  b?.run(ctx, input, key);
}

/**
 * The key bar of a mode, fitted to `width`: the mode's first key (its main action) and the way out
 * (`? help · q back`) always show; when the rest does not fit, keys give way from the right. `extra` items
 * (r resume …) come after the mode's keys.
 */
export function keyBar(mode: ModeId, width: number, extra: string[] = []): string {
  const own = MODES[mode].bindings.filter((b) => b.bar).map((b) => b.bar!);
  const main = own.slice(0, 1);
  const last = own.length > 1 ? own.slice(-1) : [];
  const middle = [...own.slice(1, own.length - last.length), ...extra];
  const tail = [...GLOBAL.map((b) => b.bar!), ...last];
  const join = (xs: string[]) => [...main, ...xs, ...tail].join(' · ');
  while (middle.length > 0 && join(middle).length > width) middle.pop();
  return join(middle);
}
