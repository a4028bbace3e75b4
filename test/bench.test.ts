import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/daemon.js';

// The benchmarks in their --short mode (one round, no warm-up): CI checks that they complete and print every
// row; the figures themselves are read by people (docs/performance.md), never asserted.
describe('benchmarks (--short)', () => {
  it('start-time prints a row for each case, with a peer beside it', async () => {
    const r = await execa(process.execPath, ['dist/bench/start-time.js', '--short'], { cwd: REPO, reject: false, timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    for (const row of ['boxlab API, --network none', 'boxlab API, default bridge', 'boxlab run --rm --network none busybox true',
      'boxlab exec bench-exec true', 'boxlab --version', 'boxlab ps', 'unshare']) expect(r.stdout).toContain(row);
  }, 150_000);

  it('phases prints the per-phase table of both network modes', async () => {
    const r = await execa(process.execPath, ['dist/bench/phases.js', '--short'], { cwd: REPO, reject: false, timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    for (const row of ['--network none', '--network bridge', 'API start', 'cgroup mkdir/write/rmdir', 'veth add/del', 'init: overlay mount']) {
      expect(r.stdout).toContain(row);
    }
  }, 150_000);

  it('shim prints the shims\' memory, the restart and the start latency beside BOXLAB_SHIM=0', async () => {
    const r = await execa(process.execPath, ['dist/bench/shim.js', '--short'], { cwd: REPO, reject: false, timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    for (const row of ['RSS per shim', 'PSS per shim', 'ps answered in', 'daemon parent']) expect(r.stdout).toContain(row);
  }, 150_000);

  it('bulk prints run -d, ps and the daemon\'s memory', async () => {
    const r = await execa(process.execPath, ['dist/bench/bulk.js', '--short'], { cwd: REPO, reject: false, timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    for (const row of ['boxlab run -d --network none', 'boxlab ps with 3 running', 'boxlabd RSS: idle']) expect(r.stdout).toContain(row);
  }, 150_000);
});
