import React, { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import type { Token } from 'marked';
import type { TraceEvent } from '../engine/sys/trace.js';
import { LessonSession, type SessionOptions, type StepResult } from '../course/runner.js';
import type { Lesson } from '../course/types.js';
import { blockCount, Markdown } from './markdown.js';
import { lessonCodeRenderer } from './LessonBlocks.js';
import { EvidencePane, evidenceItems, TracePane } from './panes.js';
import { Spinner } from './Spinner.js';
import { TaskView } from './TaskView.js';
import { useLatestInput } from './terminal.js';

export type Pane = 'lesson' | 'evidence' | 'trace';
const PANES: Pane[] = ['lesson', 'evidence', 'trace'];
const PANE_LABEL: Record<Pane, string> = { lesson: '1 Lesson', evidence: '2 Evidence', trace: '3 Trace' };

interface Entry {
  kind: 'intro' | 'step' | 'outro';
  title: string;
  step?: number;
  tokens: Token[];
}

function entriesOf(lesson: Lesson): Entry[] {
  const out: Entry[] = [];
  if (blockCount(lesson.intro) > 0) out.push({ kind: 'intro', title: 'Introduction', tokens: lesson.intro });
  for (const s of lesson.steps) {
    const heading = { type: 'heading', depth: 2, raw: '', text: `Step ${s.index + 1}: ${s.title}`, tokens: [{ type: 'text', raw: '', text: `Step ${s.index + 1}: ${s.title}` }] } as unknown as Token;
    out.push({ kind: 'step', title: s.title, step: s.index, tokens: [heading, ...s.tokens] });
  }
  if (blockCount(lesson.outro) > 0) out.push({ kind: 'outro', title: 'Wrap-up', tokens: lesson.outro });
  return out;
}

export interface LessonViewProps {
  lesson: Lesson;
  width: number;
  height: number;
  sessionOptions: SessionOptions;
  /** steps done in earlier sessions (from the progress file) */
  doneBefore: boolean[];
  /** step to select first (resume) */
  startStep: number;
  onStepEnd: (result: StepResult) => void;
  onSession: (s: LessonSession) => void;
  /** leave the lesson: the caller cleans the session up */
  onLeave: () => void;
  onShell: (which: 'container' | 'host', session: LessonSession) => string;
  onHelp: () => void;
  active: boolean;
}

/** One lesson: step list, the Lesson/Evidence/Trace panes, running steps and shells. */
export function LessonView(props: LessonViewProps): React.ReactElement {
  const { lesson, width, height } = props;
  const entries = useMemo(() => entriesOf(lesson), [lesson]);
  const firstStepEntry = entries.findIndex((e) => e.kind === 'step' && e.step === props.startStep);
  const [selected, setSelected] = useState(firstStepEntry > 0 && props.startStep > 0 ? firstStepEntry : 0);
  const [pane, setPane] = useState<Pane>('lesson');
  const [offsets, setOffsets] = useState<Record<Pane, number>>({ lesson: 0, evidence: 0, trace: 0 });
  const [runningStep, setRunningStep] = useState<number | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; color?: string } | undefined>(undefined);
  const [liveTrace, setLiveTrace] = useState<TraceEvent[]>([]);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  // `t` opens the lesson's tasks (tui/TaskView.tsx) in place of the panes; q there comes back
  const [tasksOpen, setTasksOpen] = useState(false);
  const sessionRef = useRef<LessonSession | undefined>(undefined);
  const onStepEndRef = useRef(props.onStepEnd);
  onStepEndRef.current = props.onStepEnd;

  if (!sessionRef.current) {
    sessionRef.current = new LessonSession(lesson, {
      ...props.sessionOptions,
      onEvent: (e) => {
        if (e.type === 'trace') setLiveTrace((t) => (t.length > 2000 ? [...t.slice(-1500), e.event] : [...t, e.event]));
        if (e.type === 'step-start') setRunningStep(e.step);
        if (e.type === 'step-end') onStepEndRef.current(e.result);
        bump();
      },
    });
  }
  const session = sessionRef.current;
  useEffect(() => { props.onSession(session); }, [session]); // eslint-disable-line react-hooks/exhaustive-deps

  const entry = entries[selected]!;
  const stepIndex = entry.kind === 'step' ? entry.step! : undefined;
  const result = stepIndex !== undefined ? session.results[stepIndex] : undefined;
  const running = runningStep !== undefined;

  const stepWidth = Math.max(18, Math.min(30, Math.floor(width * 0.3)));
  const contentWidth = Math.max(20, width - stepWidth - 2);
  const bodyHeight = Math.max(4, height - 3);
  const paneHeight = bodyHeight - 1;

  const select = (i: number) => {
    setSelected(Math.max(0, Math.min(entries.length - 1, i)));
    setOffsets({ lesson: 0, evidence: 0, trace: 0 });
  };

  const run = useCallback(async (index: number) => {
    if (session.running) return;
    setMessage(undefined);
    setLiveTrace([]);
    setPane('trace');
    setOffsets({ lesson: 0, evidence: 0, trace: 0 });
    try {
      const r = await session.runStep(index);
      const asked = session.results[index];
      if (r.index !== index) setMessage({ text: `✗ replaying step ${r.index + 1} failed, so step ${index + 1} could not run: ${r.error ?? 'a check failed'}`, color: 'red' });
      else if (asked?.ok) setMessage({ text: `✓ step ${index + 1} passed (${asked.checks.length}/${asked.checks.length} checks)${index + 1 < lesson.steps.length ? ' — n for the next step' : ' — lesson complete! q returns to the menu'}`, color: 'green' });
      else setMessage({ text: `✗ step ${index + 1} failed (${asked?.checks.filter((c) => c.passed).length ?? 0}/${asked?.checks.length ?? 0} checks) — the Evidence pane says what went wrong`, color: 'red' });
      if (r.index !== index) {
        const e = entries.findIndex((x) => x.step === r.index);
        if (e >= 0) setSelected(e);
      }
      setPane('evidence');
    } catch (e) {
      setMessage({ text: `✗ ${(e as Error).message}`, color: 'red' });
    } finally {
      setRunningStep(undefined);
    }
  }, [session, entries, lesson.steps.length]);

  const scrollMax = (p: Pane): number => {
    if (p === 'lesson') return Math.max(0, blockCount(entry.tokens) - 1);
    if (p === 'evidence') return result ? Math.max(0, evidenceItems(result, 5).length - 1) : 0;
    return Math.max(0, (result && !running ? result.trace : liveTrace).length - paneHeight);
  };
  const scroll = (delta: number) => {
    setOffsets((o) => {
      // the trace pane counts back from its newest line
      const d = pane === 'trace' ? -delta * Math.max(1, paneHeight - 2) : delta;
      return { ...o, [pane]: Math.max(0, Math.min(scrollMax(pane), o[pane] + d)) };
    });
  };

  useLatestInput((input, key) => {
    if (!props.active || tasksOpen) return;
    if (input === 't' && !running) { setTasksOpen(true); return; }
    if (input === '?') { props.onHelp(); return; }
    if (key.upArrow || input === 'k') { select(selected - 1); return; }
    if (key.downArrow || input === 'j') { select(selected + 1); return; }
    if (key.tab) { setPane(PANES[(PANES.indexOf(pane) + (key.shift ? 2 : 1)) % 3]!); return; }
    if (input === '1' || input === '2' || input === '3') { setPane(PANES[Number(input) - 1]!); return; }
    if (key.pageDown || input === ' ') { scroll(1); return; }
    if (key.pageUp || input === 'b') { scroll(-1); return; }
    if (input === 'n') {
      const next = entries.findIndex((e, i) => i > selected && e.kind === 'step');
      if (next >= 0) { select(next); setPane('lesson'); }
      return;
    }
    if (key.return) {
      if (running) { setMessage({ text: 'a step is running — wait for it to finish', color: 'yellow' }); return; }
      if (entry.kind === 'intro') { select(selected + 1); return; }
      if (stepIndex !== undefined) void run(stepIndex);
      return;
    }
    if (input === 's' || input === 'h') {
      if (running) { setMessage({ text: 'a step is running — wait for it to finish', color: 'yellow' }); return; }
      setMessage({ text: props.onShell(input === 's' ? 'container' : 'host', session) });
      return;
    }
    if (input === 'q' || key.escape) {
      if (running) { setMessage({ text: 'a step is running — wait for it to finish, then q', color: 'yellow' }); return; }
      props.onLeave();
    }
  });

  const mark = (e: Entry, i: number): React.ReactElement => {
    if (e.kind !== 'step') return <Text> </Text>;
    const s = e.step!;
    if (runningStep === s) return <Spinner />;
    const r = session.results[s];
    if (r) return <Text color={r.ok ? 'green' : 'red'}>{r.ok ? '✓' : '✗'}</Text>;
    if (props.doneBefore[s]) return <Text color="green" dimColor>✓</Text>;
    void i;
    return <Text dimColor>·</Text>;
  };

  if (tasksOpen) return <TaskView lesson={lesson} width={width} height={height} sessionOptions={props.sessionOptions} onShell={() => props.onShell('host', session)} onClose={() => setTasksOpen(false)} active={props.active} />;
  const traceEvents = running || !result ? liveTrace : result.trace;
  const doneCount = lesson.steps.filter((s) => session.results[s.index]?.ok || props.doneBefore[s.index]).length;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box flexDirection="row" width={width}>
        <Box flexGrow={1} flexShrink={1}><Text bold color="magentaBright" wrap="truncate-end">{`boxlab · ${lesson.meta.title}`}</Text></Box>
        <Box flexShrink={0} paddingLeft={1}><Text dimColor>{`${doneCount}/${lesson.steps.length} steps · ${lesson.meta.minutes} min`}</Text></Box>
      </Box>
      <Box flexDirection="row" height={bodyHeight}>
        <Box flexDirection="column" width={stepWidth} borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false} borderColor="gray" overflow="hidden">
          {entries.map((e, i) => (
            <Box key={i} flexDirection="row">
              <Box width={2} flexShrink={0}>{mark(e, i)}</Box>
              <Text inverse={i === selected} bold={i === selected} wrap="truncate-end" dimColor={e.kind !== 'step' && i !== selected}>
                {e.kind === 'step' ? `${e.step! + 1} ${e.title}` : e.title}
              </Text>
            </Box>
          ))}
        </Box>
        <Box flexDirection="column" width={contentWidth} paddingLeft={1}>
          <Box flexDirection="row" height={1}>
            {PANES.map((p) => (
              <Text key={p} inverse={p === pane} color={p === pane ? 'cyanBright' : 'gray'}>{` ${PANE_LABEL[p]} `}</Text>
            ))}
            {result && !running ? <Text color={result.ok ? 'green' : 'red'}>{`  ${result.ok ? '✓ passed' : '✗ failed'}`}</Text> : null}
          </Box>
          <Box flexDirection="column" height={paneHeight} overflow="hidden">
            {pane === 'lesson' ? <Markdown tokens={entry.tokens} width={contentWidth - 1} renderCode={lessonCodeRenderer(contentWidth - 1)} offset={offsets.lesson} /> : null}
            {pane === 'evidence' ? <EvidencePane result={result} height={paneHeight} offset={offsets.evidence} running={running} /> : null}
            {pane === 'trace' ? <TracePane events={traceEvents} height={paneHeight} offset={offsets.trace} /> : null}
          </Box>
        </Box>
      </Box>
      <Box height={1} width={width}>
        {running
          ? <Text wrap="truncate-end"><Spinner /> {`running step ${runningStep! + 1}: ${lesson.steps[runningStep!]?.title ?? ''}${runningStep! < (stepIndex ?? 0) ? ' (replaying earlier steps first)' : ''}`}</Text>
          : message
            ? <Text wrap="truncate-end" {...(message.color !== undefined && { color: message.color })}>{message.text}</Text>
            : <Text dimColor wrap="truncate-end">⏎ run step · ↑↓ choose · tab pane · PgUp/PgDn scroll · s shell · h host shell · ? help · q back</Text>}
      </Box>
    </Box>
  );
}
