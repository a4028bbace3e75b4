import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { host } from '../sys/index.js';
/** Reads a small kernel file; null when it does not exist or cannot be read. */
export function readKernelFile(path) {
    try {
        return readFileSync(path, 'utf8').trim();
    }
    catch {
        return null;
    }
}
/** Runs a probe command (traced like every host command); true when it exits 0. */
export async function succeeds(file, args) {
    try {
        const r = await host(file, args, { allowFailure: true, timeoutMs: 10_000 });
        return r.exitCode === 0;
    }
    catch {
        return false; // not installed
    }
}
// sbin is not on a normal user's PATH, yet `ip` and `iptables` live there on Debian.
const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** Where an executable lives, looking in PATH and the sbin directories. */
export function findTool(name) {
    const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_DIRS];
    for (const d of dirs) {
        const p = `${d}/${name}`;
        if (existsSync(p))
            return p;
    }
    return null;
}
/** The deepest existing directory at or above `path` (the state root may not exist yet). */
export function existingAncestor(path) {
    let p = path;
    while (!existsSync(p) && p !== dirname(p))
        p = dirname(p);
    return p;
}
export function freeBytes(path) {
    const s = statfsSync(path);
    return Number(s.bavail) * Number(s.bsize);
}
/**
 * True when an ELF file asks for a dynamic loader (has a PT_INTERP program header). A dynamically linked
 * busybox cannot be the only binary of an image that carries no libc.
 */
export function isDynamicElf(path) {
    const b = readFileSync(path);
    if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46)
        return false;
    const is64 = b[4] === 2;
    const le = b[5] === 1;
    const u16 = (o) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? b.readBigUInt64LE(0x20) : b.readBigUInt64BE(0x20)) : u32(0x1c);
    const phentsize = u16(is64 ? 0x36 : 0x2a);
    const phnum = u16(is64 ? 0x38 : 0x2c);
    for (let i = 0; i < phnum; i++) {
        const off = phoff + i * phentsize;
        if (off + 4 > b.length)
            break;
        if (u32(off) === 3 /* PT_INTERP */)
            return true;
    }
    return false;
}
//# sourceMappingURL=probes.js.map