export type { CgroupMode } from './mode.js';

export type { Resources } from './fields.js';
import type { Resources } from './fields.js';

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
