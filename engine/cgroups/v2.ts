import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { SysError, UserError } from '../sys/index.js';
import {
  effectiveMemorySwap, maxValue, memorySwapToSwapMax, nanoCpusToCpuMax, parseKeyed, parseLimit, sharesToWeight,
} from './convert.js';
import {
  killUntilEmpty, mkdirCg, readCg, readPids, rmdirCg, sigkillEach, subdirs, subtreeBottomUp, tryReadCg, waitUntil, writeCg,
  mkdirsAllOrNothing,
} from './fsio.js';
import { checkCgroupPath } from './paths.js';
import { hostCpus, validateResources } from './validate.js';
import type { CgroupManager, CgroupStats, Resources } from './types.js';

/** Controllers boxlab enables for its subtree, when the kernel offers them (cgroup.controllers). */
export const V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'] as const;


/** The words of a space-separated cgroup file (cgroup.controllers, cgroup.subtree_control). */
function words(path: string): string[] {
  return (tryReadCg(path) ?? '').split(/\s+/).filter(Boolean);
}

/**
 * cgroup v2: one hierarchy (/sys/fs/cgroup/boxlab/<id>). A controller works in a cgroup only when its parent
 * lists it in cgroup.subtree_control, and a cgroup that hands controllers down may not hold processes itself
 * ("no internal processes"): processes go only into leaves. Freezing needs no controller (cgroup.freeze).
 */
export class V2Manager implements CgroupManager {
  readonly version = 2 as const;
  readonly name: string;
  private readonly root: string;
  private readonly leaf: string;

  constructor(opts: { parent: string; name: string; root: string }) {
    const parent = checkCgroupPath('parent', opts.parent);
    this.name = `${parent}/${checkCgroupPath('name', opts.name)}`;
    this.root = opts.root;
    this.leaf = join(this.root, this.name);
  }

  dirs(): Record<string, string> {
    return { unified: this.leaf };
  }

  private file(name: string): string {
    return join(this.leaf, name);
  }

  create(): void {
    mkdirsAllOrNothing((made) => {
      let dir = this.root;
      for (const part of this.name.split('/')) {
        this.enableControllers(dir);
        dir = join(dir, part);
        if (mkdirCg(dir)) made.push(dir);
      }
    });
  }

  /**
   * Hands the controllers we want (and the kernel has) down from `dir` to its children. A refusal is not fatal
   * here: EBUSY means `dir` holds processes itself (only the root may, on v2), and a controller that cannot be
   * enabled only matters if a limit needs it — set() then names the missing controller.
   */
  private enableControllers(dir: string): void {
    const available = words(join(dir, 'cgroup.controllers'));
    const enabled = words(join(dir, 'cgroup.subtree_control'));
    for (const c of V2_CONTROLLERS) {
      if (!available.includes(c) || enabled.includes(c)) continue;
      try {
        writeCg(join(dir, 'cgroup.subtree_control'), `+${c}`);
      } catch (err) {
        if (!(err instanceof SysError)) throw err;
      }
    }
  }

  apply(pid: number): void {
    writeCg(this.file('cgroup.procs'), String(pid));
  }

  private need(file: string, flag: string, controller: string): string {
    const path = this.file(file);
    if (!existsSync(path)) {
      throw new UserError(`${flag} needs the cgroup v2 "${controller}" controller, which is not enabled for ${this.leaf}: see cgroup.subtree_control of its parents (a parent that holds processes itself cannot enable it)`);
    }
    return path;
  }

  set(r: Resources): void {
    validateResources(r, hostCpus());
    if (r.Memory !== undefined || r.MemorySwap !== undefined) {
      const memMax = this.need('memory.max', '--memory', 'memory');
      const swapFile = this.file('memory.swap.max');
      const swapAccounting = existsSync(swapFile);
      if (r.Memory !== undefined) writeCg(memMax, maxValue(r.Memory));
      const total = effectiveMemorySwap(r, swapAccounting);
      if (total !== undefined && swapAccounting) {
        const memory = r.Memory ?? parseLimit(readCg(memMax)) ?? 0;
        writeCg(swapFile, total === -1 || memory <= 0 ? 'max' : memorySwapToSwapMax(total, memory));
      }
    }
    // runc's fs2 maps MemoryReservation to memory.low: best-effort protection from reclaim (v2 has no soft limit)
    if (r.MemoryReservation !== undefined) writeCg(this.need('memory.low', '--memory-reservation', 'memory'), String(r.MemoryReservation > 0 ? r.MemoryReservation : 0));
    if (r.CpuShares !== undefined && r.CpuShares > 0) {
      writeCg(this.need('cpu.weight', '--cpu-shares', 'cpu'), String(sharesToWeight(r.CpuShares)));
    }
    if (r.NanoCpus !== undefined) writeCg(this.need('cpu.max', '--cpus', 'cpu'), nanoCpusToCpuMax(r.NanoCpus));
    if (r.CpusetMems) writeCg(this.need('cpuset.mems', '--cpuset-mems', 'cpuset'), r.CpusetMems);
    if (r.CpusetCpus) writeCg(this.need('cpuset.cpus', '--cpuset-cpus', 'cpuset'), r.CpusetCpus);
    if (r.PidsLimit !== undefined) writeCg(this.need('pids.max', '--pids-limit', 'pids'), maxValue(r.PidsLimit));
  }

  stats(): CgroupStats {
    const keyed = (file: string): Record<string, number> => parseKeyed(tryReadCg(this.file(file)) ?? '');
    const num = (file: string): number | undefined => {
      const t = tryReadCg(this.file(file));
      return t === undefined ? undefined : Number(t);
    };
    const events = keyed('memory.events');
    const cpu = keyed('cpu.stat');
    const peak = num('memory.peak'); // kernel >= 5.19
    return {
      memory: {
        usage: num('memory.current') ?? 0,
        limit: parseLimit(tryReadCg(this.file('memory.max')) ?? '') ?? totalmem(),
        ...(peak !== undefined && { maxUsage: peak }),
        oomKills: events.oom_kill ?? 0,
        // "max": how often usage hit memory.max — the closest thing to v1's failcnt
        ...(events.max !== undefined && { failcnt: events.max }),
      },
      cpu: {
        usageNs: (cpu.usage_usec ?? 0) * 1000,
        periods: cpu.nr_periods ?? 0,
        throttledPeriods: cpu.nr_throttled ?? 0,
        throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000,
      },
      pids: {
        current: num('pids.current') ?? this.procs().length,
        limit: parseLimit(tryReadCg(this.file('pids.max')) ?? '') ?? 0,
      },
    };
  }

  private frozen(): boolean {
    return parseKeyed(tryReadCg(this.file('cgroup.events')) ?? '').frozen === 1;
  }

  freeze(): void {
    writeCg(this.file('cgroup.freeze'), '1');
    // The write only requests it; cgroup.events says "frozen 1" once every task has stopped.
    if (!waitUntil(() => this.frozen(), 5000)) {
      writeCg(this.file('cgroup.freeze'), '0');
      throw new Error(`could not freeze ${this.name}: cgroup.events did not report "frozen 1" within 5 s`);
    }
  }

  thaw(): void {
    writeCg(this.file('cgroup.freeze'), '0');
    if (!waitUntil(() => !this.frozen(), 5000)) throw new Error(`could not thaw ${this.name}`);
  }

  oomKilled(): boolean {
    return this.stats().memory.oomKills > 0;
  }

  procs(): number[] {
    const pids = subtreeBottomUp(this.leaf).flatMap((d) => readPids(join(d, 'cgroup.procs')));
    return [...new Set(pids)].sort((a, b) => a - b);
  }

  destroy(): void {
    if (!existsSync(this.leaf)) return;
    if ((tryReadCg(this.file('cgroup.freeze')) ?? '0') !== '0') this.thaw();
    // cgroup.kill (kernel >= 5.14) kills the whole subtree at once, racing no fork; else signal each pid.
    const killFile = this.file('cgroup.kill');
    const killAll = existsSync(killFile) ? () => writeCg(killFile, '1') : sigkillEach;
    killUntilEmpty(this.name, () => this.procs(), killAll);
    for (const d of subtreeBottomUp(this.leaf)) rmdirCg(d);
  }
}

export function removeV2Parent(parent: string, root: string): void {
  const dir = join(root, checkCgroupPath('parent', parent));
  if (subdirs(dir).length === 0) rmdirCg(dir);
}

export function listV2Children(parent: string, root: string): string[] {
  return subdirs(join(root, checkCgroupPath('parent', parent)));
}
