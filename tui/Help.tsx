import React from 'react';
import { Box, Text } from 'ink';
import { GLOBAL, MODES } from './modes.js';
import type { ModeId } from './state.js';
import { displayWidth, wrapWords } from './text.js';
import { t } from '../i18n/index.js';

/** The keys of the mode on screen and the global ones, straight from the registry in modes.tsx. */
export function Help({ width, mode }: { width: number; mode: ModeId }): React.ReactElement {
  const rows = [...MODES[mode].bindings, ...GLOBAL, { keys: 'Ctrl-C', help: t().keyCtrlC }];
  const boxWidth = Math.min(width, 76);
  const keyWidth = Math.max(...rows.map((r) => displayWidth(r.keys))) + 2;
  const helpWidth = boxWidth - 4 - keyWidth;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={boxWidth}>
      <Text bold color="cyanBright">{t().keysTitle(MODES[mode].title)}</Text>
      {rows.map((r) => (
        <Box key={r.keys} flexDirection="row">
          <Box width={keyWidth} flexShrink={0}><Text color="yellow">{r.keys}</Text></Box>
          <Box width={helpWidth} flexShrink={0}><Text wrap="truncate-end">{r.help}</Text></Box>
        </Box>
      ))}
      {wrapWords(t().helpFoot, boxWidth - 4).map((l, i) => <Text key={`f${i}`} dimColor>{l}</Text>)}
    </Box>
  );
}
