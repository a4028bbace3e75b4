import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mount } from '../sys/calls.js';
import { MS } from '../sys/flags.js';
import { SysError } from '../sys/errors.js';
/**
 * Docker's masked and read-only paths: the parts of /proc and /sys that would show or change the HOST,
 * because those files are not namespaced (kernel memory, keyrings, timers, sysctls, firmware).
 * Applied by the init after /proc (and /sys) are mounted inside the container; off with --privileged.
 */
/** moby daemon/pkg/oci/defaults.go (2025): the fixed list, plus per-CPU thermal_throttle where present. */
export const DOCKER_MASKED_PATHS = [
    '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
    '/proc/sched_debug', '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap',
    '/sys/firmware',
];
export const DOCKER_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
/** The masked list for this host: docker adds /sys/devices/system/cpu/cpuN/thermal_throttle (GHSA-6fw5-f8r9-fgfm). */
export function defaultMaskedPaths() {
    const extra = [];
    try {
        for (const name of readdirSync('/sys/devices/system/cpu')) {
            if (/^cpu\d+$/.test(name) && existsSync(`/sys/devices/system/cpu/${name}/thermal_throttle`)) {
                extra.push(`/sys/devices/system/cpu/${name}/thermal_throttle`);
            }
        }
    }
    catch { /* no sysfs: nothing to add */ }
    return [...DOCKER_MASKED_PATHS, ...extra];
}
const join = (prefix, path) => (prefix.replace(/\/+$/, '') + path) || '/';
/**
 * Hides each path: a file gets /dev/null bound over it, a directory an empty read-only tmpfs (what runc does:
 * try the bind, and ENOTDIR means it was a directory). Absent paths are skipped. `rootPrefix` is where the
 * container's root is seen from the caller ('' after pivot_root).
 */
export function applyMaskedPaths(rootPrefix = '', paths = defaultMaskedPaths()) {
    const masked = [];
    const devNull = existsSync(join(rootPrefix, '/dev/null')) ? join(rootPrefix, '/dev/null') : '/dev/null';
    for (const path of paths) {
        const target = join(rootPrefix, path);
        if (!existsSync(target))
            continue;
        try {
            mount(devNull, target, null, MS.BIND);
        }
        catch (e) {
            if (!(e instanceof SysError) || e.code !== 'ENOTDIR')
                throw e;
            mount('tmpfs', target, 'tmpfs', MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=0755');
        }
        masked.push(path);
    }
    return masked;
}
const OPTION_FLAGS = {
    nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC, noatime: MS.NOATIME, nodiratime: 2048, relatime: 1 << 21,
};
/**
 * The per-mount flags of the mount at `target` (the last one stacked there). A remount inside a user namespace
 * must repeat the locked flags (nosuid, nodev, noexec, atime) or the kernel answers EPERM.
 */
function mountFlags(target) {
    let flags = 0;
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const fields = line.split(' ');
        if (fields[4] !== target)
            continue;
        flags = 0;
        for (const opt of (fields[5] ?? '').split(','))
            flags |= OPTION_FLAGS[opt] ?? 0;
    }
    return flags;
}
/** Makes each path read-only: bind it onto itself, then remount that bind MS_RDONLY. Absent paths are skipped. */
export function applyReadonlyPaths(rootPrefix = '', paths = DOCKER_READONLY_PATHS) {
    const done = [];
    for (const path of paths) {
        const target = join(rootPrefix, path);
        if (!existsSync(target))
            continue;
        mount(target, target, null, MS.BIND | MS.REC);
        mount(null, target, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.REC | mountFlags(target));
        done.push(path);
    }
    return done;
}
//# sourceMappingURL=paths.js.map