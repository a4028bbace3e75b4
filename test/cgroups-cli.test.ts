import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { detectCgroupMode, listChildren } from '../engine/cgroups/index.js';

// The cgroup features end to end through the real CLI and a private daemon: run flags, inspect, OOMKilled +
// exit 137, pause/unpause, update, stats, and bad input that leaves no cgroup.

const V2 = detectCgroupMode() === 'v2';
let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
});

afterAll(async () => {
  await d?.stop();
});

async function ok(args: string[]): Promise<string> {
  const r = await d.cli(args);
  if (r.exitCode !== 0) throw new Error(`boxlab ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('cgroups through the CLI', () => {
  it('run -m/--cpus/--pids-limit writes the limits; inspect names the cgroup dirs', async () => {
    await ok(['run', '-d', '--name', 'cg-lim', '-m', '32m', '--cpus', '0.5', '--pids-limit', '20', 'busybox', 'sleep', '600']);
    const paths = JSON.parse(await ok(['inspect', '-f', '{{json .Boxlab.CgroupPaths}}', 'cg-lim'])) as Record<string, string>;
    if (V2) {
      expect(readFileSync(`${paths.unified}/memory.max`, 'utf8').trim()).toBe(String(32 * 2 ** 20));
      expect(readFileSync(`${paths.unified}/cpu.max`, 'utf8').trim()).toBe('50000 100000');
    } else {
      expect(readFileSync(`${paths.memory}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(32 * 2 ** 20));
      expect(readFileSync(`${paths.cpu}/cpu.cfs_quota_us`, 'utf8').trim()).toBe('50000');
      expect(readFileSync(`${paths.pids}/pids.max`, 'utf8').trim()).toBe('20');
    }
    // update while it runs
    expect(await ok(['update', '-m', '64m', '--pids-limit', '30', 'cg-lim'])).toBe('cg-lim');
    const limitFile = V2 ? `${paths.unified}/memory.max` : `${paths.memory}/memory.limit_in_bytes`;
    expect(readFileSync(limitFile, 'utf8').trim()).toBe(String(64 * 2 ** 20));
    expect(await ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}', 'cg-lim'])).toBe(`${64 * 2 ** 20} 30`);
    // stats: one sample
    const stats = await ok(['stats', '--no-stream', 'cg-lim']);
    expect(stats).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT/);
    expect(stats).toMatch(/cg-lim\s+\d+\.\d\d%\s+\S+ \/ 64MiB\s+\S+%\s+1 \/ 30/);
    await ok(['rm', '-f', 'cg-lim']);
    for (const dir of Object.values(paths)) expect(existsSync(dir)).toBe(false);
  });

  it('--memory-reservation writes the soft limit (v1 memory.soft_limit_in_bytes, v2 memory.low); update changes it', async () => {
    await ok(['run', '-d', '--name', 'cg-res', '-m', '64m', '--memory-reservation', '32m', 'busybox', 'sleep', '600']);
    const paths = JSON.parse(await ok(['inspect', '-f', '{{json .Boxlab.CgroupPaths}}', 'cg-res'])) as Record<string, string>;
    const file = V2 ? `${paths.unified}/memory.low` : `${paths.memory}/memory.soft_limit_in_bytes`;
    expect(readFileSync(file, 'utf8').trim()).toBe(String(32 * 2 ** 20));
    expect(await ok(['update', '--memory-reservation', '16m', 'cg-res'])).toBe('cg-res');
    expect(readFileSync(file, 'utf8').trim()).toBe(String(16 * 2 ** 20));
    expect(await ok(['inspect', '-f', '{{.HostConfig.MemoryReservation}}', 'cg-res'])).toBe(String(16 * 2 ** 20));
    const tooSmall = await d.cli(['update', '--memory-reservation', '1m', 'cg-res']);
    expect(tooSmall.exitCode).not.toBe(0);
    expect(tooSmall.stderr).toMatch(/--memory-reservation 1MiB is below the minimum of 6MiB/);
    await ok(['rm', '-f', 'cg-res']);
  });

  it('a container allocating past -m 32m is OOM-killed: exit 137 and OOMKilled true', async () => {
    const r = await d.cli(['run', '--name', 'cg-oom', '-m', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived']);
    expect(r.stdout).not.toContain('survived');
    expect(r.exitCode).toBe(137);
    expect(await ok(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'cg-oom'])).toBe('true 137');
    await ok(['rm', 'cg-oom']);
  });

  it('pause freezes every process, unpause thaws; ps says Paused', async () => {
    await ok(['run', '-d', '--name', 'cg-pause', 'busybox', 'sh', '-c', 'while :; do :; done']);
    expect(await ok(['pause', 'cg-pause'])).toBe('cg-pause');
    expect(await ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'cg-pause'])).toBe('paused true');
    expect(await ok(['ps'])).toMatch(/\(Paused\)/);
    const again = await d.cli(['pause', 'cg-pause']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already paused/);
    expect(await ok(['unpause', 'cg-pause'])).toBe('cg-pause');
    expect(await ok(['inspect', '-f', '{{.State.Status}}', 'cg-pause'])).toBe('running');
    await ok(['pause', 'cg-pause']);
    await ok(['rm', '-f', 'cg-pause']); // removing a paused container works too
  });

  it.each([
    [['-m', '1m'], /below the minimum of 6MiB/],
    [['-m', '12x'], /invalid size "12x"/],
    [['--cpus', '64'], /--cpus 64: the range is 0.01 to/],
    [['--cpuset-cpus', '0,4095'], /CPU 4095 not available/],
  ])('bad input %j: one line, exit 125, no cgroup left', async (flags, message) => {
    const r = await d.cli(['run', '--name', 'cg-bad', ...flags, 'busybox', 'true']);
    expect(r.exitCode).toBe(125);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(listChildren(d.cgroupParent)).toEqual([]);
    await d.cli(['rm', '-f', 'cg-bad']);
  });
});
