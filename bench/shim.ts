/**
 * What boxlab-shim costs (issue 18): memory of idle shims at N running containers, and the start latency it
 * adds, measured against the same build with BOXLAB_SHIM=0 (the daemon as the container's parent).
 *
 *   memory   N containers `sleep 3600` (--network none); per shim: RSS (what `ps` shows; counts libc pages
 *            every shim shares) and PSS (shared pages divided among the processes sharing them: the real cost)
 *   restart  boxlabd SIGKILLed with all N running; time until a new one answers `ps` (and how many it lists)
 *   latency  create + start + wait(removed) of `true` with --rm, --network none, alternating daemons by block
 *
 * Peers for the table (not measured here: not installed): conmon ~2 MB RSS per container (podman's docs and
 * the issue), containerd-shim-runc-v2 ~10–15 MB RSS (a Go process per container, or per pod).
 * Usage: node dist/bench/shim.js [containers=100] [runs=12] [--short]
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from '../engine/client/daemon-start.js';
import { statePaths } from '../engine/paths.js';
import { inThrowawayNetns, ms, startBenchDaemon, stats, timed, type BenchDaemon } from './harness.js';

const short = process.argv.includes('--short');
const nums = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const containers = short ? 3 : (nums[0] ?? 100);
const runs = short ? 1 : (nums[1] ?? 12);

function kb(pid: number, file: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function withDaemon<T>(shim: boolean, work: (d: BenchDaemon) => Promise<T>): Promise<T> {
  if (shim) delete process.env.BOXLAB_SHIM;
  else process.env.BOXLAB_SHIM = '0';
  const d = await startBenchDaemon();
  try {
    return await work(d);
  } finally {
    await d.stop();
  }
}

async function startOne(d: BenchDaemon): Promise<void> {
  const { Id } = await d.client.post<{ Id: string }>('/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true, NetworkMode: 'none' } });
  const waiting = d.client.post(`/containers/${Id}/wait`, undefined, { condition: 'removed' });
  await d.client.post(`/containers/${Id}/start`);
  await waiting;
}

async function main(): Promise<void> {
  inThrowawayNetns();
  delete process.env.BOXLAB_SHIM;
  const memory = await (async () => {
    const d = await startBenchDaemon();
    const shims: number[] = [];
    for (let i = 0; i < containers; i++) {
      const { Id } = await d.client.post<{ Id: string }>('/containers/create', { Image: 'busybox', Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } });
      await d.client.post(`/containers/${Id}/start`);
      const rec = await d.client.get<{ Boxlab: { Shim?: { Pid: number } } }>(`/containers/${Id}/json`);
      if (!rec.Boxlab.Shim) throw new Error('the container did not start under boxlab-shim (not built?)');
      shims.push(rec.Boxlab.Shim.Pid);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rss = shims.map((p) => kb(p, 'status', 'VmRSS'));
    const pss = shims.map((p) => kb(p, 'smaps_rollup', 'Pss'));
    const daemonRss = kb(d.pid, 'status', 'VmRSS');
    // boxlabd SIGKILLed with every container running; the next one (autostarted as the CLI does) re-attaches
    process.kill(d.pid, 'SIGKILL');
    while (existsSync(`/proc/${d.pid}`)) await new Promise((r) => setTimeout(r, 10));
    const t0 = process.hrtime.bigint();
    const client = await connect({ socket: d.socket, root: d.root, cgroupParent: `boxlab-bench-${process.pid}` });
    const running = (await client.get<unknown[]>('/containers/json')).length;
    const restartMs = Number(process.hrtime.bigint() - t0) / 1e6;
    // the restarted daemon is not the one d.stop() knows: reset and stop it here
    const pid = Number(readFileSync(statePaths(d.root).pidFile, 'utf8'));
    await client.post('/boxlab/reset');
    process.kill(pid, 'SIGTERM');
    while (existsSync(d.socket)) await new Promise((r) => setTimeout(r, 50));
    rmSync(d.root, { recursive: true, force: true });
    return { rss: stats(rss), pss: stats(pss), daemonRss, restartMs, running };
  })();
  const latency: Record<'shim' | 'daemon parent', number[]> = { shim: [], 'daemon parent': [] };
  const block = Math.max(1, Math.ceil(runs / 3));
  for (let done = 0; done < runs; done += block) {
    for (const shim of [true, false]) {
      await withDaemon(shim, async (d) => {
        await startOne(d); // warm-up: image cache, pool
        for (let i = 0; i < block; i++) latency[shim ? 'shim' : 'daemon parent'].push(await timed(() => startOne(d)));
      });
    }
  }
  console.log(`boxlab-shim at ${containers} idle containers (sleep 3600, --network none)`);
  console.log(`  RSS per shim   median ${memory.rss.median} kB (p10 ${memory.rss.p10}, p90 ${memory.rss.p90})   conmon ~2048 kB   goal ≤ 1024 kB`);
  console.log(`  PSS per shim   median ${memory.pss.median} kB (p10 ${memory.pss.p10}, p90 ${memory.pss.p90})`);
  console.log(`  boxlabd RSS    ${memory.daemonRss} kB with ${containers} containers (one Node process for all)`);
  console.log(`boxlabd SIGKILLed, restarted: ps answered in ${ms(memory.restartMs)} ms with ${memory.running} of ${containers} running   (issue 18's bar: < 2000 ms)`);
  console.log(`run --rm --network none true: create + start + wait(removed), ${runs} runs each, alternating blocks`);
  for (const [label, samples] of Object.entries(latency)) {
    const s = stats(samples);
    console.log(`  ${label.padEnd(14)} median ${ms(s.median)}  p10 ${ms(s.p10)}  p90 ${ms(s.p90)}`);
  }
}

await main();
