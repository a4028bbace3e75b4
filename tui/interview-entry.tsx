import React from 'react';
import { render } from 'ink';
import { daemonTargetFromEnv, detectCgroupVersion, DEFAULT_SOCKET, type DaemonTarget } from '../course/env.js';
import type { Lang } from '../course/interview/bank.js';
import { loadInterview } from '../course/interview/commands.js';
import { progressFile } from '../course/progress.js';
import { DaemonTraceSource } from '../course/trace-source.js';
import { UserError } from '../engine/sys/errors.js';
import { langFromEnv, messages, setLang } from '../i18n/index.js';
import { InterviewView, settleInterviewProofs } from './InterviewView.js';
import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, SHOW_CURSOR, useTerminalSize } from './terminal.js';

export interface InterviewTuiOptions {
  target?: DaemonTarget;
  lang?: Lang;
  env?: NodeJS.ProcessEnv;
}

function Sized(props: Omit<React.ComponentProps<typeof InterviewView>, 'width' | 'height'>): React.ReactElement {
  const size = useTerminalSize();
  // one row less than the terminal: ink rewrites the whole screen when the frame is as tall as it
  return <InterviewView {...props} width={Math.max(40, size.columns)} height={Math.max(12, size.rows - 1)} />;
}

/**
 * `boxlab interview`: interview mode on its own screen. Resolves with the exit code once the learner leaves;
 * a proof still running is waited for, so its lesson is cleaned up and leaves nothing behind.
 */
export async function startInterviewTui(opts: InterviewTuiOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UserError(messages(langFromEnv(env)).ivNeedsTerminal);
  }
  setLang(langFromEnv(env));
  const { questions, lessons, diagnostics } = loadInterview({ io: { out: () => undefined, err: () => undefined }, env });
  const broken = new Set(diagnostics.filter((d) => d.line > 0).map((d) => d.file));
  const target = opts.target ?? daemonTargetFromEnv(env);
  const restore = () => {
    try {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdout.write(`${LEAVE_ALT_SCREEN}${SHOW_CURSOR}`);
    } catch { /* the terminal is gone */ }
  };
  process.stdout.write(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}`);
  process.on('exit', restore);
  const instance = render(
    <Sized
      questions={questions.filter((q) => !broken.has(q.file))}
      lessons={lessons}
      progressFile={progressFile(env)}
      sessionOptions={{ target, traceSource: new DaemonTraceSource(target.socket ?? DEFAULT_SOCKET), cgroup: detectCgroupVersion(env) }}
      {...(opts.lang !== undefined && { lang: opts.lang })}
      onLeave={() => instance.unmount()}
    />,
    { exitOnCtrlC: false, patchConsole: true },
  );
  const onSignal = () => instance.unmount();
  process.on('SIGHUP', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await instance.waitUntilExit();
    return 0;
  } finally {
    await settleInterviewProofs();
    restore();
    process.off('SIGHUP', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
