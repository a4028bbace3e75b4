import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { Client } from '../../engine/client/client.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'dist/cli/main.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface TestDaemon {
  root: string;
  socket: string;
  cgroupParent: string;
  client: Client;
  process: ChildProcess;
  /** the daemon's ("the host's") network namespace, as readlink /proc/<pid>/ns/net shows it */
  netns: string;
  env: Record<string, string>;
  /** runs the real CLI against this daemon */
  cli(args: string[], opts?: { input?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<CliResult>;
  stop(): Promise<void>;
}

/**
 * A private boxlabd for one test file: its own state root, socket and cgroup parent, so test files never
 * share state with each other or with a learner's daemon. `stop` resets (removes every container) first.
 */
// `restartOf`: a daemon that was killed — the new one takes over its root, socket and cgroup parent (give
// `netnsOf` a pid still in its "host" namespace, e.g. a container's shim)
export async function startDaemon(opts: { netnsOf?: number; restartOf?: TestDaemon; daemonArgs?: string[] } = {}): Promise<TestDaemon> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the tests');
  const root = opts.restartOf?.root ?? mkdtempSync(join(tmpdir(), 'boxlab-test-'));
  const socket = join(root, 'boxlab.sock');
  const cgroupParent = opts.restartOf?.cgroupParent ?? `boxlab-test-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const env = { BOXLAB_ROOT: root, BOXLAB_SOCKET: socket, BOXLAB_CGROUP_PARENT: cgroupParent };
  // The daemon runs in a throwaway network namespace that plays "the host": its bridge, veths and iptables
  // rules never touch the machine's own. unshare(1) and sh exec the daemon, so the pid is the daemon's.
  // Its loopback comes up first, as a real host's is (published ports are reached through 127.0.0.1).
  // `netnsOf`: share another test daemon's "host" namespace instead (two daemons that reach one loopback service)
  // `daemonArgs`: more `boxlab daemon` flags (e.g. --cluster-store)
  const enter = opts.netnsOf ? ['nsenter', `--net=/proc/${opts.netnsOf}/ns/net`, '--', 'sh', '-c', 'exec "$0" "$@"'] : ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'];
  const child = spawn(enter[0]!, [...enter.slice(1),
    process.execPath, CLI, '--root', root, '--socket', socket, 'daemon', '--cgroup-parent', cgroupParent, ...(opts.daemonArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const client = new Client(socket);
  // Generous: under TCG emulation (the cgroup v2 guest) Node alone takes seconds to start.
  const deadline = Date.now() + 60_000;
  while (!(await client.ping())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
      throw new Error(`boxlabd ${child.exitCode !== null ? 'exited' : 'did not answer within 60 s'}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    root, socket, cgroupParent, client, process: child, env, netns: readlinkSync(`/proc/${child.pid}/ns/net`),
    async cli(args, opts = {}) {
      // The CLI (and what it runs: a lesson's host commands) lives in the daemon's network namespace too, the
      // one that plays the host.
      const r = await execa('nsenter', [`--net=/proc/${child.pid}/ns/net`, '--', process.execPath, CLI, ...args], {
        env: { ...process.env, ...env, ...opts.env }, reject: false, input: opts.input ?? '', timeout: opts.timeoutMs ?? 60_000,
      });
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
    },
    async stop() {
      try {
        await client.post('/boxlab/reset');
      } catch {
        // daemon already gone
      }
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface CourseDaemon extends TestDaemon {
  /** the private progress folder (BOXLAB_STATE) that every `cli` call gets unless its env names another */
  state: string;
}

/**
 * A private daemon for the course's tests (lessons, tasks, interview, translations): `startDaemon` plus a
 * progress folder of its own, so a headless run's progress never lands in the learner's. `stop` removes both.
 */
export async function startCourseDaemon(): Promise<CourseDaemon> {
  const state = mkdtempSync(join(tmpdir(), 'boxlab-course-state-'));
  let daemon: TestDaemon;
  try {
    daemon = await startDaemon();
  } catch (e) {
    rmSync(state, { recursive: true, force: true });
    throw e;
  }
  return {
    ...daemon,
    state,
    cli: (args, opts = {}) => daemon.cli(args, { ...opts, env: { BOXLAB_STATE: state, ...opts.env } }),
    async stop() {
      await daemon.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
