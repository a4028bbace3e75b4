/**
 * What the benchmarks share: a private boxlabd in a throwaway network namespace (the one test/helpers/daemon.ts
 * makes for tests: its bridge, veths and iptables rules never touch the machine's), and the statistics.
 * On a shared machine single timings mean little: compare medians of cases measured in the same run,
 * alternating, and read the spread (p10–p90) beside them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../engine/client/client.js';

export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface BenchDaemon {
  root: string;
  socket: string;
  /** the environment that points the CLI at this daemon */
  env: NodeJS.ProcessEnv;
  client: Client;
  pid: number;
  stop(): Promise<void>;
}

/** `nodeArgs`: for the daemon's node (`--cpu-prof` to see where its JavaScript spends the time). */
export async function startBenchDaemon(opts: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<BenchDaemon> {
  const root = mkdtempSync(join(tmpdir(), 'boxlab-bench-'));
  const socket = join(root, 'boxlab.sock');
  const cgroupParent = `boxlab-bench-${process.pid}`;
  const env = { ...process.env, BOXLAB_ROOT: root, BOXLAB_SOCKET: socket, BOXLAB_CGROUP_PARENT: cgroupParent, ...opts.env };
  const child: ChildProcess = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"',
    process.execPath, ...(opts.nodeArgs ?? []), CLI, '--root', root, '--socket', socket, 'daemon', '--cgroup-parent', cgroupParent],
  { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const client = new Client(socket);
  const deadline = Date.now() + 60_000;
  while (!(await client.ping())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
      throw new Error(`boxlabd did not come up: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    root, socket, env, client, pid: child.pid!,
    async stop() {
      await client.post('/boxlab/reset').catch(() => undefined);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Stats {
  median: number;
  p10: number;
  p90: number;
  n: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round((s.length - 1) * q)))] ?? NaN;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), n: s.length };
}

export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
