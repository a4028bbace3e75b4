import React from 'react';
import { Box, Text } from 'ink';
import type { Tokens } from 'marked';
import { commandLines, isRunnableInfo } from '../course/parse.js';
import { CodeBlock, type CodeRenderer } from './markdown.js';
import { t, type Messages } from '../i18n/index.js';

const LABEL: Record<string, { text: keyof Messages; color: string }> = {
  action: { text: 'blockAction', color: 'green' },
  observe: { text: 'blockObserve', color: 'blue' },
  capture: { text: 'blockCapture', color: 'magenta' },
  check: { text: 'blockCheck', color: 'yellow' },
  cleanup: { text: 'blockCleanup', color: 'gray' },
};

/** How runnable blocks look in the lesson text: labelled boxes, commands with `$`, checks as sentences. */
export function lessonCodeRenderer(width: number): CodeRenderer {
  return (token: Tokens.Code, key: string) => {
    if (!isRunnableInfo(token.lang)) return undefined;
    const [kind = '', ...attrs] = (token.lang ?? '').trim().split(/\s+/);
    const label = LABEL[kind]!;
    const title = (
      <Text color={label.color}>{String(t()[label.text])}{attrs.length > 0 ? <Text dimColor>{`  ${attrs.join(' ')}`}</Text> : null}</Text>
    );
    if (kind === 'check') {
      const sentences = [...token.text.matchAll(/^\s*proves:\s*(.+)$/gm)].map((m) => m[1]!.replace(/^["']|["']$/g, ''));
      return (
        <Box key={key} flexDirection="column" marginBottom={1} borderStyle="round" borderColor="yellow" paddingX={1} width={width}>
          {title}
          {sentences.map((s, i) => <Text key={i}>{`• ${s}`}</Text>)}
        </Box>
      );
    }
    if (kind === 'capture') return <CodeBlock key={key} code={token.text} width={width} title={title} />;
    const cmds = commandLines(token.text, 1).map((c) => `$ ${c.text}`).join('\n');
    return <CodeBlock key={key} code={cmds} width={width} title={title} />;
  };
}
