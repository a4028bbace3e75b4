import React from 'react';
import { Box, Text } from 'ink';
import type { Lesson } from '../course/types.js';
import { blockCount, Markdown } from './markdown.js';
import { lessonCodeRenderer } from './LessonBlocks.js';
import { keyBar } from './modes.js';
import { EvidencePane, evidenceItems, TracePane } from './panes.js';
import { Spinner } from './Spinner.js';
import { PANES, type Entry, type LessonState } from './state.js';
import { traceRows } from './trace-view.js';
import { t } from '../i18n/index.js';

/** Where things go on a lesson screen of this size. */
export function lessonLayout(width: number, height: number) {
  const stepWidth = Math.max(18, Math.min(30, Math.floor(width * 0.3)));
  const contentWidth = Math.max(20, width - stepWidth - 2);
  const bodyHeight = Math.max(4, height - 3);
  return { stepWidth, contentWidth, bodyHeight, paneHeight: bodyHeight - 1 };
}

const traceOf = (l: LessonState) => {
  const e = l.entries[l.selected]!;
  const result = e.step !== undefined ? l.results[e.step] : undefined;
  return l.runningStep !== undefined || !result ? l.liveTrace : result.trace;
};

/** How far the focused pane scrolls (blocks, evidence items, trace rows back from the newest), and its page. */
export function scrollLimits(l: LessonState, height: number): { max: number; page: number } {
  const { paneHeight } = lessonLayout(0, height);
  const e = l.entries[l.selected]!;
  const result = e.step !== undefined ? l.results[e.step] : undefined;
  const page = Math.max(1, paneHeight - 2);
  if (l.pane === 'lesson') return { max: Math.max(0, blockCount(e.tokens) - 1), page };
  if (l.pane === 'evidence') return { max: result ? Math.max(0, evidenceItems(result, 5).length - 1) : 0, page };
  return { max: Math.max(0, traceRows(traceOf(l)).length - paneHeight), page };
}

export interface LessonViewProps {
  state: LessonState;
  /** steps done in this session or an earlier one */
  done: boolean[];
  width: number;
  height: number;
}

/** One lesson: step list, the panes, the status line. Draws LessonState; every change goes through the reducer. */
export function LessonView({ state: l, done, width, height }: LessonViewProps): React.ReactElement {
  const { lesson } = l;
  const { stepWidth, contentWidth, bodyHeight, paneHeight } = lessonLayout(width, height);
  const entry = l.entries[l.selected]!;
  const stepIndex = entry.kind === 'step' ? entry.step! : undefined;
  const result = stepIndex !== undefined ? l.results[stepIndex] : undefined;
  const running = l.runningStep !== undefined;
  const doneCount = lesson.steps.filter((s) => l.results[s.index]?.ok || done[s.index]).length;

  const mark = (e: Entry): React.ReactElement => {
    if (e.kind !== 'step') return <Text> </Text>;
    const s = e.step!;
    if (l.runningStep === s) return <Spinner />;
    const r = l.results[s];
    if (r) return <Text color={r.ok ? 'green' : 'red'}>{r.ok ? '✓' : '✗'}</Text>;
    if (done[s]) return <Text color="green" dimColor>✓</Text>;
    return <Text dimColor>·</Text>;
  };

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box flexDirection="row" width={width}>
        <Box flexGrow={1} flexShrink={1}><Text bold color="magentaBright" wrap="truncate-end">{`boxlab · ${lesson.meta.title}`}</Text></Box>
        <Box flexShrink={0} paddingLeft={1}><Text dimColor>{t().stepsAndMinutes(doneCount, lesson.steps.length, lesson.meta.minutes)}</Text></Box>
      </Box>
      <Box flexDirection="row" height={bodyHeight}>
        <Box flexDirection="column" width={stepWidth} borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false} borderColor="gray" overflow="hidden">
          {l.entries.map((e, i) => (
            <Box key={i} flexDirection="row">
              <Box width={2} flexShrink={0}>{mark(e)}</Box>
              <Text inverse={i === l.selected} bold={i === l.selected} wrap="truncate-end" dimColor={e.kind !== 'step' && i !== l.selected}>
                {e.kind === 'step' ? `${e.step! + 1} ${e.title}` : e.title}
              </Text>
            </Box>
          ))}
        </Box>
        <Box flexDirection="column" width={contentWidth} paddingLeft={1}>
          <Box flexDirection="row" height={1}>
            {PANES.map((p, i) => (
              <Text key={p.id} inverse={p.id === l.pane} color={p.id === l.pane ? 'cyanBright' : 'gray'}>{` ${i + 1} ${p.label} `}</Text>
            ))}
            {result && !running ? <Text color={result.ok ? 'green' : 'red'}>{`  ${result.ok ? t().passed : t().failed}`}</Text> : null}
          </Box>
          <Box flexDirection="column" height={paneHeight} overflow="hidden">
            {l.pane === 'lesson' ? <Markdown tokens={entry.tokens} width={contentWidth - 1} renderCode={lessonCodeRenderer(contentWidth - 1)} offset={l.offsets.lesson} /> : null}
            {l.pane === 'evidence' ? <EvidencePane result={result} height={paneHeight} offset={l.offsets.evidence} running={running} /> : null}
            {l.pane === 'trace' ? <TracePane events={traceOf(l)} height={paneHeight} offset={l.offsets.trace} /> : null}
          </Box>
        </Box>
      </Box>
      <Box height={1} width={width}>
        {running
          ? <Text wrap="truncate-end"><Spinner /> {t().running(l.runningStep! + 1, lesson.steps[l.runningStep!]?.title ?? '', l.runningStep! < (stepIndex ?? 0))}</Text>
          : l.message
            ? <Text wrap="truncate-end" {...(l.message.color !== undefined && { color: l.message.color })}>{l.message.text}</Text>
            : <Text dimColor wrap="truncate-end">{keyBar('lesson', width - 1)}</Text>}
      </Box>
    </Box>
  );
}

