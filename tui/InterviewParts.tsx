import React from 'react';
import { Box, Text } from 'ink';

/** One row of a scrollable interview page: a paragraph, a bullet, an evidence line. */
export interface Row {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  /** truncate instead of wrap (command output) */
  truncate?: boolean;
}

export const heading = (text: string): Row => ({ text, bold: true, color: 'cyanBright' });
export const bullets = (items: string[], mark = '•'): Row[] => items.map((t) => ({ text: `${mark} ${t}` }));

/** Rows from `offset`, in a box of fixed height; ↑↓ move the offset. */
export function Page({ rows, offset, height, width }: { rows: Row[]; offset: number; height: number; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {/* flexShrink 0: rows past the bottom are cut off, not squeezed on top of each other */}
      {rows.slice(offset).map((r, i) => (
        <Box key={i} flexShrink={0} width={width}>
          <Text wrap={r.truncate ? 'truncate-end' : 'wrap'} bold={r.bold ?? false} dimColor={r.dim ?? false} {...(r.color !== undefined && { color: r.color })}>
            {r.text === '' ? ' ' : r.text.replace(/\*\*/g, '')}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

/** The learner's typed notes with a cursor at the end. */
export function NotesBox({ notes, width, height, active }: { notes: string; width: number; height: number; active: boolean }): React.ReactElement {
  const lines = notes.split('\n');
  const shown = lines.slice(Math.max(0, lines.length - (height - 2)));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={active ? 'yellow' : 'gray'} width={width} height={height}>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate-start">{l}{active && i === shown.length - 1 ? <Text inverse> </Text> : ''}</Text>
      ))}
    </Box>
  );
}

export function Footer({ text }: { text: string }): React.ReactElement {
  return <Text dimColor wrap="truncate-end">{text}</Text>;
}
