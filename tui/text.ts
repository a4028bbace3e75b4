/**
 * Plain-text helpers for the screen. Ink measures a tab as zero columns while the terminal jumps to the next
 * tab stop, so a line with tabs overflows its box and loses its last characters: every line shown from a
 * command's output goes through expandTabs first.
 */
export function expandTabs(line: string, tabSize = 8): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(tabSize - (out.length % tabSize));
    else out += ch;
  }
  return out;
}

/**
 * Word-wraps `text` to `width` columns; a word longer than the width is cut. With `maxLines`, the last line
 * kept ends in "…" when text was left out. Lines never start with the space they were broken at.
 */
export function wrapWords(text: string, width: number, maxLines = Infinity): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > w) {
      if (line) { lines.push(line); line = ''; }
      lines.push(word.slice(0, w));
      word = word.slice(w);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= w) line += ` ${word}`;
    else { lines.push(line); line = word; }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${last.length >= w ? last.slice(0, w - 1) : last}…`;
  return kept;
}
