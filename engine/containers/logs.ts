import { appendFileSync, readFileSync, existsSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';

export type StreamName = 'stdout' | 'stderr';

/** One line of docker's json-file log driver. */
export interface LogEntry {
  log: string;
  stream: StreamName;
  time: string;
}

/**
 * Appends a container's output to `<id>-json.log` in docker's json-file format, one entry per line of output
 * (a trailing partial line is kept until its newline arrives or the stream ends).
 */
export class LogWriter {
  private readonly partial: Record<StreamName, string> = { stdout: '', stderr: '' };

  constructor(private readonly path: string) {}

  write(stream: StreamName, chunk: Buffer | string): LogEntry[] {
    const text = this.partial[stream] + chunk.toString();
    const lines = text.split(/(?<=\n)/);
    const last = lines[lines.length - 1]!;
    this.partial[stream] = last.endsWith('\n') ? '' : last;
    const complete = last.endsWith('\n') ? lines : lines.slice(0, -1);
    return this.append(stream, complete);
  }

  flush(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) out.push(...this.append(stream, [this.partial[stream]]));
      this.partial[stream] = '';
    }
    return out;
  }

  private append(stream: StreamName, lines: string[]): LogEntry[] {
    if (lines.length === 0) return [];
    const time = new Date().toISOString();
    const entries = lines.map((log) => ({ log, stream, time }));
    appendFileSync(this.path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    return entries;
  }
}

/**
 * Follows a log another process writes (boxlab-shim): each poll returns the entries appended since the last,
 * whole lines only. Its offset is where `logs -f` switches from reading the file to following, so no entry
 * is sent twice or skipped.
 */
export class LogTail {
  offset = 0;

  constructor(private readonly path: string, fromEnd = false) {
    if (fromEnd) this.poll();
  }

  poll(): LogEntry[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
      if (end === 0) return [];
      this.offset += end;
      return parseLogLines(buf.subarray(0, end).toString('utf8'));
    } finally {
      closeSync(fd);
    }
  }

  /** the shim flushes partial lines itself: what is on file is all there is */
  flush(): LogEntry[] {
    return this.poll();
  }
}

/** The log's entries; with `upTo`, only those in its first `upTo` bytes. */
export function readLogs(path: string, upTo?: number): LogEntry[] {
  if (!existsSync(path)) return [];
  const data = readFileSync(path);
  return parseLogLines((upTo === undefined ? data : data.subarray(0, upTo)).toString('utf8'));
}

function parseLogLines(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as LogEntry);
    } catch {
      // a line torn by a crash
    }
  }
  return out;
}

/** Docker's multiplexed stream frame: [stream, 0, 0, 0, size(uint32 BE)] + payload. */
export function frame(stream: StreamName | 'stdin', payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
