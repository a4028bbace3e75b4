import { chmodSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import { closeFd, host, MNT, traceNote, umount2 } from '../sys/index.js';
import { sys } from '../sys/libc.js';
import { createUserNamespace } from './userns.js';
/**
 * Making root-owned image layers look root-owned inside a remapped container without copying them.
 *
 * Idmapped mounts (Linux ≥ 5.12, per filesystem; ext4/xfs/btrfs/tmpfs yes): a clone of the layer directory's
 * mount gets the container's user namespace attached, so host uid 0 on disk is seen as the namespace's root
 * (host uid 100000) through that mount, and writes through it are stored shifted back. Three syscalls:
 *   open_tree(dir, OPEN_TREE_CLONE) → mount_setattr(fd, MOUNT_ATTR_IDMAP, userns_fd) → move_mount(fd, target)
 * Overlay accepts idmapped lowerdirs (≥ 5.19); the upper dir is a plain directory owned by the range's root.
 * Fallback (what docker does with --userns-remap): a copy of each layer with every owner shifted by the range.
 */
const libc = koffi.load('libc.so.6');
const rawSyscall = libc.func('long syscall(long number, ...)');
// same numbers on x86_64 and arm64 (the unified syscall table from 5.x on)
const NR = { openTree: 428, moveMount: 429, mountSetattr: 442 };
const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const AT_RECURSIVE = 0x8000;
const OPEN_TREE_CLONE = 1;
const OPEN_TREE_CLOEXEC = 0o2000000;
const MOVE_MOUNT_F_EMPTY_PATH = 4;
const MOUNT_ATTR_IDMAP = 0x00100000n;
/**
 * A detached, idmapped clone of `dir`'s mount, as an fd (close it, or hand it to {@link attachMount}).
 * Needs CAP_SYS_ADMIN in the initial namespace (the daemon) and a filesystem that supports idmapping.
 */
export function idmapLayer(dir, usernsFd) {
    const tree = Number(sys('open_tree', `AT_FDCWD, ${JSON.stringify(dir)}, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE`, () => Number(rawSyscall(NR.openTree, 'int', AT_FDCWD, 'str', dir, 'unsigned int', OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE))));
    try {
        const attr = Buffer.alloc(32); // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
        attr.writeBigUInt64LE(MOUNT_ATTR_IDMAP, 0);
        attr.writeBigUInt64LE(BigInt(usernsFd), 24);
        sys('mount_setattr', `${tree}, "", AT_EMPTY_PATH, {attr_set=MOUNT_ATTR_IDMAP, userns_fd=${usernsFd}}`, () => Number(rawSyscall(NR.mountSetattr, 'int', tree, 'str', '', 'unsigned int', AT_EMPTY_PATH, 'void *', attr, 'size_t', 32)));
        return tree;
    }
    catch (e) {
        closeFd(tree);
        throw e;
    }
}
/** Attaches a detached mount fd at `target` and closes the fd (an open fd would keep the mount busy). */
export function attachMount(treeFd, target) {
    try {
        sys('move_mount', `${treeFd}, "", AT_FDCWD, ${JSON.stringify(target)}, MOVE_MOUNT_F_EMPTY_PATH`, () => Number(rawSyscall(NR.moveMount, 'int', treeFd, 'str', '', 'int', AT_FDCWD, 'str', target, 'unsigned int', MOVE_MOUNT_F_EMPTY_PATH)));
    }
    finally {
        closeFd(treeFd);
    }
}
/** `dir` seen through the user namespace's mapping, mounted at `target` (an existing directory). */
export function idmapMount(dir, target, usernsFd) {
    attachMount(idmapLayer(dir, usernsFd), target);
}
const probeCache = new Map();
/**
 * Can this kernel idmap mounts of the filesystem holding `dir` (the layer store)? Tries it for real on a scratch
 * directory with a throwaway namespace (0 → 4000000000): the file must then show that owner. For `doctor`.
 */
export async function probeIdmap(dir = '/var/lib/boxlab') {
    const cached = probeCache.get(dir);
    if (cached)
        return cached;
    let base = dir;
    while (!existsSync(base))
        base = join(base, '..');
    const scratch = mkdtempSync(join(base, '.idmap-probe-'));
    let result = 'chown-copy';
    try {
        mkdirSync(join(scratch, 'src'));
        mkdirSync(join(scratch, 'dst'));
        writeFileSync(join(scratch, 'src', 'f'), '');
        const probeId = 4000000000;
        const ns = await createUserNamespace({ owner: 'probe', uid: { start: probeId, count: 1 }, gid: { start: probeId, count: 1 } });
        try {
            idmapMount(join(scratch, 'src'), join(scratch, 'dst'), ns.fd);
            try {
                if (statSync(join(scratch, 'dst', 'f')).uid === probeId)
                    result = 'idmapped';
            }
            finally {
                umount2(join(scratch, 'dst'), MNT.DETACH);
            }
        }
        catch {
            result = 'chown-copy';
        }
        finally {
            ns.close();
        }
    }
    finally {
        rmSync(scratch, { recursive: true, force: true });
    }
    traceNote('userns', `idmapped mounts on ${base}: ${result === 'idmapped' ? 'supported' : 'not supported, layers are copied and chowned per range'}`);
    probeCache.set(dir, result);
    return result;
}
/**
 * The fallback: a copy of `src` at `dest` with every owner shifted by `shift` (host 0 → shift), as docker's
 * userns-remap does once per range. `cp -a` keeps modes, times, xattrs and hard links; lchown then shifts.
 * lchown clears setuid/setgid bits, so those are restored afterwards.
 */
export async function chownCopy(src, dest, shift) {
    if (existsSync(dest))
        throw new Error(`chownCopy: ${dest} exists already`);
    await host('cp', ['-a', '--', src, dest]);
    const seen = new Set(); // hard links: shift each inode once
    const walk = (path) => {
        const st = lstatSync(path);
        const inode = `${st.dev}:${st.ino}`;
        if (seen.has(inode))
            return;
        seen.add(inode);
        lchownSync(path, st.uid + shift, st.gid + shift);
        if (!st.isSymbolicLink() && (st.mode & 0o6000)) {
            // chown drops S_ISUID/S_ISGID; put them back (fs.chmodSync follows links, hence the symlink check)
            chmodSync(path, st.mode & 0o7777);
        }
        if (st.isDirectory())
            for (const name of readdirSync(path))
                walk(join(path, name));
    };
    walk(dest);
}
//# sourceMappingURL=idmap.js.map