import { request, type ClientRequest } from 'node:http';
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

/**
 * The daemon's `GET /events?type=trace` stream: newline-delimited JSON over the unix socket.
 * If the daemon is not up yet (the first `boxlab` command starts it on demand) it keeps retrying
 * quietly, so a missing daemon costs the learner the trace, never the lesson.
 */
export class DaemonTraceSource implements TraceSource {
  constructor(private readonly socketPath: string, private readonly retryMs = 150) {}

  subscribe(listener: (e: TraceEvent) => void): Promise<() => void> {
    let stopped = false;
    let req: ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    let firstSettled = false;
    return new Promise((resolveFirst) => {
      const settle = () => { if (!firstSettled) { firstSettled = true; resolveFirst(stop); } };
      const stop = () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        req?.destroy();
      };
      const retry = () => {
        settle();
        if (!stopped) timer = setTimeout(connect, this.retryMs);
      };
      const connect = () => {
        if (stopped) return;
        req = request({ socketPath: this.socketPath, path: '/events?type=trace', method: 'GET' }, (res) => {
          if (res.statusCode !== 200) { res.resume(); retry(); return; }
          settle();
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              try {
                const e = JSON.parse(line) as TraceEvent;
                if (typeof e.name === 'string') listener(e);
              } catch { /* a torn line from a dying daemon: skip it */ }
            }
          });
          res.on('end', () => retry());
          res.on('error', () => retry());
        });
        req.on('error', () => retry());
        req.end();
      };
      connect();
    });
  }
}
