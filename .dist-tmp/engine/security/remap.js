import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lchownSync, mkdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import koffi from 'koffi';
import { MNT, umount2 } from '../sys/index.js';
import { sys } from '../sys/libc.js';
import { chownCopy, idmapMount, probeIdmap } from './idmap.js';
import { adoptInit, mapUserNamespace } from './userns.js';
/**
 * The daemon's part of starting a `--userns remap` container, in one call (see README.md for the whole flow):
 * after spawning the launcher (`userNamespaceSpawnArgs`), {@link startRemapped} writes the maps, makes the image
 * layers appear root-owned to the namespace (idmapped mounts, or chowned copies where the kernel cannot), and
 * adopts the init. Before the spawn, {@link prepareRemappedDirs} hands the container's own dirs and files to the
 * range's root.
 */
const pipe2 = koffi.load('libc.so.6').func('int pipe2(_Out_ int *fds, int flags)');
/**
 * A pipe the daemon owns, as [readFd, writeFd] (both close-on-exec; spawn's stdio dup2s the read end into the
 * child). Needed for a remapped container's stdin: when {@link adoptInit} kills the launcher, Node destroys the
 * launcher's `child.stdin` ('pipe' stdio belongs to the direct child), and the init would read EOF. Write to
 * the write end with fs.write or `new net.Socket({ fd: writeFd })`; close the read end after the spawn.
 */
export function ownedPipe() {
    const fds = new Int32Array(2);
    sys('pipe2', 'O_CLOEXEC', () => pipe2(fds, 0o2000000));
    return [fds[0], fds[1]];
}
/** Makes every directory above `path` searchable by others (adds o+x: 0700 → 0701), up to `/`. */
export function ensureTraversable(path) {
    for (let dir = dirname(path);; dir = dirname(dir)) {
        const st = statSync(dir);
        if ((st.mode & 0o001) === 0)
            chmodSync(dir, (st.mode & 0o7777) | 0o001);
        if (dir === '/')
            break;
    }
}
/**
 * Before the spawn: the upper and work dirs (and their merged mount point) and the files bind-mounted into the
 * container (hostname, hosts, resolv.conf) become owned by the range's root, and their parents searchable by it.
 */
export function prepareRemappedDirs(allocation, paths) {
    for (const p of paths) {
        lchownSync(p, allocation.uid.start, allocation.gid.start);
        ensureTraversable(p);
    }
}
export async function startRemapped(opts) {
    const userns = await mapUserNamespace(opts.launcherPid, opts.allocation);
    const mounted = [];
    const release = () => {
        for (const target of mounted.splice(0)) {
            try {
                umount2(target, MNT.DETACH);
                rmdirSync(target);
            }
            catch { /* already gone */ }
        }
        userns.close();
    };
    try {
        // probe beside the layer (same filesystem), never inside it: the probe makes a scratch directory
        const how = opts.how ?? await probeIdmap(opts.lowerdirs[0] ? dirname(opts.lowerdirs[0]) : opts.stateRoot);
        const lowerdirs = [];
        if (how === 'idmapped') {
            mkdirSync(opts.mountDir, { recursive: true });
            ensureTraversable(join(opts.mountDir, 'x'));
            for (const [i, dir] of opts.lowerdirs.entries()) {
                const target = join(opts.mountDir, String(i));
                mkdirSync(target, { recursive: true });
                idmapMount(dir, target, userns.fd);
                mounted.push(target);
                lowerdirs.push(target);
            }
        }
        else {
            for (const dir of opts.lowerdirs)
                lowerdirs.push(await shiftedCopy(dir, opts.allocation, opts.stateRoot));
        }
        const initPid = await adoptInit(opts.launcherPid, opts.forked);
        return { userns, lowerdirs, initPid, how, release };
    }
    catch (e) {
        release();
        throw e;
    }
}
/** Where the chowned copy of `layerDir` for a range lives. */
export function shiftedCopyDir(stateRoot, start, layerDir) {
    return join(stateRoot, 'userns', 'layers', String(start), createHash('sha256').update(layerDir).digest('hex').slice(0, 24));
}
/** The chowned copy of a layer for this range, made once (into a temp name, then renamed: never half a copy). */
async function shiftedCopy(layerDir, allocation, stateRoot) {
    const dest = shiftedCopyDir(stateRoot, allocation.uid.start, layerDir);
    if (existsSync(dest))
        return dest;
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await chownCopy(layerDir, tmp, allocation.uid.start);
    renameSync(tmp, dest);
    ensureTraversable(join(dest, 'x'));
    return dest;
}
//# sourceMappingURL=remap.js.map