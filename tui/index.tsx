import React from 'react';
import { render } from 'ink';
import { UserError } from '../engine/sys/errors.js';
import { daemonTargetFromEnv, detectCgroupVersion, lessonsDir as defaultLessonsDir, DEFAULT_SOCKET, type DaemonTarget } from '../course/env.js';
import { loadLessons } from '../course/lint.js';
import { progressFile } from '../course/progress.js';
import { DaemonTraceSource } from '../course/trace-source.js';
import { App } from './App.js';
import { SessionKeeper } from './session-keeper.js';
import { settleInterviewProofs } from './InterviewView.js';
import { dirname } from 'node:path';
import { firstRunNeeded, markFirstRun, runDoctor, essentialProblems } from '../engine/doctor/index.js';
import { langFromEnv, messages, setLang, type Lang } from '../i18n/index.js';
import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, SHOW_CURSOR } from './terminal.js';

/**
 * The first time `boxlab` opens for a learner: a welcome line and doctor's essential problems (each with its
 * fix), shown on the menu. Later runs skip it; `boxlab doctor` shows everything any time.
 */
async function firstRunWelcome(stateDir: string, stateRoot: string | undefined, lang: Lang): Promise<string[] | undefined> {
  if (!firstRunNeeded(stateDir)) return undefined;
  const report = await runDoctor(stateRoot ? { stateRoot } : {});
  markFirstRun(stateDir);
  const problems = essentialProblems(report);
  const m = messages(lang);
  return [
    m.welcome,
    ...(problems.length === 0 ? [m.doctorFine]
      : problems.map((c) => `✗ ${c.title}: ${c.detail}${c.fix ? ` — ${c.fix}` : ''}`)),
  ];
}

export interface TuiOptions {
  lessonsDir?: string;
  env?: NodeJS.ProcessEnv;
  /** daemon to use; defaults to BOXLAB_SOCKET/BOXLAB_ROOT, then the CLI's defaults */
  target?: DaemonTarget;
  /** open this lesson directly (`boxlab learn 01-uts`) */
  lesson?: string;
}

/**
 * The `boxlab` TUI. Resolves with the exit code once the learner quits. Whatever happens (q, Ctrl-C,
 * an exception) the terminal gets its main screen, cursor and cooked mode back, and the open lesson is
 * cleaned up so no container is left behind.
 */
export async function startTui(opts: TuiOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UserError(messages(langFromEnv(env)).needsTerminal);
  }
  const lang = langFromEnv(env);
  setLang(lang);
  const dir = opts.lessonsDir ?? defaultLessonsDir(env);
  const { lessons, diagnostics } = loadLessons(dir);
  const broken = new Set(diagnostics.map((d) => d.file));
  const usable = lessons.filter((l) => !broken.has(l.file));
  // both languages are loaded up front: l switches at once, mid-lesson too
  const zh = loadLessons(dir, { lang: 'zh' }).lessons.filter((l) => !broken.has(l.file));
  const lessonsIn = (l: Lang) => (l === 'zh' ? zh : usable);
  const target = opts.target ?? daemonTargetFromEnv(env);

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdout.write(`${LEAVE_ALT_SCREEN}${SHOW_CURSOR}`);
    } catch { /* the terminal is gone (SIGHUP): nothing to restore */ }
  };
  let fatal = false;
  const onFatal = (err: unknown) => {
    // once is enough: with the terminal gone, reporting the error fails too and would loop
    if (fatal) return;
    fatal = true;
    try { instance.unmount(); } catch { /* already unmounted */ }
    restore();
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code !== 'EIO' && code !== 'EPIPE') {
      try { process.stderr.write(`boxlab: ${(err as Error)?.stack ?? String(err)}\n`); } catch { /* nowhere to say it */ }
    }
    process.exitCode = 1;
  };
  // a vanished terminal makes writes fail with EIO: stop drawing, clean up, leave
  const onOutputError = (err: unknown) => onFatal(err);
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', () => { /* nowhere left to report to */ });
  const welcome = await firstRunWelcome(dirname(progressFile(env)), target.root, lang);
  process.stdout.write(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}`);
  process.on('exit', restore);
  // a closed terminal (SIGHUP) or a kill (SIGTERM) still ends through unmount, so the lesson is cleaned up
  const onSignal = () => instance.unmount();
  process.on('SIGHUP', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  const sessionOptions = { target, traceSource: new DaemonTraceSource(target.socket ?? DEFAULT_SOCKET), cgroup: detectCgroupVersion(env) };
  const sessions = new SessionKeeper(sessionOptions);
  const instance = render(
    <App
      lessons={usable}
      lang={lang}
      lessonsIn={lessonsIn}
      hidden={broken.size}
      progressFile={progressFile(env)}
      sessionOptions={sessionOptions}
      sessions={sessions}
      {...(opts.lesson !== undefined && { initialLesson: opts.lesson })}
      {...(welcome && { welcome })}
    />,
    { exitOnCtrlC: true, patchConsole: true },
  );
  try {
    await instance.waitUntilExit();
    return 0;
  } catch (e) {
    onFatal(e);
    return 1;
  } finally {
    restore();
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
    process.off('SIGHUP', onSignal);
    process.stdout.off('error', onOutputError);
    process.off('SIGTERM', onSignal);
    await settleInterviewProofs();
    // a step interrupted by Ctrl-C may still have a command running; it gets 10 s to finish before the cleanup
    const failures = await sessions.close(10_000);
    try {
      for (const f of failures) process.stderr.write(`boxlab: cleanup: ${f}\n`);
    } catch { /* terminal gone */ }
  }
}
