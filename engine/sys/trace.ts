import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';

/**
 * One traced operation: a libc call made through engine/sys, or a host command run through execa.
 * The trace is the course's main teaching instrument: the learner sees the kernel calls each command makes, so events carry decoded flags and
 * errno names rather than raw numbers.
 */
export interface TraceEvent {
  /** epoch milliseconds when the operation started */
  time: number;
  kind: 'syscall' | 'command' | 'note';
  /** `mount`, `pivot_root`, `ip` ... */
  name: string;
  /** human-readable arguments, flags already decoded */
  args: string;
  /** `0`, a pid, an fd, `exit 0`; absent when the call failed */
  result?: string;
  /** errno name (`ENOENT`) or a command's failure summary */
  error?: string;
  durationMs: number;
  /** id of the container the operation was for, when known */
  container?: string;
  /** pid of the process that made the call (the daemon, or a container's init stage) */
  pid: number;
}

const bus = new EventEmitter();
bus.setMaxListeners(0);
const scope = new AsyncLocalStorage<{ container?: string }>();

/** Runs `fn` with every trace event inside it tagged with `container`. */
export function withContainer<T>(container: string, fn: () => T): T {
  return scope.run({ container }, fn);
}

export function currentContainer(): string | undefined {
  return scope.getStore()?.container;
}

export function emitTrace(event: Omit<TraceEvent, 'pid' | 'container'> & { container?: string; pid?: number }): void {
  if (bus.listenerCount('event') === 0) return;
  const container = event.container ?? currentContainer();
  const full: TraceEvent = { ...event, pid: event.pid ?? process.pid };
  if (container !== undefined) full.container = container;
  bus.emit('event', full);
}

/** Subscribes to trace events; returns the unsubscribe function. */
export function onTrace(listener: (event: TraceEvent) => void): () => void {
  bus.on('event', listener);
  return () => bus.off('event', listener);
}

/** A short note in the trace, for steps that are not a single call ("init: waiting for the parent"). */
export function traceNote(name: string, args: string): void {
  emitTrace({ time: Date.now(), kind: 'note', name, args, durationMs: 0 });
}

/** `mount(none, /proc, proc, MS_NOSUID) = 0` — the strace-like line the CLI and TUI print. */
export function formatTrace(e: TraceEvent): string {
  const outcome = e.error !== undefined ? `-1 ${e.error}` : (e.result ?? '');
  const ms = e.durationMs >= 1 ? e.durationMs.toFixed(1) : e.durationMs.toFixed(2);
  if (e.kind === 'command') return `$ ${e.name} ${e.args}  → ${outcome} (${ms} ms)`;
  if (e.kind === 'note') return `# ${e.name}: ${e.args}`;
  return `${e.name}(${e.args}) = ${outcome} (${ms} ms)`;
}
