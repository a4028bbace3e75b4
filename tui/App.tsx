import React, { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { Box, Text, useApp } from 'ink';
import { binDir } from '../course/env.js';
import { findLesson } from '../course/find-lesson.js';
import { journalStep } from '../course/journal.js';
import { loadProgress, saveProgress } from '../course/progress.js';
import type { LessonSession, SessionOptions } from '../course/runner.js';
import type { Lesson } from '../course/types.js';
import { Help } from './Help.js';
import { InterviewMode } from './InterviewView.js';
import { TaskView } from './TaskView.js';
import { LessonView, scrollLimits } from './LessonView.js';
import { Menu } from './Menu.js';
import { dispatchKey, MODES, type Effects } from './modes.js';
import { SessionKeeper } from './session-keeper.js';
import { doneSteps, initialState, reduce } from './state.js';
import { messages, setLang, type Lang } from '../i18n/index.js';
import { handOverTerminal, useLatestInput, useTerminalSize, type TerminalHandOver } from './terminal.js';

export interface AppProps {
  lessons: Lesson[];
  /** lesson files with lint problems, left out of the menu */
  hidden?: number;
  progressFile: string;
  /** how lesson sessions run (used when no `sessions` keeper is given) */
  sessionOptions: SessionOptions;
  /** the holder of the open lesson's session; startTui passes its own so it can clean up on exit */
  sessions?: SessionKeeper;
  /** fixed size (tests); otherwise the terminal's, following resizes */
  size?: { columns?: number; rows?: number };
  handOver?: TerminalHandOver;
  /** open this lesson right away */
  initialLesson?: string;
  /** first run only: welcome lines shown on the menu */
  welcome?: string[];
  /** the language to start in; `l` switches */
  lang?: Lang;
  /** the course in a language; absent: `lessons` in every language */
  lessonsIn?: (lang: Lang) => Lesson[];
}


export function App(props: AppProps): React.ReactElement {
  const { exit } = useApp();
  const size = useTerminalSize(props.size);
  // Ink rewrites the whole screen when the frame is as tall as the terminal; one row less avoids flicker
  const width = Math.max(40, size.columns);
  const height = Math.max(12, size.rows - 1);
  const keeper = useMemo(() => props.sessions ?? new SessionKeeper(props.sessionOptions), []); // eslint-disable-line react-hooks/exhaustive-deps
  const lessonsIn = (lang: Lang) => props.lessonsIn?.(lang) ?? props.lessons;
  const [state, dispatch] = useReducer(reduce, undefined, () => {
    setLang(props.lang ?? 'en');
    const start = lessonsIn(props.lang ?? 'en');
    return initialState(loadProgress(props.progressFile), start, props.initialLesson ? findLesson(start, props.initialLesson) : undefined, props.lang ?? 'en');
  });
  // the messages of every component below follow the language on screen (i18n/index.ts)
  setLang(state.lang);
  const lessons = lessonsIn(state.lang);
  const handOver = props.handOver ?? handOverTerminal;

  const listen = useCallback((lesson: Lesson): LessonSession => keeper.open(lesson, (e) => {
    if (e.type === 'trace') dispatch({ type: 'step/trace', event: e.event });
    else if (e.type === 'step-start') dispatch({ type: 'step/start', step: e.step });
    else if (e.type === 'step-end') {
      dispatch({ type: 'step/end', result: e.result });
      // a classroom client (if one joined) hears of steps run here as it does of `boxlab check`
      journalStep(lesson.meta.id, e.result);
    }
  }), [keeper]);

  // a lesson opened from the command line has its session from the first frame
  const opened = useRef(false);
  if (!opened.current) {
    opened.current = true;
    if (state.lesson && !keeper.current) listen(state.lesson.lesson);
  }

  // progress is saved whenever a step ends (the reducer records it)
  const savedProgress = useRef(state.progress);
  useEffect(() => {
    if (state.progress === savedProgress.current) return;
    savedProgress.current = state.progress;
    try { saveProgress(props.progressFile, state.progress); } catch { /* a read-only home must not stop the lesson */ }
  }, [state.progress, props.progressFile]);

  const shellMessage = (which: 'container' | 'host', session: LessonSession): string => {
    const m = messages(state.lang);
    const env = session.commandEnv;
    if (which === 'container') {
      const ctr = session.lesson.meta.shell;
      if (!ctr) return m.noShell;
      const code = handOver(`${binDir()}/boxlab`, ['exec', '-it', ctr, 'sh'], {
        env, raw: true, banner: m.shellBanner(ctr),
      });
      return code === 0 || code === 130 ? m.backFromShell(ctr) : m.shellExited(ctr, code);
    }
    const sh = process.env.SHELL || '/bin/sh';
    const code = handOver(sh, [], {
      env, banner: m.hostBanner,
    });
    return m.backFromHost(code);
  };

  const effects: Effects = {
    openLesson(lesson) {
      listen(lesson);
      dispatch({ type: 'lesson/open', lesson });
    },
    leaveLesson() {
      dispatch({ type: 'busy', text: messages(state.lang).cleaningUp });
      void keeper.close().finally(() => dispatch({ type: 'lesson/closed' }));
    },
    runStep(index) {
      const session = keeper.current;
      if (!session || session.running) return;
      dispatch({ type: 'step/run' });
      session.runStep(index)
        .then((r) => dispatch({ type: 'step/done', asked: index, ran: r.index }))
        .catch((e: unknown) => dispatch({ type: 'step/done', asked: index, ran: index, error: (e as Error).message }))
        .finally(() => dispatch({ type: 'step/idle' }));
    },
    shell(which) {
      const session = keeper.current;
      if (session) dispatch({ type: 'message', message: { text: shellMessage(which, session) } });
    },
    exit,
  };

  useLatestInput((input, key) => dispatchKey({
    state, dispatch, effects, lessons, lessonsIn, session: keeper.current,
    scroll: state.lesson ? scrollLimits(state.lesson, height) : { max: 0, page: 1 },
  }, input, key));

  let body: React.ReactElement;
  const mode = MODES[state.mode];
  if (state.busy) body = <Box height={height}><Text color="yellow">{state.busy}</Text></Box>;
  else if (mode.render) body = mode.render({ state, dispatch, width, height });
  else if (state.mode === 'interview') {
    // the interview view reads its own keys (the learner types notes there) and keeps its own screen state
    body = <InterviewMode lang={state.lang} lessons={lessons} progressFile={props.progressFile} sessionOptions={props.sessionOptions} width={width} height={height}
      active={!state.help} onLeave={() => { dispatch({ type: 'progress', progress: loadProgress(props.progressFile) }); dispatch({ type: 'mode', mode: 'menu' }); }} />;
  } else if (state.mode === 'task' && state.lesson) {
    // the task view reads its own keys and runs its checks through its own one-step sessions
    body = <TaskView lesson={state.lesson.lesson} width={width} height={height} sessionOptions={props.sessionOptions} active={!state.help}
      onShell={() => { const s = keeper.current; return s ? shellMessage('host', s) : undefined; }}
      onClose={() => dispatch({ type: 'mode', mode: 'lesson' })} />;
  } else if (state.mode === 'lesson' && state.lesson) body = <LessonView state={state.lesson} done={doneSteps(state)} width={width} height={height} />;
  else {
    body = <Menu lessons={lessons} progress={state.progress} selected={state.menuSelected} width={width} height={height}
      hidden={props.hidden ?? 0} {...(props.welcome && { welcome: props.welcome })} />;
  }

  // the lesson stays mounted under the help so its panes keep their place
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box display={state.help ? 'none' : 'flex'} flexDirection="column">{body}</Box>
      {state.help ? <Help width={width} mode={state.mode} /> : null}
    </Box>
  );
}
