/**
 * The kernel's list format for CPUs and memory nodes ("0-3,8,10-11"), used by cpuset.cpus, cpuset.mems,
 * /sys/devices/system/cpu/online and /proc/PID/status Cpus_allowed_list.
 */
/** "0-1,3" -> [0, 1, 3]; undefined if malformed. An empty string is an empty list. */
export function parseCpuList(text) {
    const s = text.trim();
    if (s === '')
        return [];
    const out = new Set();
    for (const part of s.split(',')) {
        const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
        if (!m)
            return undefined;
        const from = Number(m[1]);
        const to = m[2] === undefined ? from : Number(m[2]);
        if (to < from || to - from > 65536)
            return undefined;
        for (let i = from; i <= to; i++)
            out.add(i);
    }
    return [...out].sort((a, b) => a - b);
}
/** [0, 1, 3] -> "0-1,3" */
export function formatCpuList(ids) {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const parts = [];
    for (let i = 0; i < sorted.length;) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1)
            j++;
        parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
    }
    return parts.join(',');
}
//# sourceMappingURL=cpulist.js.map