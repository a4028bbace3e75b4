import React, { useMemo, useState } from 'react';
import { Box, Text } from 'ink';
import { DEFAULT_ROOT, DEFAULT_SOCKET, detectCgroupVersion } from '../course/env.js';
import type { SessionOptions } from '../course/runner.js';
import { drawParams } from '../course/tasks/params.js';
import { parseTasksFile, tasksFileOf } from '../course/tasks/parse.js';
import { learnerSeed, taskProgress, updateTaskProgress } from '../course/tasks/progress.js';
import { checkTask, fillText, goalTokens, solutionText, startTask, type TaskCheckReport } from '../course/tasks/run.js';
import type { TaskFile } from '../course/tasks/types.js';
import type { Lesson } from '../course/types.js';
import { t } from '../i18n/index.js';
import { Markdown } from './markdown.js';
import { Spinner } from './Spinner.js';
import { useLatestInput } from './terminal.js';

export interface TaskViewProps {
  lesson: Lesson;
  width: number;
  height: number;
  sessionOptions: SessionOptions;
  /** opens the host shell (the lesson view's `h`); may return the line to show when the learner is back */
  onShell: () => string | void;
  onClose: () => void;
  active: boolean;
}

function load(lesson: Lesson): { file?: TaskFile; problem?: string } {
  const path = tasksFileOf(lesson.dir);
  if (!path) return { problem: t().taskNone };
  const r = parseTasksFile(path);
  if (!r.tasks || r.diagnostics.length > 0) return { problem: t().taskFileProblems(path) };
  return { file: r.tasks };
}

/**
 * A lesson's tasks: the goal with this learner's values, the checks of the last attempt one by one (what each
 * looked at and found), the hint ladder, and the solution after `solution_after` attempts or on request
 * (S twice). The learner works in the host shell (h) and comes back to check (⏎).
 */
export function TaskView(props: TaskViewProps): React.ReactElement {
  const { lesson, width, height } = props;
  const { file, problem } = useMemo(() => load(lesson), [lesson]);
  const [index, setIndex] = useState(0);
  const [reports, setReports] = useState<Record<number, TaskCheckReport>>({});
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; color?: string } | undefined>(undefined);
  const [askSolution, setAskSolution] = useState(false);
  const [, setTick] = useState(0);
  const task = file?.tasks[index];
  const cgroup = props.sessionOptions.cgroup ?? detectCgroupVersion();
  const params = useMemo(() => (task ? drawParams(task.params, learnerSeed(), `${lesson.meta.id}\0${task.title}`) : new Map<string, string>()), [task, lesson.meta.id]);
  const shown = useMemo(() => new Map([
    ['boxlab.socket', props.sessionOptions.target?.socket ?? DEFAULT_SOCKET], ['boxlab.root', props.sessionOptions.target?.root ?? DEFAULT_ROOT], ...params,
  ]), [params, props.sessionOptions.target]);
  const record = task ? taskProgress(lesson.meta.id, task.title) : undefined;
  const report = reports[index];
  const solutionOpen = record?.solutionShownAt !== undefined || (record?.attempts ?? 0) >= (file?.solutionAfter ?? 3);
  const update = (change: Parameters<typeof updateTaskProgress>[2]) => {
    if (!task) return;
    try { updateTaskProgress(lesson.meta.id, task.title, change); } catch { /* a read-only home must not stop the task */ }
    setTick((t) => t + 1);
  };

  const act = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setMessage(undefined);
    try { await fn(); } catch (e) { setMessage({ text: `✗ ${(e as Error).message}`, color: 'red' }); } finally { setBusy(undefined); }
  };

  useLatestInput((input, key) => {
    if (!props.active) return;
    if (busy) { if (input === 'q' || key.escape) setMessage({ text: t().taskWait, color: 'yellow' }); return; }
    if (input === 'q' || key.escape) { props.onClose(); return; }
    if (!file || !task) return;
    if (input !== 'S') setAskSolution(false);
    if (key.leftArrow || key.rightArrow) { setIndex((i) => Math.max(0, Math.min(file.tasks.length - 1, i + (key.leftArrow ? -1 : 1)))); return; }
    if (input === 'h') { setMessage({ text: props.onShell() ?? t().taskBackFromHost }); return; }
    if (input === 'r') {
      void act(t().taskSettingScene, async () => {
        const r = await startTask(file, task, params, props.sessionOptions);
        setReports((x) => { const y = { ...x }; delete y[index]; return y; });
        setMessage(r && !r.ok ? { text: t().taskSetupFailed(r.error ?? ''), color: 'red' } : { text: t().taskReady, color: 'green' });
      });
      return;
    }
    if (key.return || input === 'c') {
      void act(t().taskChecking, async () => {
        const r = await checkTask(file, task, params, props.sessionOptions);
        setReports((x) => ({ ...x, [index]: r }));
        update((t) => {
          t.attempts += 1;
          t.checksPassed = r.passed;
          t.checksTotal = r.total;
          if (r.solved) t.solvedAt ??= new Date().toISOString();
        });
        setMessage(r.solved ? { text: t().taskSolved(r.passed, r.total), color: 'green' } : { text: t().taskNotSolved(r.passed, r.total), color: 'red' });
      });
      return;
    }
    if (input === 'n') { update((t) => { t.hints = Math.min(t.hints + 1, task.hints.length); }); return; }
    if (input === 'S') {
      if (!solutionOpen && !askSolution) { setAskSolution(true); setMessage({ text: t().taskAskSolution, color: 'yellow' }); return; }
      setAskSolution(false);
      update((t) => { t.solutionShownAt ??= new Date().toISOString(); });
      setMessage(undefined);
    }
  });

  if (!file || !task) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold color="magentaBright">{t().taskTitleOf(lesson.meta.title)}</Text>
        <Text>{problem}</Text>
        <Text dimColor>{t().taskBackToLesson}</Text>
      </Box>
    );
  }

  const hints = task.hints.slice(0, record?.hints ?? 0);
  const solution = record?.solutionShownAt !== undefined ? solutionText(task, shown, cgroup) : undefined;
  const inner = width - 2;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box flexDirection="row" width={width}>
        <Box flexGrow={1} flexShrink={1}><Text bold color="magentaBright" wrap="truncate-end">{t().taskTitle(index + 1, file.tasks.length, task.title)}</Text></Box>
        <Box flexShrink={0} paddingLeft={1}><Text dimColor>{t().taskStatus(record?.solvedAt !== undefined, record?.attempts ?? 0, hints.length, task.hints.length)}</Text></Box>
      </Box>
      <Box flexDirection="column" paddingLeft={1} width={width}>
        <Markdown tokens={goalTokens(task, shown)} width={inner} />
        {params.size > 0 ? <Text color="cyan" wrap="wrap">{t().taskYourValues([...params].map(([k, v]) => `${k}=${v}`).join('  '))}</Text> : null}
        {report ? (
          <Box flexDirection="column" marginTop={1}>
            <Text bold>{t().taskChecks(report.passed, report.total)}</Text>
            {report.checks.map((c, i) => (
              <Box key={i} flexDirection="column">
                <Text wrap="wrap"><Text color={c.passed ? 'green' : 'red'}>{c.passed ? '✓ ' : '✗ '}</Text>{c.proves}</Text>
                {c.passed ? null : <Text dimColor wrap="wrap">{[t().taskLookedAt(c.lookedAt), t().taskFound(c.found), ...(c.hint ? [t().taskHintLine(c.hint)] : [])].join('\n')}</Text>}
              </Box>
            ))}
          </Box>
        ) : null}
        {hints.length > 0 ? (
          <Box flexDirection="column" marginTop={1}>
            {hints.map((h, i) => <Text key={i} color="yellow" wrap="wrap">{t().taskHint(i + 1, task.hints.length, fillText(h, shown))}</Text>)}
          </Box>
        ) : null}
        {solution ? (
          <Box flexDirection="column" marginTop={1}>
            <Text bold>{t().taskSolution}</Text>
            {solution.map((l, i) => <Text key={i} color="cyan" wrap="wrap">{`  $ ${l}`}</Text>)}
          </Box>
        ) : null}
      </Box>
      <Box flexGrow={1} />
      {busy ? <Box><Spinner /><Text>{` ${busy}`}</Text></Box> : message ? <Text color={message.color} wrap="truncate-end">{message.text}</Text> : null}
      <Text dimColor wrap="truncate-end">{t().taskBar(task.setup.length > 0, !solutionOpen, file.tasks.length > 1)}</Text>
    </Box>
  );
}
