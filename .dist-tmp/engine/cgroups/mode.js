import { readFileSync } from 'node:fs';
/** v1 controllers that boxlab manages; each is its own hierarchy (or co-mounted, like `cpu,cpuacct`). */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'blkio'];
const KNOWN_V1 = new Set([...V1_CONTROLLERS, 'net_cls', 'net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc']);
/** Mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescape(field) {
    return field.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}
/**
 * Finds the cgroup hierarchies in /proc/self/mountinfo text. A hierarchy mounted twice (bind mounts inside a
 * container) is taken at its first mount whose root is `/`, else at its first mount.
 */
export function parseCgroupMounts(mountinfo) {
    const v1 = new Map();
    const v2 = [];
    for (const line of mountinfo.split('\n')) {
        const f = line.split(' ');
        const dash = f.indexOf('-');
        if (dash < 0)
            continue;
        const mount = { point: unescape(f[4] ?? ''), atRoot: f[3] === '/' };
        const fstype = f[dash + 1];
        if (fstype === 'cgroup2')
            v2.push(mount);
        if (fstype !== 'cgroup')
            continue;
        for (const opt of (f[dash + 3] ?? '').split(',')) {
            if (!KNOWN_V1.has(opt))
                continue;
            const seen = v1.get(opt);
            if (!seen || (!seen.atRoot && mount.atRoot))
                v1.set(opt, mount);
        }
    }
    // /sys/fs/cgroup itself beats /sys/fs/cgroup/unified; a mount of the hierarchy's root beats a bind of a subtree.
    const unified = v2.find((m) => m.point === '/sys/fs/cgroup') ?? v2.find((m) => m.atRoot) ?? v2[0];
    const out = { v1: new Map([...v1].map(([c, m]) => [c, m.point])) };
    if (unified)
        out.unified = unified.point;
    return out;
}
/**
 * v2 when /sys/fs/cgroup is itself cgroup2 (or only cgroup2 exists); hybrid when v1 controllers sit beside a
 * controller-less cgroup2 at /sys/fs/cgroup/unified (systemd's hybrid layout, this machine); else v1.
 */
export function modeOf(mounts) {
    if (mounts.unified === '/sys/fs/cgroup')
        return 'v2';
    if (mounts.v1.size === 0) {
        if (mounts.unified !== undefined)
            return 'v2';
        throw new Error('no cgroup filesystem is mounted (neither cgroup v1 nor v2 in /proc/self/mountinfo)');
    }
    return mounts.unified !== undefined ? 'hybrid' : 'v1';
}
export function readCgroupMounts() {
    return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
}
export function detectCgroupMode() {
    return modeOf(readCgroupMounts());
}
//# sourceMappingURL=mode.js.map