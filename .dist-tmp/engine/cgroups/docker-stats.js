import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
const USER_HZ = 100; // /proc/stat counts in USER_HZ ticks, 100 on every Linux ABI
/** Total CPU time of the machine since boot (ns), the way dockerd reads it: the `cpu` line of /proc/stat. */
export function systemCpuUsageNs(procStat = readFileSync('/proc/stat', 'utf8')) {
    const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
    if (!line)
        return 0;
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const ticks = line.trim().split(/\s+/).slice(1, 9).reduce((sum, v) => sum + Number(v), 0);
    return (ticks * 1e9) / USER_HZ;
}
export function sampleCpu(stats) {
    return { stats, systemNs: systemCpuUsageNs(), at: new Date() };
}
function cpuStats(s, cpus) {
    return {
        cpu_usage: { total_usage: s.stats.cpu.usageNs },
        system_cpu_usage: s.systemNs,
        online_cpus: cpus,
        throttling_data: { periods: s.stats.cpu.periods, throttled_periods: s.stats.cpu.throttledPeriods, throttled_time: s.stats.cpu.throttledTimeNs },
    };
}
export function dockerStats(id, name, pre, now, cpus = availableParallelism()) {
    const m = now.stats.memory;
    return {
        read: now.at.toISOString(),
        preread: pre.at.toISOString(),
        id,
        name,
        pids_stats: { current: now.stats.pids.current, ...(now.stats.pids.limit > 0 && { limit: now.stats.pids.limit }) },
        cpu_stats: cpuStats(now, cpus),
        precpu_stats: cpuStats(pre, cpus),
        memory_stats: {
            usage: m.usage,
            ...(m.maxUsage !== undefined && { max_usage: m.maxUsage }),
            limit: m.limit,
            ...(m.failcnt !== undefined && { failcnt: m.failcnt }),
            oom_kills: m.oomKills,
        },
    };
}
/**
 * docker's CPU %: the container's share of all the machine's CPU time between two samples, times the number
 * of CPUs — so one busy CPU shows 100 % and `--cpus 0.5` caps it near 50 %.
 */
export function cpuPercent(s) {
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
    const systemDelta = s.cpu_stats.system_cpu_usage - s.precpu_stats.system_cpu_usage;
    if (cpuDelta <= 0 || systemDelta <= 0)
        return 0;
    return (cpuDelta / systemDelta) * s.cpu_stats.online_cpus * 100;
}
export function memoryPercent(s) {
    return s.memory_stats.limit > 0 ? (s.memory_stats.usage / s.memory_stats.limit) * 100 : 0;
}
//# sourceMappingURL=docker-stats.js.map