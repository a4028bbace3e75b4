import { formatTrace, type TraceEvent } from '../engine/sys/trace.js';
import { t } from '../i18n/index.js';

/**
 * The trace pane's reading of a step: events grouped by the phase of the request they served, repeated calls
 * folded. Phases follow one `run`: client → API, create, start, the init stage inside the namespaces, then
 * wait/exit. Everything is derived from what the events carry: the daemon's `api` notes (one per request)
 * mark where a request begins, events from another pid than the daemon's come from the container's init stage
 * (its trace is forwarded over the sync socket), and the warm pool's refill is recognised by its calls.
 */
export type Phase = 'daemon' | 'api' | 'create' | 'start' | 'pool' | 'init' | 'exec' | 'exit';

/** Phase headings, in the language shown (i18n/: phaseDaemon …). */
export const PHASE_TITLE: Record<Phase, string> = {
  get daemon() { return t().phaseDaemon; },
  get api() { return t().phaseApi; },
  get create() { return t().phaseCreate; },
  get start() { return t().phaseStart; },
  get pool() { return t().phasePool; },
  get init() { return t().phaseInit; },
  get exec() { return t().phaseExec; },
  get exit() { return t().phaseExit; },
};

function phaseOfRequest(args: string): Phase {
  const [method = '', path = ''] = args.split(' ');
  if (method === 'POST' && /^\/containers\/create$/.test(path)) return 'create';
  if (method === 'POST' && /^\/containers\/[^/]+\/start$/.test(path)) return 'start';
  if (method === 'POST' && /^\/exec\/[^/]+\/start$/.test(path)) return 'exec';
  if (method === 'DELETE' || /\/(kill|stop)$/.test(path)) return 'exit';
  return 'api';
}

/** What a daemon does once a container's process has exec'd: reap it, take its cgroup and mounts away. */
const TEARDOWN = new Set(['rmdir', 'umount', 'umount2', 'waitpid', 'unlink']);

/** The daemon's pid: the one its `api` notes carry, else the most frequent one. */
function daemonPid(events: TraceEvent[]): number | undefined {
  const api = events.find((e) => e.kind === 'note' && e.name === 'api');
  if (api) return api.pid;
  const count = new Map<number, number>();
  for (const e of events) count.set(e.pid, (count.get(e.pid) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The phase of each event, in order. */
export function phases(events: TraceEvent[]): Phase[] {
  const daemon = daemonPid(events);
  let current: Phase = 'daemon';
  let initRan = false;
  // the warm pool refills itself: unshare(new namespaces), clone `node init.js`, setns back home
  let refilling = false;
  const out: Phase[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'note' && e.name === 'api') {
      current = phaseOfRequest(e.args);
      initRan = false;
      refilling = false;
      out.push(current);
      return;
    }
    if (e.pid !== daemon) {
      initRan = true;
      out.push(current === 'exec' ? 'exec' : 'init');
      return;
    }
    if (e.kind === 'syscall' && e.name === 'unshare' && e.args.includes('CLONE_NEWPID')) {
      refilling = true;
      if (events[i - 1]?.name === 'socketpair' && out[i - 1] !== undefined) out[i - 1] = 'pool';
    } else if (refilling && !(e.kind === 'syscall' && (e.name === 'clone' || e.name === 'setns'))) refilling = false;
    if (refilling) { out.push('pool'); return; }
    // after the init has exec'd, the daemon waits for the container and tears it down
    if (initRan && current !== 'exec' && TEARDOWN.has(e.name)) current = 'exit';
    out.push(current);
  });
  return out;
}

export type TraceRow =
  | { kind: 'phase'; phase: Phase; title: string }
  | { kind: 'event'; event: TraceEvent; text: string; count: number };

/** The first argument of a call (`PR_CAPBSET_DROP` of `prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)`). */
function firstArg(args: string): string {
  const i = args.indexOf(', ');
  return i < 0 ? args : args.slice(0, i);
}

/** Two events fold into one line: the same call with the same first argument, or the very same operation. */
function foldable(a: TraceEvent, b: TraceEvent): boolean {
  if (a.kind !== b.kind || a.name !== b.name || (a.error === undefined) !== (b.error === undefined)) return false;
  if (a.args === b.args) return true;
  return a.kind === 'syscall' && firstArg(a.args).length < a.args.length && firstArg(a.args) === firstArg(b.args);
}

/** `prctl(PR_CAPBSET_DROP, …) = 0 ×26: CAP_DAC_READ_SEARCH CAP_LINUX_IMMUTABLE …` — what varied, in order. */
function foldedText(run: TraceEvent[]): string {
  const first = run[0]!;
  if (run.length === 1) return formatTrace(first);
  if (run.every((e) => e.args === first.args)) return `${formatTrace(first)} ×${run.length}`;
  const head = firstArg(first.args);
  const rest = run.map((e) => e.args.slice(head.length + 2));
  const outcome = first.error !== undefined ? `-1 ${first.error}` : (first.result ?? '');
  const sep = rest.some((r) => /[\s,]/.test(r)) ? ' · ' : ' ';
  return `${first.name}(${head}, …) = ${outcome} ×${run.length}: ${rest.join(sep)}`;
}

/** Rows of the trace pane: a heading where the phase changes, then its events with repeats folded. */
export function traceRows(events: TraceEvent[]): TraceRow[] {
  const ph = phases(events);
  const rows: TraceRow[] = [];
  let lastPhase: Phase | undefined;
  let i = 0;
  while (i < events.length) {
    const phase = ph[i]!;
    if (phase !== lastPhase) {
      rows.push({ kind: 'phase', phase, title: PHASE_TITLE[phase] });
      lastPhase = phase;
    }
    let j = i + 1;
    while (j < events.length && ph[j] === phase && foldable(events[i]!, events[j]!)) j++;
    const run = events.slice(i, j);
    rows.push({ kind: 'event', event: events[i]!, text: foldedText(run), count: run.length });
    i = j;
  }
  return rows;
}
