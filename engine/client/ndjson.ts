import { StringDecoder } from 'node:string_decoder';

/**
 * Newline-delimited JSON, the framing of every boxlab stream: the daemon's events, trace, stats and build
 * progress, and the parent↔init sync socket. One value per line; empty lines are skipped.
 */

/**
 * Splits NDJSON as it arrives: feed it every chunk (text or bytes; a character cut between two chunks is
 * kept whole), and `onValue` gets each complete line parsed. A line that is not JSON goes to `onBadLine`
 * when given (e.g. a torn last line from a dying daemon), else JSON.parse's error is thrown.
 */
export function ndjsonSplitter<T = unknown>(onValue: (value: T) => void,
  opts: { onBadLine?: (line: string, error: Error) => void } = {}): (chunk: string | Buffer) => void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line) continue;
      let value: T;
      try {
        value = JSON.parse(line) as T;
      } catch (e) {
        if (!opts.onBadLine) throw e;
        opts.onBadLine(line, e as Error);
        continue;
      }
      onValue(value);
    }
  };
}

/** The values of an NDJSON stream, for `for await`; ends when the stream ends. */
export async function* readNdjson<T = unknown>(stream: AsyncIterable<string | Buffer>): AsyncGenerator<T> {
  const ready: T[] = [];
  const split = ndjsonSplitter<T>((v) => ready.push(v));
  for await (const chunk of stream) {
    split(chunk as string | Buffer);
    while (ready.length) yield ready.shift()!;
  }
}
