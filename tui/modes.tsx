import React from 'react';
import type { Key } from 'ink';
import type { LessonSession } from '../course/runner.js';
import type { Lesson } from '../course/types.js';
import { PANES, type Action, type AppState, type ModeId } from './state.js';
import { otherLang, setLang, t, type Lang } from '../i18n/index.js';
import { displayWidth } from './text.js';

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
  /** the course in a language (the l key); absent: the lessons stay as they are */
  lessonsIn?: (lang: Lang) => Lesson[];
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
  ctx.dispatch({ type: 'message', message: { text: t().waitForStep(then), color: 'yellow' } });
  return true;
};

const up = (input: string, k: Key) => k.upArrow || input === 'k';
const down = (input: string, k: Key) => k.downArrow || input === 'j';

// texts are getters: they are read when drawn, in the language shown then (i18n/)
const MENU: ModeSpec = {
  get title() { return t().modeMenu; },
  bindings: [
    { keys: '⏎', get help() { return t().keyOpen; }, get bar() { return t().barOpen; }, match: (_, k) => k.return,
      run: (c) => { const l = c.lessons[c.state.menuSelected]; if (l) c.effects.openLesson(l); } },
    { keys: '↑/↓  k/j', get help() { return t().keyChooseLesson; }, get bar() { return t().barChoose; }, match: (i, k) => up(i, k) || down(i, k),
      run: (c, i, k) => c.dispatch({ type: 'menu/move', delta: up(i, k) ? -1 : 1, count: c.lessons.length }) },
    { keys: 'i', get help() { return t().keyInterview; }, get bar() { return t().barInterview; },
      match: (i) => i === 'i', run: (c) => c.dispatch({ type: 'mode', mode: 'interview' }) },
    { keys: 'r', get help() { return t().keyResume; }, match: (i) => i === 'r',
      run: (c) => { const l = c.lessons.find((x) => x.meta.id === c.state.progress.lastLesson); if (l) c.effects.openLesson(l); } },
    { keys: 'q  Esc', get help() { return t().keyQuit; }, get bar() { return t().barQuit; }, match: (i, k) => i === 'q' || k.escape, run: (c) => c.effects.exit() },
  ],
};

const paneKeys = PANES.map((_, i) => String(i + 1));

const LESSON: ModeSpec = {
  get title() { return t().modeLesson; },
  bindings: [
    { keys: '⏎', get help() { return t().keyRun; }, get bar() { return t().barRun; }, match: (_, k) => k.return, run: (c) => {
      const l = c.state.lesson!;
      if (running(c)) return;
      const e = l.entries[l.selected]!;
      if (e.kind === 'intro') c.dispatch({ type: 'lesson/select', index: l.selected + 1 });
      else if (e.step !== undefined) c.effects.runStep(e.step);
    } },
    { keys: '↑/↓  k/j', get help() { return t().keyChooseStep; }, get bar() { return t().barStep; }, match: (i, k) => up(i, k) || down(i, k),
      run: (c, i, k) => c.dispatch({ type: 'lesson/select', index: c.state.lesson!.selected + (up(i, k) ? -1 : 1) }) },
    { keys: 'n', get help() { return t().keyNext; }, match: (i) => i === 'n', run: (c) => c.dispatch({ type: 'lesson/next-step' }) },
    { keys: `tab  ${paneKeys.join(' ')}`, get help() { return t().keyPane(PANES.map((p) => p.label).join(', ')); }, get bar() { return t().barPane; },
      match: (i, k) => k.tab || paneKeys.includes(i),
      run: (c, i, k) => c.dispatch(k.tab ? { type: 'pane/cycle', delta: k.shift ? -1 : 1 } : { type: 'pane', pane: PANES[Number(i) - 1]!.id }) },
    { keys: 'PgUp/PgDn  b/space', get help() { return t().keyScroll; }, get bar() { return t().barScroll; },
      match: (i, k) => k.pageDown || k.pageUp || i === ' ' || i === 'b', run: (c, i, k) => {
        const forward = k.pageDown || i === ' ';
        // the trace pane counts back from its newest line, a page at a time; the others move block by block
        const delta = c.state.lesson!.pane === 'trace' ? (forward ? -1 : 1) * c.scroll.page : (forward ? 1 : -1);
        c.dispatch({ type: 'scroll', delta, max: c.scroll.max });
      } },
    { keys: 's', get help() { return t().keyShell; }, get bar() { return t().barShell; },
      match: (i) => i === 's', run: (c) => { if (!running(c)) c.effects.shell('container'); } },
    { keys: 'h', get help() { return t().keyHost; }, get bar() { return t().barHost; },
      match: (i) => i === 'h', run: (c) => { if (!running(c)) c.effects.shell('host'); } },
    { keys: 't', get help() { return t().keyTask; }, get bar() { return t().barTask; },
      match: (i) => i === 't', run: (c) => { if (!running(c)) c.dispatch({ type: 'mode', mode: 'task' }); } },
    { keys: 'q  Esc', get help() { return t().keyBack; }, get bar() { return t().barBack; },
      match: (i, k) => i === 'q' || k.escape, run: (c) => { if (!running(c, t().thenQ)) c.effects.leaveLesson(); } },
  ],
};

const shownOnly = () => false;
const noop = () => undefined;

const TASK: ModeSpec = {
  get title() { return t().modeTask; },
  ownsInput: true,
  bindings: [
    { keys: 'r', get help() { return t().keyTaskSetup; }, match: shownOnly, run: noop },
    { keys: 'h', get help() { return t().keyTaskHost; }, match: shownOnly, run: noop },
    { keys: '⏎', get help() { return t().keyTaskCheck; }, match: shownOnly, run: noop },
    { keys: 'n', get help() { return t().keyTaskHint; }, match: shownOnly, run: noop },
    { keys: 'S', get help() { return t().keyTaskSolution; }, match: shownOnly, run: noop },
    { keys: 'q  Esc', get help() { return t().keyTaskBack; }, match: shownOnly, run: noop },
  ],
};

const INTERVIEW: ModeSpec = {
  get title() { return t().modeInterview; },
  ownsInput: true,
  bindings: [
    { keys: '⏎  ↑/↓', get help() { return t().keyIvPick; }, match: shownOnly, run: noop },
    { get keys() { return t().typing; }, get help() { return t().keyIvTyping; }, match: shownOnly, run: noop },
    { keys: 'tab', get help() { return t().keyIvReveal; }, match: shownOnly, run: noop },
    { keys: 'p', get help() { return t().keyIvProof; }, match: shownOnly, run: noop },
    { keys: '1 2 3', get help() { return t().keyIvMark; }, match: shownOnly, run: noop },
    { keys: 'l', get help() { return t().keyIvLang; }, match: shownOnly, run: noop },
    { keys: 'q  Esc', get help() { return t().keyIvBack; }, match: shownOnly, run: noop },
  ],
};

/** Keys that work everywhere. */
export const GLOBAL: Binding[] = [
  { keys: '?', get help() { return t().keyHelp; }, get bar() { return t().barHelp; }, match: (i) => i === '?', run: (c) => c.dispatch({ type: 'help', open: true }) },
  { keys: 'l', get help() { return t().keyLang; }, get bar() { return t().barLang; }, match: (i) => i === 'l', run: (c) => {
    const lang = otherLang(c.state.lang);
    setLang(lang);
    c.dispatch({ type: 'lang', lang, lessons: c.lessonsIn?.(lang) ?? c.lessons });
  } },
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
  // `? help` always shows; the other global keys (l 中文) give way first
  const [help, ...otherGlobal] = GLOBAL.filter((b) => b.bar).map((b) => b.bar!);
  const middle = [...own.slice(1, own.length - last.length), ...extra, ...otherGlobal];
  const tail = [help!, ...last];
  const join = (xs: string[]) => [...main, ...xs, ...tail].join(' · ');
  while (middle.length > 0 && displayWidth(join(middle)) > width) middle.pop();
  return join(middle);
}
