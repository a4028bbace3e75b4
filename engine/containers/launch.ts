import { ReadStream } from 'node:tty';
import { write } from 'node:fs';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import * as sys from '../sys/calls.js';
import { emitTrace } from '../sys/trace.js';
import { spawnInit, releaseInit, type NamespacePlan } from '../namespaces/spawn.js';
import { isFreshPlan, type InitPool } from '../namespaces/pool.js';
import { shimAvailable, type ShimSetup } from '../namespaces/shim.js';
import { clearShimExit, connectShim } from './shim-client.js';
import type { InitConfig } from '../namespaces/protocol.js';
import type { ProcessIO } from './io.js';
import { constants } from 'node:os';

const sysSignals = constants.signals as Record<string, number>;

export interface LaunchOptions {
  plan: NamespacePlan;
  config: InitConfig;
  tty: boolean;
  openStdin: boolean;
  consoleSize?: [number, number] | null;
  /** the caller's listeners (log, attached clients) are on it before any output can arrive */
  io: ProcessIO;
  /** warm inits for plain runs (no tty, all namespaces new) */
  pool?: InitPool;
  /** argv of a single-threaded launcher that execs the init (user namespaces: util-linux unshare/nsenter) */
  launcher?: string[];
  /** fds the init inherits as 4, 5, … (closed here once it has them) */
  extraFds?: number[];
  /** stdin as an fd the caller owns (a pipe it keeps writing to even after a launcher has gone) */
  stdinFd?: { read: number; write: number };
  /**
   * Runs after the init exists and before it is released: cgroup placement, network wiring. May name the
   * real init (when a launcher forked it and it was re-parented to the daemon) and amend the config.
   */
  prepare: (pid: number) => Promise<Prepared | void> | Prepared | void;
  /**
   * A container's own process (not an exec): started under boxlab-shim when the plan allows it (no tty, no
   * launcher, all namespaces new), so its output, log and exit survive the daemon.
   */
  shim?: ShimSetup;
}

export interface Prepared {
  /** the init's pid when it is not the spawned child (adopted from a launcher) */
  pid?: number;
  config?: Partial<InitConfig>;
}

export interface ExitStatus {
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** when the shim saw the exit (it may be long before a restarted daemon learns of it) */
  finishedAt?: string;
  /** why the status is not the process's own */
  error?: string;
}

export interface Launched {
  /** the process boxlabd spawned (the init, or its shim); none for a shim found after a daemon restart */
  child?: ChildProcess;
  pid: number;
  /** the boxlab-shim that is the init's parent */
  shimPid?: number;
  io: ProcessIO;
  /** resolves with the exit status once the process has exited and its output is drained */
  exited: Promise<ExitStatus>;
}

/** Writes keystrokes to a non-blocking pty master, retrying when the kernel's buffer is full. */
function ptyWriter(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const attempt = (offset: number): void => {
        write(fd, chunk, offset, chunk.length - offset, null, (err, n) => {
          if (err && (err as NodeJS.ErrnoException).code === 'EAGAIN') setTimeout(() => attempt(offset), 5);
          else if (err) done(err);
          else if (offset + n < chunk.length) attempt(offset + n);
          else done();
        });
      };
      attempt(0);
    },
  });
}

/**
 * Starts one process through the init stage: spawn into the namespaces, let `prepare` place it, release it
 * with its config and wait for the execve. On failure the half-started process is killed and reaped before
 * the error propagates, so the caller only has to undo what `prepare` did.
 */
/**
 * The exit of an init the daemon adopted (re-parented to it as subreaper, so not libuv's child): polled with
 * waitpid(pid, WNOHANG), never waitpid(-1), which would steal libuv's own children.
 */
function adoptedExit(pid: number): Promise<number> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      let code: number | undefined;
      try {
        code = sys.waitpidNoHang(pid);
      } catch {
        code = 255;
      }
      if (code === undefined) return;
      clearInterval(timer);
      resolve(code);
    }, 20);
  });
}

/** Whether this start goes through boxlab-shim (docs/live-restore.md says which starts do not yet). */
export function usesShim(opts: LaunchOptions): boolean {
  return opts.shim !== undefined && !opts.tty && !opts.launcher && !opts.extraFds && !opts.stdinFd && isFreshPlan(opts.plan) && shimAvailable();
}

/** The shim's way of launch(): the shim spawns and reaps the init; the daemon only talks to the shim. */
async function launchShimmed(opts: LaunchOptions, setup: ShimSetup): Promise<Launched> {
  const { io } = opts;
  const warm = opts.pool?.shimmed ? opts.pool.take() : undefined;
  const init = warm ?? spawnInit({ plan: opts.plan, stdio: ['pipe', 'pipe', 'pipe'], newSession: true, shim: true });
  const shim = init.shim!;
  const shimPid = init.child.pid!;
  let pid: number | undefined;
  let conn: Awaited<ReturnType<typeof connectShim>> | undefined;
  try {
    pid = await shim.initPid;
    clearShimExit(setup.dir);
    await shim.configure(setup);
    conn = await connectShim(shimPid, setup.dir, io);
    if (opts.openStdin) io.stdin = conn.stdin;
    const prepared = (await opts.prepare(pid)) ?? {};
    await releaseInit(init, { ...opts.config, ...prepared.config }, (m) => emitTrace(m.event));
  } catch (e) {
    init.sync.destroy();
    shim.abandon();
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (init.child.exitCode === null && init.child.signalCode === null) await new Promise((r) => init.child.once('exit', r));
    conn?.close();
    io.finish();
    clearShimExit(setup.dir);
    throw e;
  }
  const initPid = pid;
  const exited = conn.exited.then(async (s): Promise<ExitStatus> => {
    if (s) return { exitCode: s.ExitCode, signal: null, finishedAt: s.FinishedAt };
    // The shim was killed: nobody reads the container's output any more (its next write would get SIGPIPE)
    // and nobody would learn its exit. It is ended, and reaped here (re-parented to the subreaper daemon).
    try {
      process.kill(initPid, 'SIGKILL');
    } catch {
      // gone already
    }
    await adoptedExit(initPid);
    return { exitCode: 137, signal: null, error: 'boxlab-shim was killed; boxlabd killed the container, which had lost its supervisor' };
  });
  return { child: init.child, pid, shimPid, io, exited };
}

export async function launch(opts: LaunchOptions): Promise<Launched> {
  if (opts.shim && usesShim(opts)) return launchShimmed(opts, opts.shim);
  const { io } = opts;
  let pty: sys.Pty | undefined;
  let stdio: ('pipe' | 'ignore' | number)[];
  if (opts.tty) {
    pty = sys.openPty();
    if (opts.consoleSize) sys.setWindowSize(pty.master, opts.consoleSize[0], opts.consoleSize[1]);
    stdio = [pty.slave, pty.slave, pty.slave];
  } else {
    stdio = [opts.stdinFd?.read ?? (opts.openStdin ? 'pipe' : 'ignore'), 'pipe', 'pipe'];
  }
  let init = !opts.tty && !opts.launcher && opts.pool && !opts.pool.shimmed && isFreshPlan(opts.plan) ? opts.pool.take() : undefined;
  if (init && !opts.openStdin) init.child.stdin?.end(); // like docker's /dev/null: reads see end of file
  try {
    init ??= spawnInit({ plan: opts.plan, stdio, newSession: opts.tty, ...(opts.launcher && { launcher: opts.launcher }),
      ...(opts.extraFds && { extraFds: opts.extraFds }) });
  } finally {
    for (const fd of opts.extraFds ?? []) sys.closeFd(fd);
    // The child holds its own copy of the slave; ours would keep the terminal open after it exits.
    if (pty) sys.closeFd(pty.slave);
    if (opts.stdinFd) sys.closeFd(opts.stdinFd.read);
  }
  const { child } = init;
  const pid = child.pid;
  if (pid === undefined) {
    if (pty) sys.closeFd(pty.master);
    throw new Error('could not start the container init process');
  }

  let outputDone: Promise<void>;
  if (pty) {
    io.ptyMaster = pty.master;
    const master = new ReadStream(pty.master);
    io.stdin = ptyWriter(pty.master);
    outputDone = new Promise<void>((resolve) => {
      master.on('data', (chunk: Buffer) => io.push('stdout', chunk));
      // EIO on the master means the last slave fd closed: the terminal's end of file.
      master.on('error', () => resolve());
      master.on('end', () => resolve());
      master.on('close', () => resolve());
    }).then(() => {
      master.destroy();
    });
  } else {
    if (opts.stdinFd) {
      const sock = new Socket({ fd: opts.stdinFd.write, readable: false, writable: true });
      sock.on('error', () => undefined);
      io.stdin = sock;
    } else if (child.stdin) io.stdin = child.stdin;
    child.stdin?.on('error', () => undefined);
    const drain = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): Promise<void> =>
      new Promise((resolve) => {
        if (!stream) return resolve();
        stream.on('data', (chunk: Buffer) => io.push(name, chunk));
        stream.on('end', resolve);
        stream.on('error', () => resolve());
      });
    outputDone = Promise.all([drain(child.stdout, 'stdout'), drain(child.stderr, 'stderr')]).then(() => undefined);
  }

  const childExit = new Promise<{ exitCode: number; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      const signo = signal ? (sysSignals[signal] ?? 0) : 0;
      resolve({ exitCode: code ?? 128 + signo, signal });
    });
  });
  let initPid = pid;
  const drained = async <T>(status: T): Promise<T> => {
    // Output still buffered in the pipe/pty is drained before the exit is reported; a stray process holding
    // the terminal open must not hold the exit back forever.
    await Promise.race([outputDone, new Promise((r) => setTimeout(r, 2000))]);
    io.finish();
    return status;
  };

  let exited: Launched['exited'];
  try {
    const prepared = (await opts.prepare(pid)) ?? {};
    if (prepared.pid !== undefined && prepared.pid !== pid) initPid = prepared.pid;
    await releaseInit(init, { ...opts.config, ...prepared.config }, (m) => emitTrace(m.event));
  } catch (e) {
    for (const p of new Set([pid, initPid])) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await childExit;
    if (initPid !== pid) await adoptedExit(initPid);
    await drained(undefined);
    throw e;
  }
  exited = initPid === pid ? childExit.then(drained) : adoptedExit(initPid).then((exitCode) => drained({ exitCode, signal: null }));
  return { child, pid: initPid, io, exited };
}
