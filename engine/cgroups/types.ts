export type { CgroupMode } from './mode.js';

/** Docker Engine API HostConfig field names and units. */
export interface Resources {
  /** bytes, 0 = unlimited */
  Memory?: number;
  /** bytes of memory+swap together (docker semantics), -1 = unlimited swap */
  MemorySwap?: number;
  /** 1e9 = one CPU (--cpus) */
  NanoCpus?: number;
  /** relative weight, 1024 = default (--cpu-shares); v2 maps it to cpu.weight */
  CpuShares?: number;
  /** "0-1,3" */
  CpusetCpus?: string;
  CpusetMems?: string;
  /** 0 or -1 = unlimited */
  PidsLimit?: number;
}

export interface CgroupStats {
  /** limit: the host's total memory when unlimited, as docker reports it */
  memory: { usage: number; limit: number; maxUsage?: number; oomKills: number; failcnt?: number };
  cpu: { usageNs: number; throttledPeriods: number; throttledTimeNs: number; periods: number };
  /** limit: 0 when unlimited */
  pids: { current: number; limit: number };
}

export interface HostCpus {
  /** CPUs this process may run on (what docker's --cpus is checked against) */
  cpus: number;
  cpuIds: number[];
  memIds: number[];
}

export interface CgroupManager {
  readonly version: 1 | 2;
  /** "boxlab/<id>", relative to each hierarchy's root */
  readonly name: string;
  create(): void;
  apply(pid: number): void;
  set(resources: Resources): void;
  stats(): CgroupStats;
  freeze(): void;
  thaw(): void;
  oomKilled(): boolean;
  procs(): number[];
  /** controller (v1) or "unified" (v2) -> absolute directory */
  dirs(): Record<string, string>;
  destroy(): void;
}
