import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UserError } from '../sys/index.js';
import { formatCpuList, parseCpuList } from './cpulist.js';
import { formatSize } from './size.js';
import type { HostCpus, Resources } from './types.js';
import { resourcesOf, validateFields, type ResourceKey } from './fields.js';

/** The kernel clamps cpu.shares to [2, 262144]; we refuse rather than silently clamp. */
export const MIN_CPU_SHARES = 2;
export const MAX_CPU_SHARES = 262144;
/** A CFS quota below 1 ms is refused by the kernel; 0.01 CPU = 1 ms per 100 ms period. */
export const MIN_NANO_CPUS = 1e7;

function readList(path: string): number[] | undefined {
  try {
    return parseCpuList(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPUs and memory nodes of this machine, for {@link validateResources}. */
export function hostCpus(): HostCpus {
  const cpuIds = readList('/sys/devices/system/cpu/online') ?? [...Array(availableParallelism()).keys()];
  // Machines without NUMA have no /sys/devices/system/node: one node, 0.
  const memIds = readList('/sys/devices/system/node/online') ?? [0];
  return { cpus: availableParallelism(), cpuIds, memIds };
}

function checkSet(what: string, flag: string, text: string | undefined, available: number[]): void {
  if (text === undefined || text === '') return;
  const ids = parseCpuList(text);
  if (ids === undefined) throw new UserError(`invalid ${flag} "${text}": use a list like 0-1,3`);
  const absent = ids.filter((id) => !available.includes(id));
  if (absent.length > 0) {
    throw new UserError(`${flag} "${text}": ${what} ${formatCpuList(absent)} not available on this machine (available: ${formatCpuList(available)})`);
  }
}

/**
 * Checks limits before anything touches the kernel, so that bad input never leaves a half-made cgroup.
 * Throws a one-line UserError naming the flag and what would be accepted.
 */
export function validateResources(r: Resources, host: HostCpus): void {
  validateFields(r);

  const mem = r.Memory ?? 0;
  const swap = r.MemorySwap ?? 0;
  if (swap < -1) throw new UserError(`invalid --memory-swap ${swap}: use -1 (unlimited) or a size at least --memory`);
  if (swap > 0 && mem === 0) throw new UserError('--memory-swap needs --memory too: it limits memory and swap together');
  if (swap > 0 && swap < mem) {
    throw new UserError(`--memory-swap ${formatSize(swap)} is below --memory ${formatSize(mem)}: it is memory plus swap, so it must be at least as large`);
  }

  const nano = r.NanoCpus ?? 0;
  const maxNano = host.cpus * 1e9;
  if (nano < 0 || nano > maxNano || (nano > 0 && nano < MIN_NANO_CPUS)) {
    throw new UserError(`--cpus ${nano / 1e9}: the range is 0.01 to ${host.cpus}.00, as this machine has only ${host.cpus} CPUs`);
  }

  const shares = r.CpuShares ?? 0;
  if (shares !== 0 && (shares < MIN_CPU_SHARES || shares > MAX_CPU_SHARES)) {
    throw new UserError(`--cpu-shares ${shares}: must be between ${MIN_CPU_SHARES} and ${MAX_CPU_SHARES} (1024 is the default weight)`);
  }

  checkSet('CPU', '--cpuset-cpus', r.CpusetCpus, host.cpuIds);
  checkSet('memory node', '--cpuset-mems', r.CpusetMems, host.memIds);
}

/**
 * docker update: the limits to write for `change`, judged against the limits it leaves in force (a new
 * --memory-swap against the old --memory). memory+swap is tied to memory: a new memory limit with an
 * explicit old memory+swap keeps that total.
 */
export function resourceChange(current: Partial<Record<ResourceKey, unknown>>, change: Resources): Resources {
  const merged = resourcesOf({ ...current, ...change });
  validateResources(merged, hostCpus());
  const toWrite: Resources = { ...change };
  if (change.Memory !== undefined && change.MemorySwap === undefined && merged.MemorySwap !== undefined) toWrite.MemorySwap = merged.MemorySwap;
  return toWrite;
}
