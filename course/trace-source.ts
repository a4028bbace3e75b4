import type { IncomingMessage } from 'node:http';
import { Client } from '../engine/client/client.js';
import { ndjsonSplitter } from '../engine/client/ndjson.js';
import type { TraceEvent } from '../engine/sys/trace.js';

/** Where the runner hears what the engine did while a step ran. */
export interface TraceSource {
  /** Starts delivering events; resolves once listening (or once it gave up trying). Returns a stop function. */
  subscribe(listener: (e: TraceEvent) => void): Promise<() => void>;
}

export const nullTraceSource: TraceSource = {
  async subscribe() { return () => {}; },
};

/** A source tests push events into. */
export class FakeTraceSource implements TraceSource {
  private listeners = new Set<(e: TraceEvent) => void>();
  async subscribe(listener: (e: TraceEvent) => void) {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
  emit(e: TraceEvent): void {
    for (const l of this.listeners) l(e);
  }
  get subscribers(): number {
    return this.listeners.size;
  }
}

/** Feeds every NDJSON value of `stream` to `onValue`, skipping torn lines; resolves when the stream ends. */
function eachValue<T>(stream: NodeJS.ReadableStream, onValue: (value: T) => void): Promise<void> {
  return new Promise((resolve) => {
    const split = ndjsonSplitter<T>(onValue, { onBadLine: () => { /* a torn line from a dying daemon: skip it */ } });
    stream.on('data', (chunk: Buffer | string) => split(chunk));
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
}

/**
 * The daemon's `GET /events?type=trace` stream, read through the engine's Client.
 * If the daemon is not up yet (the first `boxlab` command starts it on demand) it keeps retrying
 * quietly, so a missing daemon costs the learner the trace, never the lesson.
 */
export class DaemonTraceSource implements TraceSource {
  private readonly client: Client;
  constructor(socketPath: string, private readonly retryMs = 150) {
    this.client = new Client(socketPath);
  }

  subscribe(listener: (e: TraceEvent) => void): Promise<() => void> {
    let stopped = false;
    let current: IncomingMessage | undefined;
    let timer: NodeJS.Timeout | undefined;
    return new Promise((resolveFirst) => {
      let settled = false;
      const settle = () => { if (!settled) { settled = true; resolveFirst(stop); } };
      const stop = () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        current?.destroy();
      };
      const retry = () => {
        settle();
        if (!stopped) timer = setTimeout(() => void connect(), this.retryMs);
      };
      const connect = async () => {
        if (stopped) return;
        let res: IncomingMessage;
        try {
          res = await this.client.stream('GET', '/events', { query: { type: 'trace' } });
        } catch {
          retry();
          return;
        }
        if (stopped) { res.destroy(); return; }
        current = res;
        settle();
        await eachValue<TraceEvent>(res, (e) => { if (typeof e?.name === 'string') listener(e); });
        retry();
      };
      void connect();
    });
  }
}
