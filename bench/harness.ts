/**
 * What the benchmarks share: a throwaway network namespace for the whole benchmark (the bridge, veths and
 * iptables rules of its daemon never touch the machine's, as test/helpers/daemon.ts does for tests), a private
 * boxlabd started the way the CLI starts one (engine/client/daemon-start.ts), and the statistics.
 * On a shared machine single timings mean little: compare medians of cases measured in the same run,
 * alternating, and read the spread (p10–p90) beside them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '../engine/client/client.js';
import { connect } from '../engine/client/daemon-start.js';
import { statePaths } from '../engine/paths.js';

export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

const IN_NETNS = 'BOXLAB_BENCH_NETNS';

/**
 * Runs this benchmark again inside `unshare --net` (loopback up) unless it already is there, and exits with
 * its status; returns only inside the namespace. Everything the benchmark starts (the daemon, the CLI, runc)
 * inherits the namespace.
 */
export function inThrowawayNetns(): void {
  if (process.env[IN_NETNS] === '1') return;
  const r = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [IN_NETNS]: '1' } });
  process.exit(r.status ?? 1);
}

export interface BenchDaemon {
  root: string;
  socket: string;
  /** the environment that points the CLI at this daemon */
  env: NodeJS.ProcessEnv;
  client: Client;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchDaemon(): Promise<BenchDaemon> {
  if (process.env[IN_NETNS] !== '1') throw new Error('call inThrowawayNetns() first: the benchmark daemon makes bridges and iptables rules');
  const root = mkdtempSync(join(tmpdir(), 'boxlab-bench-'));
  const socket = join(root, 'boxlab.sock');
  const cgroupParent = `boxlab-bench-${process.pid}`;
  const env = { ...process.env, BOXLAB_ROOT: root, BOXLAB_SOCKET: socket, BOXLAB_CGROUP_PARENT: cgroupParent };
  const client = await connect({ socket, root, cgroupParent });
  const pid = Number(readFileSync(statePaths(root).pidFile, 'utf8'));
  return {
    root, socket, env, client, pid,
    async stop() {
      // whatever happened: reset (containers, bridge, chains), then SIGTERM by pid and wait for it to go
      await client.post('/boxlab/reset').catch(() => undefined);
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
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
