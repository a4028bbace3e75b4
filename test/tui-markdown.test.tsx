import React from 'react';
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { marked } from 'marked';
import chalk from 'chalk';
import { Markdown } from '../tui/markdown.js';

// no TTY under vitest: force colours so the styles can be asserted
chalk.level = 1;

const DOC = `# Title one

## Second level

### Third level

Plain with *emphasis*, **strong**, ~~gone~~, \`codespan\` and a [link](https://example.org/x) and <https://a.b/c>.

> A quote with **bold** inside.

- first item
- second *item*
  - nested item
1. one
2. two

- [x] done task
- [ ] open task

\`\`\`sh
echo hello
\`\`\`

| col a | col b |
|-------|-------|
| 1     | two   |

---

Line one  
line two after a hard break.
`;

// ANSI codes tell whether a style was applied; Ink's test renderer keeps them.
const ESC = '\u001b[';
const has = (frame: string, style: string, text: string) => new RegExp(`${ESC.replace('[', '\\[')}${style}m[^\\n]*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(frame);

describe('markdown renders every token type as Ink components', () => {
  const { lastFrame } = render(<Markdown tokens={marked.lexer(DOC)} width={70} />);
  const frame = lastFrame() ?? '';
  const plain = frame.replace(/\u001b\[[0-9;]*m/g, '');

  it('headings, with level 1 underlined and level 3 marked', () => {
    expect(plain).toContain('Title one');
    expect(plain).toContain('Second level');
    expect(plain).toContain('### Third level');
    expect(has(frame, '4', 'Title one')).toBe(true);
  });
  it('emphasis, strong, strikethrough and codespan are styled, not printed as markup', () => {
    expect(plain).toContain('Plain with emphasis, strong, gone, codespan and a link');
    expect(plain).not.toMatch(/\*emphasis\*|\*\*strong\*\*|`codespan`/);
    expect(has(frame, '3', 'emphasis')).toBe(true);
    expect(has(frame, '1', 'strong')).toBe(true);
    expect(has(frame, '9', 'gone')).toBe(true);
    expect(has(frame, '33', 'codespan')).toBe(true);
  });
  it('links show their label and address', () => {
    expect(plain).toMatch(/link\s+<https:\/\/example\.org\/x>/);
    expect(plain).toContain('https://a.b/c');
    expect(plain).not.toContain('https://a.b/c <https://a.b/c>');
  });
  it('blockquotes get a bar', () => expect(plain).toMatch(/│ A quote with bold inside\./));
  it('lists: bullets, nesting, ordered numbers, tasks', () => {
    expect(plain).toMatch(/• first item/);
    expect(plain).toMatch(/• second item/);
    expect(plain).toMatch(/ {2}• nested item/);
    expect(plain).toMatch(/1\. one/);
    expect(plain).toMatch(/2\. two/);
    expect(plain).toMatch(/\[x\] done task/);
    expect(plain).toMatch(/\[ \] open task/);
  });
  it('code blocks in a box with their language', () => {
    expect(plain).toMatch(/╭─+╮/);
    expect(plain).toMatch(/│ sh +│/);
    expect(plain).toMatch(/│ echo hello +│/);
  });
  it('tables with header, rule and cells', () => {
    expect(plain).toMatch(/col a +│ col b/);
    expect(plain).toMatch(/─+┼─+/);
    expect(plain).toMatch(/1 +│ two/);
  });
  it('horizontal rules and hard line breaks', () => {
    expect(plain).toMatch(/^─{20,}/m);
    expect(plain).toMatch(/Line one\s*\n\s*line two after a hard break\./);
  });
  it('fits a narrow terminal without overflowing', () => {
    const narrow = render(<Markdown tokens={marked.lexer(DOC)} width={40} />).lastFrame()!.replace(/\u001b\[[0-9;]*m/g, '');
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
  });
});
