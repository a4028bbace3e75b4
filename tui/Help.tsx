import React from 'react';
import { Box, Text } from 'ink';

const KEYS: [string, string][] = [
  ['↑/↓  k/j', 'choose a lesson or a step'],
  ['⏎', 'open the lesson / run the chosen step'],
  ['r', 'resume where you left off (menu)'],
  ['n', 'next step'],
  ['tab  1 2 3', 'switch pane: Lesson, Evidence, Trace'],
  ['PgUp/PgDn  b/space', 'scroll the pane'],
  ['s', "shell inside the lesson's container (exit to come back)"],
  ['h', "host shell with boxlab on PATH (exit to come back)"],
  ['?', 'this help'],
  ['q  Esc', 'back to the menu (cleans the lesson up) / quit'],
  ['Ctrl-C', 'quit at once (still cleans up)'],
];

export function Help({ width }: { width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={Math.min(width, 76)}>
      <Text bold color="cyanBright">Keys</Text>
      {KEYS.map(([k, what]) => (
        <Box key={k} flexDirection="row">
          <Box width={22}><Text color="yellow">{k}</Text></Box>
          <Text wrap="truncate-end">{what}</Text>
        </Box>
      ))}
      <Text dimColor>Each step runs real boxlab commands; the Trace pane shows the syscalls and host commands the engine made, the Evidence pane what the kernel shows, and each check what it proves. Press any key.</Text>
    </Box>
  );
}
