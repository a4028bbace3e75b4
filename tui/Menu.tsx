import React from 'react';
import { Box, Text } from 'ink';
import { lessonStatus, resumeStep, STATUS_MARK, stepsDone, type Progress } from '../course/progress.js';
import type { Lesson } from '../course/types.js';

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

/** The lesson list: progress mark, id, title, minutes; the selected lesson's summary below. */
export function Menu({ lessons, progress, selected, width, height, hidden, welcome = [] }: MenuProps): React.ReactElement {
  const listHeight = Math.max(3, height - 7 - welcome.length);
  const first = Math.max(0, Math.min(selected - Math.floor(listHeight / 2), lessons.length - listHeight));
  const shown = lessons.slice(first, first + listHeight);
  const cur = lessons[selected];
  const last = progress.lastLesson ? lessons.find((l) => l.meta.id === progress.lastLesson) : undefined;
  const titleWidth = Math.max(10, width - 4 - 18 - 9);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="magentaBright" wrap="truncate-end">boxlab <Text dimColor>— learn how containers work by running one</Text></Text>
      {welcome.map((line, i) => <Text key={i} color={line.startsWith('✗') ? 'red' : 'green'} wrap="truncate-end">{line}</Text>)}
      <Box flexDirection="column" height={listHeight} marginTop={1} overflow="hidden">
        {lessons.length === 0 ? <Text color="red">No lessons found. `boxlab lessons lint` says why.</Text> : null}
        {shown.map((l, i) => {
          const idx = first + i;
          const status = lessonStatus(progress, l);
          const sel = idx === selected;
          const done = stepsDone(progress, l).filter(Boolean).length;
          return (
            <Box key={l.meta.id} flexDirection="row">
              <Text wrap="truncate"><Text color="cyanBright">{sel ? '▸' : ' '}</Text> <Text color={MARK_COLOR[status]}>{STATUS_MARK[status]}</Text> </Text>
              <Box width={18} flexShrink={0} paddingRight={1}><Text inverse={sel} wrap="truncate-end">{l.meta.id}</Text></Box>
              <Box width={titleWidth}><Text bold={sel} wrap="truncate-end">{l.meta.title}</Text></Box>
              <Text dimColor>{`${String(l.meta.minutes).padStart(3)} min`}</Text>
              {status === 'started' ? <Text color="yellow">{` ${done}/${l.steps.length}`}</Text> : null}
            </Box>
          );
        })}
      </Box>
      <Box flexDirection="column" height={3}>
        {cur ? <Text wrap="truncate-end" color="white">{cur.meta.summary}</Text> : null}
        {cur && cur.meta.prerequisites.length > 0 ? <Text dimColor wrap="truncate-end">{`first: ${cur.meta.prerequisites.join(', ')}`}</Text> : null}
        {hidden > 0 ? <Text color="red" wrap="truncate-end">{`${hidden} lesson file(s) have problems and are hidden — run boxlab lessons lint`}</Text> : null}
      </Box>
      <Text dimColor wrap="truncate-end">
        {`⏎ open  ↑↓ choose  ${last ? `r resume ${last.meta.id} (step ${resumeStep(progress, last) + 1})  ` : ''}i interview  ? help  q quit`}
      </Text>
    </Box>
  );
}
