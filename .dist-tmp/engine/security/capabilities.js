import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { UserError } from '../sys/errors.js';
import { sys } from '../sys/libc.js';
/**
 * Linux capabilities: the names table, docker's default set and `--cap-add/--cap-drop/--privileged`
 * resolution (daemon side), and applying a set to the init stage before execve (init side).
 */
/** Capability numbers from linux/capability.h, index = number. */
export const CAPABILITY_NAMES = [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
    'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
    'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
    'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
    'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
    'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
    'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];
/** Docker's default set (moby oci/caps/defaults.go): exactly these 14. CapEff = 0x00000000a80425fb. */
export const DOCKER_DEFAULT_CAPABILITIES = [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
    'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];
let lastCapCache;
/** The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap), capped at our table. */
export function lastCap() {
    if (lastCapCache === undefined) {
        let n = CAPABILITY_NAMES.length - 1;
        try {
            n = Math.min(n, Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10));
        }
        catch { /* older kernels without the file: assume our table */ }
        lastCapCache = n;
    }
    return lastCapCache;
}
/** Every capability the running kernel knows, in number order. */
export function allCapabilities() {
    return CAPABILITY_NAMES.slice(0, lastCap() + 1);
}
export function capNumber(name) {
    const n = CAPABILITY_NAMES.indexOf(name);
    if (n < 0)
        throw new Error(`not a capability: ${name}`);
    return n;
}
export function capMask(names) {
    let mask = 0n;
    for (const name of names)
        mask |= 1n << BigInt(capNumber(name));
    return mask;
}
/** `00000000a80425fb` (the CapEff line of /proc/PID/status) → capability names, number order. */
export function decodeCapEff(hex) {
    const value = BigInt(`0x${hex.trim().replace(/^0x/i, '') || '0'}`);
    const names = [];
    for (let n = 0; n < 64; n++) {
        if ((value >> BigInt(n)) & 1n)
            names.push(CAPABILITY_NAMES[n] ?? `cap_${n}`);
    }
    return names;
}
/** 16 hex digits, as /proc/PID/status prints them. */
export function formatCapMask(names) {
    return capMask(names).toString(16).padStart(16, '0');
}
/** `net_admin`, `CAP_NET_ADMIN`, `Net_Admin` → `CAP_NET_ADMIN`; `all` → `ALL`. Unknown → UserError. */
export function normalizeCapability(name, flag) {
    const upper = name.trim().toUpperCase();
    if (upper === 'ALL')
        return 'ALL';
    const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!allCapabilities().includes(full)) {
        throw new UserError(`unknown capability "${name}" in ${flag}: use a name like NET_ADMIN or CAP_NET_ADMIN (see capabilities(7)), or ALL`);
    }
    return full;
}
/**
 * Docker's TweakCapabilities semantics: privileged → every capability; `--cap-add ALL` → all but the dropped;
 * `--cap-drop ALL` → only the added; otherwise the default 14 minus drops plus adds. Result in number order.
 */
export function resolveCapabilities(opts = {}) {
    const adds = (opts.capAdd ?? []).map((c) => normalizeCapability(c, '--cap-add'));
    const drops = (opts.capDrop ?? []).map((c) => normalizeCapability(c, '--cap-drop'));
    // "Every capability" can only mean every one the daemon itself may hand on: a capability missing from its own
    // bounding set (a VM or a nested container can lack CAP_SYS_MODULE) could never be raised in a child.
    const bounding = ownBoundingSet();
    const all = allCapabilities().filter((c) => bounding === undefined || ((bounding >> BigInt(capNumber(c))) & 1n) === 1n);
    let caps;
    if (opts.privileged)
        caps = all;
    else if (adds.includes('ALL'))
        caps = all.filter((c) => !drops.includes(c));
    else if (drops.includes('ALL'))
        caps = adds;
    else
        caps = [...DOCKER_DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
    const set = new Set(caps);
    return all.filter((c) => set.has(c));
}
function ownBoundingSet() {
    try {
        const hex = /^CapBnd:\s+([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
        return hex === undefined ? undefined : BigInt(`0x${hex}`);
    }
    catch {
        return undefined;
    }
}
// ---- init side --------------------------------------------------------------------------------------------
const libc = koffi.load('libc.so.6');
const rawCap = {
    capget: libc.func('int capget(void *header, void *data)'),
    capset: libc.func('int capset(void *header, void *data)'),
    prctl: libc.func('int prctl(int option, ...)'),
};
const PR_CAPBSET_READ = 23;
const PR_CAPBSET_DROP = 24;
const PR_SET_KEEPCAPS = 8;
const PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_CLEAR_ALL = 4;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;
function header() {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
    h.writeInt32LE(0, 4); // pid 0 = the calling thread
    return h;
}
const low = (m) => Number(m & 0xffffffffn);
const high = (m) => Number((m >> 32n) & 0xffffffffn);
const hex = (m) => `0x${m.toString(16)}`;
/** The calling thread's effective/permitted/inheritable sets (capget v3: two 3×u32 structs, low then high). */
export function getCapabilities() {
    const data = Buffer.alloc(24);
    sys('capget', '{_LINUX_CAPABILITY_VERSION_3, 0}', () => rawCap.capget(header(), data), { quiet: true });
    const word = (i, field) => BigInt(data.readUInt32LE(i * 12 + field * 4));
    return {
        effective: word(0, 0) | (word(1, 0) << 32n),
        permitted: word(0, 1) | (word(1, 1) << 32n),
        inheritable: word(0, 2) | (word(1, 2) << 32n),
    };
}
export function setCapabilities(sets) {
    const data = Buffer.alloc(24);
    [sets.effective, sets.permitted, sets.inheritable].forEach((mask, i) => {
        data.writeUInt32LE(low(mask), i * 4);
        data.writeUInt32LE(high(mask), 12 + i * 4);
    });
    sys('capset', `{v3, 0}, {effective=${hex(sets.effective)}, permitted=${hex(sets.permitted)}, inheritable=${hex(sets.inheritable)}}`, () => rawCap.capset(header(), data));
}
/**
 * Drops every capability not in `caps` from the bounding set: no later execve can gain it back, even through
 * a setuid-root or file-capability binary. Needs CAP_SETPCAP, so it runs while the init is still root.
 */
export function applyBoundingSet(caps) {
    const keep = capMask(caps);
    for (let n = 0; n <= lastCap(); n++) {
        if ((keep >> BigInt(n)) & 1n)
            continue;
        const inSet = rawCap.prctl(PR_CAPBSET_READ, 'unsigned long', n);
        if (inSet !== 1)
            continue;
        sys('prctl', `PR_CAPBSET_DROP, ${CAPABILITY_NAMES[n]}`, () => rawCap.prctl(PR_CAPBSET_DROP, 'unsigned long', n));
    }
}
/**
 * PR_SET_KEEPCAPS: a setuid() from root to a non-root uid then keeps the permitted set (it still clears the
 * effective set). The init needs this so it can raise CAP_SYS_ADMIN once more to load seccomp after `-u`.
 * execve clears the flag.
 */
export function keepCapabilitiesAcrossSetuid(on = true) {
    sys('prctl', `PR_SET_KEEPCAPS, ${on ? 1 : 0}`, () => rawCap.prctl(PR_SET_KEEPCAPS, 'unsigned long', on ? 1 : 0));
}
/** Raises every permitted capability into the effective set (used to get CAP_SYS_ADMIN back for seccomp). */
export function raiseEffective() {
    const now = getCapabilities();
    if (now.effective === now.permitted)
        return;
    setCapabilities({ ...now, effective: now.permitted });
}
export function clearAmbient() {
    sys('prctl', 'PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL', () => rawCap.prctl(PR_CAP_AMBIENT, 'unsigned long', PR_CAP_AMBIENT_CLEAR_ALL, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0));
}
/**
 * The final capability state before execve, as docker/runc leave it: effective = permitted = `caps`,
 * inheritable empty (moby ≥ 20.10.14, CVE-2022-24769) and ambient empty. For a non-root `-u` user the kernel
 * then clears permitted/effective at execve (no ambient, no file caps) — docker behaves the same: such a user
 * has CapEff 0 and only the bounding set limits what file-capability binaries may gain.
 * Call after setuid and after {@link applyBoundingSet}; `uid` only annotates the trace.
 */
export function applyCapabilities(caps, opts = {}) {
    const mask = capMask(caps);
    const now = getCapabilities();
    // permitted can only shrink: a non-root user without KEEPCAPS has nothing left to keep
    const permitted = mask & now.permitted;
    if ((opts.uid ?? 0) === 0 && permitted !== mask) {
        throw new Error(`capset: the init lost capabilities before applyCapabilities (has ${hex(now.permitted)}, needs ${hex(mask)})`);
    }
    setCapabilities({ effective: permitted, permitted, inheritable: 0n });
    clearAmbient();
}
//# sourceMappingURL=capabilities.js.map