/**
 * Many containers (issue 22, "bulk" and "memory"): N× `boxlab run -d --network none busybox sleep`, one after
 * another, then `boxlab ps` with N running, beside `runc run --detach` ×N and `runc list`; boxlabd's RSS idle
 * and with N running (per container: the difference / N; boxlab has no per-container monitor process, where
 * podman keeps a conmon of ~2 MB each). Docker's daemon is not installed here (only its CLI), so no docker row.
 *
 * Usage: node dist/bench/bulk.js [N=100] [--short]   (--short: N=3)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../engine/images/index.js';
import { bundle } from './bundle.js';
import { CLI, inThrowawayNetns, ms, startBenchDaemon, stats, timed } from './harness.js';

const short = process.argv.includes('--short');
const n = short ? 3 : Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100);
const quiet = { stdio: 'ignore' as const };

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const d = await startBenchDaemon();
  const work = mkdtempSync(join(tmpdir(), 'boxlab-bench-bulk-'));
  const rows: [string, number[]][] = [];
  const notes: string[] = [];
  const runcIds: string[] = [];
  const state = join(work, 'runc-state');
  try {
    const cli = (args: string[]): void => void execFileSync(process.execPath, [CLI, ...args], { env: d.env, ...quiet });
    cli(['run', '--rm', '--network', 'none', 'busybox', 'true']); // the image, the page cache
    await new Promise((r) => setTimeout(r, 500)); // the warm init is back
    const idle = rssMb(d.pid);
    const runs: number[] = [];
    for (let i = 0; i < n; i++) runs.push(await timed(() => cli(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])));
    rows.push([`boxlab run -d --network none (×${n}, each)`, runs]);
    const ps: number[] = [];
    for (let i = 0; i < 5; i++) ps.push(await timed(() => cli(['ps'])));
    rows.push([`boxlab ps with ${n} running`, ps]);
    const full = rssMb(d.pid);
    notes.push(`boxlabd RSS: idle ${idle.toFixed(1)} MB, with ${n} running ${full.toFixed(1)} MB, ${((full - idle) * 1024 / n).toFixed(0)} kB per container`);

    if (spawnSync('sh', ['-c', 'command -v runc']).status === 0) {
      const store = new ImageStore(d.root);
      const b = bundle(join(work, 'runc-sleep'), store.layerDirs(store.resolve('busybox'))[0]!, ['/bin/sleep', '600']);
      const rr: number[] = [];
      for (let i = 0; i < n; i++) {
        const id = `bulk${process.pid}-${i}`;
        rr.push(await timed(() => execFileSync('runc', ['--root', state, 'run', '--detach', '--bundle', b, id], quiet)));
        runcIds.push(id);
      }
      rows.push([`runc run --detach (×${n}, each)`, rr]);
      const list: number[] = [];
      for (let i = 0; i < 5; i++) list.push(await timed(() => execFileSync('runc', ['--root', state, 'list'], quiet)));
      rows.push([`runc list with ${n} running`, list]);
    }
  } finally {
    for (const id of runcIds) spawnSync('runc', ['--root', state, 'delete', '--force', id], quiet);
    await d.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`bulk: ${n} containers one after another (ms)`);
  console.log(`${'what'.padEnd(44)} ${'median'.padStart(7)} ${'p10'.padStart(7)} ${'p90'.padStart(7)} ${'total'.padStart(8)}`);
  for (const [label, samples] of rows) {
    const s = stats(samples);
    console.log(`${label.padEnd(44)} ${ms(s.median).padStart(7)} ${ms(s.p10).padStart(7)} ${ms(s.p90).padStart(7)} ${ms(samples.reduce((a, b) => a + b, 0)).padStart(8)}`);
  }
  for (const note of notes) console.log(note);
}

inThrowawayNetns();
await main();
