import stringWidth from 'string-width';

/**
 * Columns a string takes on the terminal: a CJK character takes two, a combining mark none (string-width,
 * the measure ink itself lays out with). Every width computed for the screen uses this, never `.length`.
 */
export const displayWidth = (s: string): number => stringWidth(s);

/**
 * Plain-text helpers for the screen. Ink measures a tab as zero columns while the terminal jumps to the next
 * tab stop, so a line with tabs overflows its box and loses its last characters: every line shown from a
 * command's output goes through expandTabs first.
 */
export function expandTabs(line: string, tabSize = 8): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(tabSize - (displayWidth(out) % tabSize));
    else out += ch;
  }
  return out;
}

// a line may not start with closing punctuation: it stays with the character before it
const CLOSING = /^[，。、；：！？）」』】》〉”’,.;:!?)\]}%]/u;

/**
 * Cuts a whitespace-free word into the pieces a line may break between: a run of narrow characters stays
 * whole (an English word, a path), each wide (CJK) character is a piece of its own, since Chinese breaks
 * between any two characters.
 */
function pieces(word: string): string[] {
  const out: string[] = [];
  let run = '';
  for (const ch of word) {
    const wide = displayWidth(ch) > 1;
    if (CLOSING.test(ch)) {
      if (run) { run += ch; continue; }
      if (out.length > 0) { out[out.length - 1] += ch; continue; }
    }
    if (wide) {
      if (run) { out.push(run); run = ''; }
      out.push(ch);
    } else run += ch;
  }
  if (run) out.push(run);
  return out;
}

/** The longest prefix of `s` that fits in `w` columns (at least one character), and the rest. */
function cut(s: string, w: number): [string, string] {
  let head = '';
  for (const ch of s) {
    if (head !== '' && displayWidth(head + ch) > w) break;
    head += ch;
  }
  return [head, s.slice(head.length)];
}

/**
 * Word-wraps `text` to `width` columns (display columns: a CJK character takes two); Chinese text breaks
 * between characters, English between words, and a piece longer than the width is cut. With `maxLines`,
 * the last line kept ends in "…" when text was left out. Lines never start with the space they were broken at.
 */
export function wrapWords(text: string, width: number, maxLines = Infinity): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    pieces(word).forEach((p, i) => {
      const glue = i === 0 && line !== '' ? ' ' : '';
      let piece = p;
      while (displayWidth(piece) > w) {
        if (line) { lines.push(line); line = ''; }
        const [head, rest] = cut(piece, w);
        lines.push(head);
        piece = rest;
      }
      if (piece === '') return;
      if (line === '') line = piece;
      else if (displayWidth(line) + glue.length + displayWidth(piece) <= w) line += glue + piece;
      else { lines.push(line); line = piece; }
    });
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${displayWidth(last) >= w ? cut(last, w - 1)[0] : last}…`;
  return kept;
}
