import React from 'react';
import { Box, Text, Transform } from 'ink';
import { displayWidth } from './text.js';
import { expandTabs } from './text.js';
import type { Token, Tokens } from 'marked';

/** Renders a runnable lesson block (action, observe ...) in place of a plain code block; undefined → default. */
export type CodeRenderer = (token: Tokens.Code, key: string) => React.ReactNode | undefined;

interface InlineProps {
  tokens: Token[] | undefined;
  /** fallback text when a token has no inline children */
  text?: string;
}

/** Inline tokens (strong, em, codespan, links ...) as nested <Text> so Ink wraps them as one paragraph. */
export function Inline({ tokens, text }: InlineProps): React.ReactElement {
  const inner = !tokens || tokens.length === 0 ? <Text>{decode(text ?? '')}</Text> : <Text>{tokens.map((t, i) => inlineToken(t, String(i)))}</Text>;
  return <Transform transform={noLeadingSpace}>{inner}</Transform>;
}

/**
 * Ink wraps text keeping the space it broke the line at (wrap-ansi with trim off), so a wrapped line would
 * start with a space; drop it (after any colour codes) on every line but the first.
 */
export function noLeadingSpace(line: string, index: number): string {
  return index === 0 ? line : line.replace(/^((?:\u001b\[[0-9;]*m)*) /, '$1');
}

/**
 * A line break inside a paragraph is a space in English, but nothing between two Chinese characters (a
 * space there would show as a gap in the middle of a sentence).
 */
const WIDE = '[\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef]';
const CJK_BREAK = new RegExp(`(${WIDE})\\n(?=${WIDE})`, 'gu');
export const softBreaks = (s: string): string => s.replace(CJK_BREAK, '$1').replace(/\n/g, ' ');

function decode(s: string): string {
  // marked escapes HTML entities in text; the terminal shows the characters themselves
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

function inlineToken(t: Token, key: string): React.ReactNode {
  switch (t.type) {
    case 'strong': return <Text key={key} bold>{children(t as Tokens.Strong, key)}</Text>;
    case 'em': return <Text key={key} italic>{children(t as Tokens.Em, key)}</Text>;
    case 'del': return <Text key={key} strikethrough>{children(t as Tokens.Del, key)}</Text>;
    case 'codespan': return <Text key={key} color="yellow">{decode((t as Tokens.Codespan).text)}</Text>;
    case 'br': return <Text key={key}>{'\n'}</Text>;
    case 'link': {
      const l = t as Tokens.Link;
      const label = l.tokens && l.tokens.length > 0 ? children(l, key) : decode(l.text);
      // show the address unless the label already is it, so it can be copied from the terminal
      const showHref = l.text !== l.href && `mailto:${l.text}` !== l.href;
      return <Text key={key}><Text color="blue" underline>{label}</Text>{showHref ? <Text dimColor>{` <${l.href}>`}</Text> : null}</Text>;
    }
    case 'image': {
      const im = t as Tokens.Image;
      return <Text key={key} dimColor>{`[image: ${im.text}] <${im.href}>`}</Text>;
    }
    case 'text': {
      const tx = t as Tokens.Text;
      // a newline inside a paragraph is a soft break: the terminal re-wraps the text, so it becomes a space
      return tx.tokens && tx.tokens.length > 0 ? <Text key={key}>{children(tx, key)}</Text> : <Text key={key}>{softBreaks(decode(tx.text))}</Text>;
    }
    case 'escape': return <Text key={key}>{decode((t as Tokens.Escape).text)}</Text>;
    case 'html': return <Text key={key} dimColor>{(t as Tokens.HTML).text}</Text>;
    default: return <Text key={key}>{decode('text' in t ? String(t.text) : t.raw)}</Text>;
  }
}

function children(t: { tokens?: Token[] }, key: string): React.ReactNode[] {
  return (t.tokens ?? []).map((c, i) => inlineToken(c, `${key}.${i}`));
}

const HEADING_COLOR = ['magentaBright', 'cyanBright', 'cyan', 'white', 'white', 'white'] as const;

interface BlockProps {
  token: Token;
  width: number;
  renderCode?: CodeRenderer | undefined;
  keyPrefix: string;
}

/** One block-level token. */
export function MarkdownBlock({ token, width, renderCode, keyPrefix }: BlockProps): React.ReactElement | null {
  switch (token.type) {
    case 'space': return null;
    case 'heading': {
      const h = token as Tokens.Heading;
      return (
        <Box marginBottom={h.depth <= 2 ? 1 : 0}>
          <Text bold color={HEADING_COLOR[h.depth - 1]} underline={h.depth === 1}>
            {h.depth > 2 ? `${'#'.repeat(h.depth)} ` : ''}<Inline tokens={h.tokens} text={h.text} />
          </Text>
        </Box>
      );
    }
    case 'paragraph': {
      const p = token as Tokens.Paragraph;
      return <Box marginBottom={1} width={width}><Inline tokens={p.tokens} text={p.text} /></Box>;
    }
    case 'text': {
      const tx = token as Tokens.Text;
      return <Box width={width}><Inline tokens={tx.tokens} text={tx.text} /></Box>;
    }
    case 'code': {
      const c = token as Tokens.Code;
      const custom = renderCode?.(c, keyPrefix);
      if (custom !== undefined) return <>{custom}</>;
      return <CodeBlock code={c.text} lang={c.lang} width={width} />;
    }
    case 'blockquote': {
      const q = token as Tokens.Blockquote;
      return (
        <Box marginBottom={1} borderStyle="single" borderTop={false} borderRight={false} borderBottom={false} borderColor="gray" paddingLeft={1} flexDirection="column">
          {q.tokens.map((t, i) => <MarkdownBlock key={i} token={t} width={width - 2} renderCode={renderCode} keyPrefix={`${keyPrefix}.${i}`} />)}
        </Box>
      );
    }
    case 'list': return <List list={token as Tokens.List} width={width} renderCode={renderCode} keyPrefix={keyPrefix} />;
    case 'hr': return <Box marginBottom={1}><Text dimColor>{'─'.repeat(Math.max(3, Math.min(width, 60)))}</Text></Box>;
    case 'table': return <Table table={token as Tokens.Table} width={width} />;
    case 'html': return <Text dimColor>{(token as Tokens.HTML).text.trimEnd()}</Text>;
    case 'def': return null;
    default: return <Text>{token.raw.trimEnd()}</Text>;
  }
}

export function CodeBlock({ code, lang, width, title }: { code: string; lang?: string | undefined; width: number; title?: React.ReactNode }): React.ReactElement {
  return (
    <Box flexDirection="column" marginBottom={1} borderStyle="round" borderColor="gray" paddingX={1} width={Math.max(10, width)}>
      {title ?? (lang ? <Text dimColor>{lang}</Text> : null)}
      <Text color="greenBright">{code.split('\n').map((l) => expandTabs(l)).join('\n')}</Text>
    </Box>
  );
}

function List({ list, width, renderCode, keyPrefix }: { list: Tokens.List; width: number; renderCode?: CodeRenderer | undefined; keyPrefix: string }): React.ReactElement {
  const start = typeof list.start === 'number' ? list.start : 1;
  return (
    <Box flexDirection="column" marginBottom={1}>
      {list.items.map((item, i) => {
        const bullet = item.task ? (item.checked ? '[x] ' : '[ ] ') : list.ordered ? `${start + i}. ` : '• ';
        return (
          <Box key={i} flexDirection="row">
            <Text color="cyan">{bullet}</Text>
            <Box flexDirection="column" width={Math.max(10, width - bullet.length)}>
              {item.tokens.filter((t) => t.type !== 'checkbox').map((t, j) => (
                t.type === 'list'
                  ? <List key={j} list={t as Tokens.List} width={width - bullet.length} renderCode={renderCode} keyPrefix={`${keyPrefix}.${i}.${j}`} />
                  : t.type === 'paragraph' || t.type === 'text'
                    ? <Inline key={j} tokens={(t as Tokens.Text).tokens} text={(t as Tokens.Text).text} />
                    : <MarkdownBlock key={j} token={t} width={width - bullet.length} renderCode={renderCode} keyPrefix={`${keyPrefix}.${i}.${j}`} />
              ))}
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}

function cellText(tokens: Token[]): string {
  return tokens.map((t) => ('tokens' in t && t.tokens ? cellText(t.tokens as Token[]) : decode('text' in t ? String(t.text) : t.raw))).join('');
}

function Table({ table, width }: { table: Tokens.Table; width: number }): React.ReactElement {
  const header = table.header.map((h) => cellText(h.tokens));
  const rows = table.rows.map((r) => r.map((c) => cellText(c.tokens)));
  const n = header.length;
  const natural = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const budget = Math.max(n * 4, width - (n + 1) * 3);
  // too wide for the pane (80 columns leave a table about 50): each row becomes a small record, one
  // "header: cell" line per column, which reads where columns wrapped into fragments would not
  if (natural.reduce((a, b) => a + b, 0) > budget && natural.some((w) => w > 12)) return <TableRecords header={header} rows={rows} width={width} />;
  // shrink the widest columns until the table fits; cells then wrap inside their column
  const widths = [...natural];
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    const i = widths.indexOf(Math.max(...widths));
    widths[i] = widths[i]! - 1;
  }
  const row = (cells: string[], bold: boolean, key: string) => (
    <Box key={key} flexDirection="row">
      {cells.map((c, i) => (
        <Box key={i} width={widths[i]! + 3} paddingRight={1}>
          <Text bold={bold} color={bold ? 'cyan' : undefined}>{`${i === 0 ? '' : '│ '}${c}`}</Text>
        </Box>
      ))}
    </Box>
  );
  return (
    <Box flexDirection="column" marginBottom={1}>
      {row(header, true, 'h')}
      <Text dimColor>{widths.map((w) => '─'.repeat(w + 2)).join('┼')}</Text>
      {rows.map((r, i) => row(r, false, String(i)))}
    </Box>
  );
}

function TableRecords({ header, rows, width }: { header: string[]; rows: string[][]; width: number }): React.ReactElement {
  const keyWidth = Math.min(Math.max(...header.map((h) => displayWidth(h))) + 2, Math.floor(width * 0.4));
  return (
    <Box flexDirection="column" marginBottom={1} width={width}>
      {rows.map((r, i) => (
        <Box key={i} flexDirection="column" marginBottom={i < rows.length - 1 ? 1 : 0}>
          {header.map((h, j) => (
            <Box key={j} flexDirection="row">
              <Box width={keyWidth} flexShrink={0} paddingRight={1}><Text color="cyan" bold={j === 0} wrap="truncate-end">{h}</Text></Box>
              <Box width={Math.max(8, width - keyWidth)}><Transform transform={noLeadingSpace}><Text bold={j === 0}>{r[j] ?? ''}</Text></Transform></Box>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}

interface MarkdownProps {
  tokens: Token[];
  width: number;
  renderCode?: CodeRenderer;
  /** skip this many blocks (scrolling) */
  offset?: number;
}

/** Block tokens as Ink components; `offset` scrolls by whole blocks. */
export function Markdown({ tokens, width, renderCode, offset = 0 }: MarkdownProps): React.ReactElement {
  const blocks = tokens.filter((t) => t.type !== 'space' && t.type !== 'def');
  return (
    <Box flexDirection="column" width={width}>
      {/* flexShrink 0: inside a fixed-height pane Yoga would squeeze blocks onto each other instead of clipping */}
      {blocks.slice(offset).map((t, i) => (
        <Box key={i + offset} flexShrink={0} flexDirection="column">
          <MarkdownBlock token={t} width={width} renderCode={renderCode} keyPrefix={String(i + offset)} />
        </Box>
      ))}
    </Box>
  );
}

export function blockCount(tokens: Token[]): number {
  return tokens.filter((t) => t.type !== 'space' && t.type !== 'def').length;
}
