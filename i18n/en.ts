/**
 * The English messages every learner-facing screen and course command reads. zh-CN.ts has the same keys
 * (its type is this object's), so a key missing in a language is a compile error.
 */
export const en = {
  // the course commands (boxlab check / lessons / progress)
  checkStep: (n: number, replay: boolean) => `  step ${n}${replay ? ' (replay)' : ''}`,
  checkStopped: (error: string) => `step stopped: ${error}`,
  hint: 'hint:',
  skipped: (why: string) => `  skipped: ${why}`,
  notRun: (n: number) => `  ${n} step${n > 1 ? 's' : ''} not run after the failure`,
  cleanupFailed: (what: string) => `  ✗ cleanup failed: ${what}`,
  checkSummary: (ok: boolean, passed: number, total: number, lessons: number) =>
    `${ok ? 'PASS' : 'FAIL'}: ${passed}/${total} checks passed in ${lessons} lesson${lessons === 1 ? '' : 's'}`,
  noLessons: 'no lessons found',
  steps: 'steps',
  minutes: 'min',
  progressWritten: (file: string) => `progress written to ${file}`,

  // the TUI: lesson entries and panes
  introduction: 'Introduction',
  wrapUp: 'Wrap-up',
  stepHeading: (n: number, title: string) => `Step ${n}: ${title}`,
  paneLesson: 'Lesson',
  paneEvidence: 'Evidence',
  paneTrace: 'Trace',
  stepsAndMinutes: (done: number, total: number, minutes: number) => `${done}/${total} steps · ${minutes} min`,
  passed: '✓ passed',
  failed: '✗ failed',
  running: (n: number, title: string, replaying: boolean) => `running step ${n}: ${title}${replaying ? ' (replaying earlier steps first)' : ''}`,
  stepPassed: (n: number, checks: number, last: boolean) =>
    `✓ step ${n} passed (${checks}/${checks} checks)${last ? ' — lesson complete! q returns to the menu' : ' — n for the next step'}`,
  stepFailed: (n: number, passed: number, total: number) => `✗ step ${n} failed (${passed}/${total} checks) — the Evidence pane says what went wrong`,
  replayFailed: (ran: number, asked: number, why: string) => `✗ replaying step ${ran} failed, so step ${asked} could not run: ${why}`,
  aCheckFailed: 'a check failed',
  waitForStep: (then: string) => `a step is running — wait for it to finish${then}`,
  thenQ: ', then q',
  checksCount: (passed: number, total: number) => `  ${passed}/${total} checks`,
  moreLines: (n: number) => `… ${n} more lines`,
  observation: 'observation',
  differenceFromBefore: '  — difference from before:',
  noDifference: '  — no difference from before',
  evidenceRunning: 'running… the evidence appears here when the step is done',
  evidenceEmpty: 'Run the step (⏎) to see the evidence here.',
  traceEmpty: "No trace yet: it streams here while a step's boxlab commands run.",
  blockAction: '▶ action',
  blockObserve: '◉ observe',
  blockCapture: '⇢ capture',
  blockCheck: '✓ checks',
  blockCleanup: '♻ cleanup (before and after the lesson)',
  cleaningUp: 'cleaning up the lesson…',
  noShell: 'this lesson has no container to enter (h opens a host shell)',
  shellBanner: (ctr: string) => `boxlab: a shell inside container "${ctr}" — try hostname, ps, cat /proc/1/status; exit (or Ctrl-D) returns to the lesson`,
  backFromShell: (ctr: string) => `back from the shell in ${ctr}`,
  shellExited: (ctr: string, code: number) => `the shell in ${ctr} exited with ${code} — is the container running? Run the steps first.`,
  hostBanner: "boxlab: a host shell; boxlab on PATH talks to the lesson's daemon (try boxlab ps). exit returns to the lesson",
  backFromHost: (code: number) => `back from the host shell (exit ${code})`,

  // the trace pane's phase headings
  phaseDaemon: 'daemon',
  phaseApi: 'client → API',
  phaseCreate: 'create: record, rootfs layers, cgroup',
  phaseStart: 'start: init from the pool, cgroup join, veth moved in, maps',
  phasePool: 'warm pool: the next init made ahead (unshare, clone)',
  phaseInit: 'init, inside the namespaces: private /, overlay, binds, /proc, pivot_root, masks, caps, seccomp → exec',
  phaseExec: 'exec: a new process setns-es into the container, joins its cgroup, drops caps, seccomp → exec',
  phaseExit: 'wait/exit: the container is gone, its cgroup removed',

  needsTerminal: 'the boxlab course needs a terminal; without one use `boxlab lessons` and `boxlab check`',

  // the menu
  tagline: '— learn how containers work by running one',
  noLessonsTui: 'No lessons found. `boxlab lessons lint` says why.',
  first: (ids: string) => `first: ${ids}`,
  hidden: (n: number) => `${n} lesson file(s) have problems and are hidden — run boxlab lessons lint`,
  resume: (id: string, step: number) => `r resume ${id} (step ${step})`,
  welcome: "Welcome! Every step runs real containers here and shows the kernel's evidence. ? lists the keys.",
  doctorFine: '✓ doctor: this machine has what the lessons need',

  // the keys (tui/modes.tsx) and the help
  modeMenu: 'Menu',
  modeLesson: 'Lesson',
  modeInterview: 'Interview',
  keysTitle: (mode: string) => `Keys — ${mode}`,
  helpFoot: 'Each step runs real boxlab commands; the Trace pane shows the syscalls and host commands the engine made, '
    + 'grouped by phase, the Evidence pane what the kernel shows, and each check what it proves. Press any key.',
  keyCtrlC: 'quit at once (still cleans up)',
  keyOpen: 'open the lesson', barOpen: '⏎ open',
  keyChooseLesson: 'choose a lesson', barChoose: '↑↓ choose',
  keyInterview: 'interview practice: a question, your notes, Tab reveals, p runs the proof, 1/2/3 marks', barInterview: 'i interview',
  keyResume: 'resume where you left off',
  keyQuit: 'quit', barQuit: 'q quit',
  keyRun: 'run the chosen step', barRun: '⏎ run',
  keyChooseStep: 'choose a step', barStep: '↑↓ step',
  keyNext: 'next step',
  keyPane: (labels: string) => `switch pane: ${labels}`, barPane: 'tab pane',
  keyScroll: 'scroll the pane', barScroll: 'PgUp/PgDn scroll',
  keyShell: "shell in the lesson's container (exit returns)", barShell: 's shell',
  keyHost: 'host shell with boxlab on PATH (exit returns)', barHost: 'h host',
  keyBack: 'back to the menu (cleans the lesson up)', barBack: 'q back',
  keyIvPick: 'pick what is due, a random question, a mock interview, all, or a topic',
  keyIvTyping: 'your notes for the question on screen',
  keyIvReveal: 'reveal the model answer, key points, wrong answers, follow-ups',
  keyIvProof: 'run the proof live: evidence and checks',
  keyIvMark: 'mark: knew it / partly / not yet (spaced repetition)',
  keyIvLang: 'switch 中文 / English',
  keyIvBack: 'back',
  keyHelp: 'this help', barHelp: '? help',
  keyLang: 'switch the language: 中文 / English', barLang: 'l 中文',
  typing: 'typing',

  // doctor
  localeNoUtf8: (locale: string) => `the terminal's locale (${locale}) is not UTF-8, so Chinese text (--lang zh) shows as garbage`,
  localeFix: 'export LANG=zh_CN.UTF-8 (or en_US.UTF-8); on Debian: apt-get install locales, then dpkg-reconfigure locales',
};

type Widen<T> = { [K in keyof T]: T[K] extends (...a: infer A) => string ? (...a: A) => string : string };
export type Messages = Widen<typeof en>;
