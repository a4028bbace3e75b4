import { ndjsonSplitter } from '../client/ndjson.js';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Socket } from 'node:net';
import * as sys from '../sys/calls.js';
import { CLONE, NAMESPACES, decodeClone, type NamespaceKind } from '../sys/flags.js';
import { emitTrace } from '../sys/trace.js';
import { InitFailure, type InitConfig, type InitMessage } from './protocol.js';
import { SHIM_PATH, ShimControl } from './shim.js';

export const INIT_PATH = fileURLToPath(new URL('./init.js', import.meta.url));

/** The namespaces the container's init starts in: created fresh, joined from a path, or the host's. */
export type NamespacePlan = Partial<Record<Exclude<NamespaceKind, 'user'>, 'new' | 'host' | { join: string }>>;

let originals: Map<NamespaceKind, number> | undefined;

/**
 * Keeps fds of the daemon's own namespaces so the main thread can come back after spawning an init.
 * setns(mnt) refuses a thread that shares its fs_struct with others (EINVAL); unsharing CLONE_FS once,
 * up front, is the Node answer to what Go runtimes solve with a cgo constructor (docs/architecture.md,
 * "Namespaces from Node").
 */
function originalNamespaces(): Map<NamespaceKind, number> {
  if (originals) return originals;
  sys.unshare(CLONE.FS);
  originals = new Map();
  for (const kind of ['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup'] as const) {
    originals.set(kind, sys.openPath(`/proc/self/ns/${kind}`));
  }
  return originals;
}

export interface SpawnInitOptions {
  plan: NamespacePlan;
  /** what the init gets as fds 0, 1, 2 */
  stdio: ('pipe' | 'ignore' | number)[];
  /** new session (setsid) for a tty-owning init */
  newSession: boolean;
  /**
   * A single-threaded program that execs the init after doing what a threaded Node process cannot — create or
   * join a user namespace (util-linux unshare/nsenter). Its argv ends with "--".
   */
  launcher?: string[];
  /** fds the init inherits after the sync socket (as 4, 5, …), e.g. a namespace to join */
  extraFds?: number[];
  /**
   * Spawn through boxlab-shim, which clones the init into the new namespaces itself and stays its parent, log
   * writer and exit recorder when boxlabd is gone. Only for plans of new namespaces (and the host's).
   */
  shim?: boolean;
}

export interface SpawnedInit {
  /** the init itself, or the shim that is its parent */
  child: ChildProcess;
  sync: Socket;
  shim?: ShimControl;
}

/**
 * The shim's way: boxlabd's threads never change namespaces; the single-threaded shim clone()s the init with
 * the plan's flags, so the init is pid 1 of its new pid namespace and the shim stays outside every one of them.
 */
function spawnShimmed(opts: SpawnInitOptions): SpawnedInit {
  let flags = 0;
  for (const [kind, how] of Object.entries(opts.plan) as [Exclude<NamespaceKind, 'user'>, NamespacePlan['mnt']][]) {
    if (how === undefined || how === 'host') continue;
    if (how !== 'new') throw new Error(`boxlab-shim cannot join a namespace (${kind})`);
    if (kind !== 'cgroup') flags |= NAMESPACES[kind];
  }
  const [parentEnd, childEnd] = sys.socketpair();
  const start = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(SHIM_PATH, [String(flags), '--', process.execPath, INIT_PATH], { stdio: ['pipe', 'pipe', 'ignore', childEnd], detached: true, env: {} });
    child.on('error', () => undefined);
  } finally {
    sys.closeFd(childEnd);
  }
  const shim = new ShimControl(child);
  void shim.initPid.then((pid) => emitTrace({ time: start, kind: 'syscall', name: 'clone',
    args: `boxlab-shim: clone(${decodeClone(flags)}) node init.js (the shim stays its parent)`,
    result: String(pid), durationMs: Date.now() - start }), () => undefined);
  return { child, sync: new Socket({ fd: parentEnd, readable: true, writable: true }), shim };
}

/**
 * Spawns the init stage inside the planned namespaces. Node's main thread enters them (setns/unshare), spawns
 * (a spawned child inherits the calling thread's namespaces), then returns to its own — all synchronously, so
 * nothing else runs on the main thread in between. CLONE_NEWCGROUP is left to the init itself: it must be
 * unshared after the parent has moved it into its cgroup, or the namespace root would be the daemon's cgroup.
 */
export function spawnInit(opts: SpawnInitOptions): SpawnedInit {
  if (opts.shim) return spawnShimmed(opts);
  const own = originalNamespaces();
  const [parentEnd, childEnd] = sys.socketpair();
  const changed: NamespaceKind[] = [];
  let child: ChildProcess;
  const joinFds: [Exclude<NamespaceKind, 'user'>, number, string][] = [];
  try {
    let createFlags = 0;
    // Open every namespace to join before entering any: once inside the target's mount namespace, its
    // /proc shows a different pid namespace and /proc/<pid>/ns/... of the target no longer resolves.
    for (const [kind, how] of Object.entries(opts.plan) as [Exclude<NamespaceKind, 'user'>, NamespacePlan['mnt']][]) {
      if (how === undefined || how === 'host') continue;
      if (how === 'new') {
        if (kind !== 'cgroup') createFlags |= NAMESPACES[kind];
        continue;
      }
      joinFds.push([kind, sys.openPath(how.join), how.join]);
    }
    // The mount namespace last: setns(mnt) also moves the thread's root and cwd.
    joinFds.sort((a, b) => Number(a[0] === 'mnt') - Number(b[0] === 'mnt'));
    for (const [kind, fd, label] of joinFds) {
      sys.setns(fd, NAMESPACES[kind], label);
      changed.push(kind);
    }
    for (const kind of Object.keys(NAMESPACES) as NamespaceKind[]) {
      if (kind !== 'user' && kind !== 'cgroup' && (createFlags & NAMESPACES[kind]) !== 0) changed.push(kind);
    }
    if (createFlags !== 0) sys.unshare(createFlags);
    const stdio = [...opts.stdio, childEnd, ...(opts.extraFds ?? [])] as StdioOptions;
    const start = Date.now();
    const argv = [...(opts.launcher ?? []), process.execPath, INIT_PATH];
    child = spawn(argv[0]!, argv.slice(1), { stdio, detached: opts.newSession, env: {} });
    // A failed spawn is reported as an 'error' event; unhandled, it would take the daemon down.
    child.on('error', () => undefined);
    emitTrace({ time: start, kind: 'syscall', name: 'clone', args: `${opts.launcher ? `${opts.launcher.join(' ')} ` : ''}node init.js (inherits ${changed.join(', ') || 'no'} namespaces)`, result: String(child.pid ?? -1), durationMs: Date.now() - start });
  } finally {
    for (const kind of changed) sys.setns(own.get(kind)!, NAMESPACES[kind], `/proc/${process.pid}/ns/${kind}`);
    for (const [, fd] of joinFds) sys.closeFd(fd);
    sys.closeFd(childEnd);
  }
  const sync = new Socket({ fd: parentEnd, readable: true, writable: true });
  return { child, sync };
}

/** Sends the config and collects the init's answers until it execs (the socket closes) or fails. */
export function releaseInit(init: SpawnedInit, config: InitConfig, onTrace: (e: InitMessage & { type: 'trace' }) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let outcome: InitMessage | undefined;
    init.sync.on('data', ndjsonSplitter<InitMessage>((msg) => {
      if (msg.type === 'trace') onTrace(msg);
      else outcome = msg;
    }));
    init.sync.on('error', () => undefined);
    init.sync.on('close', () => {
      if (outcome?.type === 'exec') resolve();
      else if (outcome?.type === 'error') reject(new InitFailure(outcome.message, outcome.exitCode));
      else reject(new InitFailure('container init exited before it could start the command', 125));
    });
    init.sync.write(`${JSON.stringify(config)}\n`);
  });
}
