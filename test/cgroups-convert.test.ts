import { describe, expect, it } from 'vitest';
import { UserError } from '../engine/sys/index.js';
import {
  cpuMaxToNanoCpus, effectiveMemorySwap, formatCpuList, formatSize, maxValue, memorySwapToSwapMax, modeOf,
  nanoCpusToCpuMax, nanoCpusToQuota, parseCgroupMounts, parseCpuList, parseKeyed, parseLimit, parseMemorySwap,
  parseSize, sharesToWeight, validateResources, MIN_MEMORY, systemCpuUsageNs, dockerStats, cpuPercent, memoryPercent,
} from '../engine/cgroups/index.js';

// Pure functions: the v1/v2 mappings, parsers of kernel files, docker-style sizes and input checks.

const HOST = { cpus: 2, cpuIds: [0, 1], memIds: [0] };

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a UserError');
}

describe('parseSize (docker go-units RAMInBytes)', () => {
  it.each([
    ['100', 100], ['512k', 512 * 1024], ['64m', 64 * 2 ** 20], ['64M', 64 * 2 ** 20], ['1g', 2 ** 30],
    ['1G', 2 ** 30], ['64mb', 64 * 2 ** 20], ['64MiB', 64 * 2 ** 20], ['1.5g', 1.5 * 2 ** 30], ['10b', 10],
    ['32 m', 32 * 2 ** 20], ['0', 0],
  ])('%s -> %d', (s, n) => expect(parseSize(s)).toBe(n));

  it.each(['', 'abc', '64x', 'm', '1.2.3m', '64 mm', '0x10'])('rejects malformed %j', (s) => {
    expect(userError(() => parseSize(s))).toMatch(/^invalid size/);
  });

  it('rejects negative sizes, but --memory-swap takes -1', () => {
    expect(userError(() => parseSize('-5m'))).toMatch(/negative/);
    expect(parseMemorySwap('-1')).toBe(-1);
    expect(parseMemorySwap('128m')).toBe(128 * 2 ** 20);
  });

  it('formats sizes back', () => {
    expect(formatSize(32 * 2 ** 20)).toBe('32MiB');
    expect(formatSize(1.5 * 2 ** 30)).toBe('1.5GiB');
    expect(formatSize(100)).toBe('100B');
  });
});

describe('v2 mappings', () => {
  it('maps cpu shares to cpu.weight the way runc does', () => {
    expect(sharesToWeight(0)).toBe(0);
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(512)).toBe(20);
    expect(sharesToWeight(262144)).toBe(10000);
  });

  it('turns NanoCpus into cpu.max and the v1 quota (period 100 ms)', () => {
    expect(nanoCpusToCpuMax(0.5e9)).toBe('50000 100000');
    expect(nanoCpusToCpuMax(1.5e9)).toBe('150000 100000');
    expect(nanoCpusToCpuMax(0.01e9)).toBe('1000 100000');
    expect(nanoCpusToCpuMax(0)).toBe('max 100000');
    expect(nanoCpusToQuota(2e9)).toBe(200000);
    expect(nanoCpusToQuota(0)).toBe(-1);
    expect(cpuMaxToNanoCpus('50000 100000')).toBe(0.5e9);
    expect(cpuMaxToNanoCpus('max 100000')).toBe(0);
  });

  it('computes memory+swap like dockerd and swap.max like runc', () => {
    const m = 32 * 2 ** 20;
    expect(effectiveMemorySwap({ Memory: m }, true)).toBe(2 * m);
    expect(effectiveMemorySwap({ Memory: m }, false)).toBeUndefined();
    expect(effectiveMemorySwap({ Memory: m, MemorySwap: -1 }, true)).toBe(-1);
    expect(effectiveMemorySwap({ Memory: m, MemorySwap: 3 * m }, true)).toBe(3 * m);
    expect(effectiveMemorySwap({ Memory: 0 }, true)).toBe(-1);
    expect(effectiveMemorySwap({ NanoCpus: 1e9 }, true)).toBeUndefined();
    expect(memorySwapToSwapMax(2 * m, m)).toBe(String(m));
    expect(memorySwapToSwapMax(m, m)).toBe('0');
    expect(memorySwapToSwapMax(-1, m)).toBe('max');
    expect(() => memorySwapToSwapMax(m, 2 * m)).toThrow();
    expect(maxValue(20)).toBe('20');
    expect(maxValue(0)).toBe('max');
    expect(maxValue(-1)).toBe('max');
  });
});

describe('parsers of kernel files', () => {
  it('reads memory.events, cpu.stat and memory.oom_control', () => {
    expect(parseKeyed('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n')).toMatchObject({ max: 12, oom_kill: 1 });
    expect(parseKeyed('usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 20\nnr_throttled 10\nthrottled_usec 900'))
      .toMatchObject({ usage_usec: 1500, nr_periods: 20, nr_throttled: 10, throttled_usec: 900 });
    expect(parseKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 3')).toEqual({ oom_kill_disable: 0, under_oom: 0, oom_kill: 3 });
  });

  it('reads limits: "max" and v1 near-2^63 mean none', () => {
    expect(parseLimit('max')).toBeUndefined();
    expect(parseLimit('9223372036854771712')).toBeUndefined();
    expect(parseLimit('33554432\n')).toBe(33554432);
  });

  it('reads and writes cpu lists', () => {
    expect(parseCpuList('0-1,3')).toEqual([0, 1, 3]);
    expect(parseCpuList('')).toEqual([]);
    expect(parseCpuList('2-1')).toBeUndefined();
    expect(parseCpuList('a')).toBeUndefined();
    expect(formatCpuList([3, 0, 1, 5, 6, 7])).toBe('0-1,3,5-7');
  });
});

describe('detecting the cgroup mode from mountinfo', () => {
  const v1 = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  ];
  const unified = '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate';

  it('v1: separate hierarchies, co-mounted controllers share one, name=systemd is not a controller', () => {
    const m = parseCgroupMounts(v1.join('\n'));
    expect(modeOf(m)).toBe('v1');
    expect(m.v1.get('cpu')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(m.v1.get('cpuacct')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(m.v1.has('name=systemd')).toBe(false);
  });

  it('hybrid: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified', () => {
    expect(modeOf(parseCgroupMounts([...v1, unified].join('\n')))).toBe('hybrid');
  });

  it('v2: cgroup2 at /sys/fs/cgroup', () => {
    const m = parseCgroupMounts('30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot');
    expect(modeOf(m)).toBe('v2');
    expect(m.unified).toBe('/sys/fs/cgroup');
  });
});

describe('validateResources', () => {
  it('accepts sensible limits', () => {
    expect(() => validateResources({ Memory: 32 * 2 ** 20, NanoCpus: 0.5e9, CpuShares: 512, CpusetCpus: '0-1', CpusetMems: '0', PidsLimit: 20 }, HOST)).not.toThrow();
    expect(() => validateResources({ Memory: MIN_MEMORY, MemorySwap: -1, PidsLimit: -1 }, HOST)).not.toThrow();
  });

  it('refuses memory below the kernel minimum', () => {
    expect(userError(() => validateResources({ Memory: 2 ** 20 }, HOST))).toBe('--memory 1MiB is below the minimum of 6MiB: use at least -m 6m');
  });

  it('refuses --cpus above the machine', () => {
    expect(userError(() => validateResources({ NanoCpus: 3e9 }, HOST))).toBe('--cpus 3: the range is 0.01 to 2.00, as this machine has only 2 CPUs');
    expect(userError(() => validateResources({ NanoCpus: 1e6 }, HOST))).toMatch(/range is 0.01/);
  });

  it('refuses absent CPUs and memory nodes, and malformed lists', () => {
    expect(userError(() => validateResources({ CpusetCpus: '0,5-6' }, HOST))).toBe('--cpuset-cpus "0,5-6": CPU 5-6 not available on this machine (available: 0-1)');
    expect(userError(() => validateResources({ CpusetMems: '1' }, HOST))).toMatch(/memory node 1 not available/);
    expect(userError(() => validateResources({ CpusetCpus: 'zero' }, HOST))).toMatch(/^invalid --cpuset-cpus/);
  });

  it('refuses inconsistent swap, bad shares and fractions', () => {
    expect(userError(() => validateResources({ MemorySwap: 64 * 2 ** 20 }, HOST))).toMatch(/needs --memory/);
    expect(userError(() => validateResources({ Memory: 64 * 2 ** 20, MemorySwap: 32 * 2 ** 20 }, HOST))).toMatch(/at least as large/);
    expect(userError(() => validateResources({ CpuShares: 1 }, HOST))).toMatch(/between 2 and 262144/);
    expect(userError(() => validateResources({ Memory: 1.5 }, HOST))).toMatch(/whole number/);
    expect(userError(() => validateResources({ Memory: -1 }, HOST))).toMatch(/negative/);
  });
});

describe('docker stats figures', () => {
  const stats = (usage: number, limit: number, cpuNs: number) => ({
    memory: { usage, limit, oomKills: 0 },
    cpu: { usageNs: cpuNs, throttledPeriods: 0, throttledTimeNs: 0, periods: 0 },
    pids: { current: 1, limit: 0 },
  });

  it('reads the machine CPU time from /proc/stat like dockerd (USER_HZ ticks, no guest columns)', () => {
    expect(systemCpuUsageNs('cpu  100 0 50 850 0 0 0 0 7 0\ncpu0 50 0 25 425 0 0 0 0 0 0\n')).toBe(1000 * 1e7);
    expect(systemCpuUsageNs()).toBeGreaterThan(0);
  });

  it('computes CPU % and memory % the way docker stats does', () => {
    const pre = { stats: stats(0, 100, 0), systemNs: 0, at: new Date(0) };
    const now = { stats: stats(25, 100, 0.5e9), systemNs: 2e9, at: new Date(1000) };
    const doc = dockerStats('abc', '/web', pre, now, 2);
    // half a CPU second out of two machine-seconds on 2 CPUs = 50 % of one CPU
    expect(cpuPercent(doc)).toBeCloseTo(50);
    expect(memoryPercent(doc)).toBe(25);
    expect(doc.pids_stats).toEqual({ current: 1 });
    expect(cpuPercent({ ...doc, precpu_stats: doc.cpu_stats })).toBe(0);
  });
});
