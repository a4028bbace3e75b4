import React from 'react';
import { Box, Text } from 'ink';
import { lessonStatus, resumeStep, STATUS_MARK, stepsDone, type Progress } from '../course/progress.js';
import type { Lesson } from '../course/types.js';
import { keyBar } from './modes.js';
import { displayWidth, wrapWords } from './text.js';
import { t } from '../i18n/index.js';

const MARK_COLOR = { new: 'gray', started: 'yellow', done: 'green' } as const;

export interface MenuProps {
  lessons: Lesson[];
  progress: Progress;
  selected: number;
  width: number;
  height: number;
  hidden: number;
  /** first run only: a welcome and what doctor found missing on this machine */
  welcome?: string[];
}

// columns of a lesson row; the title takes what is left. A row stays one column short of the screen: a line
// as wide as the terminal makes some terminals wrap, and the list below it shifts by a row.
const COL = { cursor: 2, mark: 2, done: 6 };
const SUMMARY_LINES = 2;

/** The lesson list: progress mark, id, title, minutes, steps done; the selected lesson's summary below. */
export function Menu({ lessons, progress, selected, width, height, hidden, welcome = [] }: MenuProps): React.ReactElement {
  const rowWidth = width - 1;
  // "  10 min" / "  10 分钟": the unit's display width decides the column's
  const minutesWidth = 5 + displayWidth(t().minutes);
  const FIXED = COL.cursor + COL.mark + minutesWidth + COL.done;
  const welcomeLines = welcome.map((line) => wrapWords(line, rowWidth));
  const welcomeCount = welcomeLines.reduce((n, l) => n + l.length, 0);
  // the title, the blank line above the list, the summary box (summary, prerequisites) and the key bar
  const listHeight = Math.max(3, height - 3 - (SUMMARY_LINES + 1) - welcomeCount);
  const first = Math.max(0, Math.min(selected - Math.floor(listHeight / 2), lessons.length - listHeight));
  const shown = lessons.slice(first, first + listHeight);
  const cur = lessons[selected];
  const last = progress.lastLesson ? lessons.find((l) => l.meta.id === progress.lastLesson) : undefined;
  // the id column fits the longest id, up to about a quarter of the row; a cut id keeps a space before the title
  const idWidth = Math.min(Math.max(10, ...lessons.map((l) => displayWidth(l.meta.id) + 1)), Math.floor(rowWidth / 4) + 2);
  const titleWidth = Math.max(8, rowWidth - FIXED - idWidth);
  const summary = cur ? wrapWords(cur.meta.summary, rowWidth, SUMMARY_LINES) : [];
  const below = [
    ...(cur && cur.meta.prerequisites.length > 0 ? [{ text: t().first(cur.meta.prerequisites.join(', ')), color: 'gray' }] : []),
    ...(hidden > 0 ? [{ text: t().hidden(hidden), color: 'red' }] : []),
  ].slice(0, SUMMARY_LINES + 1 - summary.length);
  const resume = last ? [t().resume(last.meta.id, resumeStep(progress, last) + 1)] : [];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="magentaBright" wrap="truncate-end">boxlab <Text dimColor>{t().tagline}</Text></Text>
      {welcomeLines.flatMap((lines, i) => lines.map((l, j) => (
        <Text key={`w${i}.${j}`} color={welcome[i]!.startsWith('✗') ? 'red' : 'green'}>{l}</Text>
      )))}
      <Box flexDirection="column" height={listHeight} marginTop={1} overflow="hidden">
        {lessons.length === 0 ? <Text color="red">{t().noLessonsTui}</Text> : null}
        {shown.map((l, i) => {
          const sel = first + i === selected;
          const status = lessonStatus(progress, l);
          const done = stepsDone(progress, l).filter(Boolean).length;
          return (
            <Box key={l.meta.id} flexDirection="row" width={rowWidth} height={1}>
              <Box width={COL.cursor} flexShrink={0}><Text color="cyanBright">{sel ? '▸' : ' '}</Text></Box>
              <Box width={COL.mark} flexShrink={0}><Text color={MARK_COLOR[status]}>{STATUS_MARK[status]}</Text></Box>
              <Box width={idWidth} flexShrink={0} paddingRight={1}><Text inverse={sel} wrap="truncate-end">{l.meta.id}</Text></Box>
              <Box width={titleWidth} flexShrink={0}><Text bold={sel} wrap="truncate-end">{l.meta.title}</Text></Box>
              <Box width={minutesWidth} flexShrink={0}><Text dimColor>{`${String(l.meta.minutes).padStart(4)} ${t().minutes}`}</Text></Box>
              <Box width={COL.done} flexShrink={0}>{status === 'started' ? <Text color="yellow">{` ${done}/${l.steps.length}`}</Text> : null}</Box>
            </Box>
          );
        })}
      </Box>
      <Box flexDirection="column" height={SUMMARY_LINES + 1}>
        {summary.map((l, i) => <Text key={`s${i}`} color="white">{l}</Text>)}
        {below.map((b, i) => <Text key={`b${i}`} color={b.color} wrap="truncate-end">{b.text}</Text>)}
      </Box>
      <Text dimColor wrap="truncate-end">{keyBar('menu', rowWidth, resume)}</Text>
    </Box>
  );
}
