import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from './fsutil.js';
export function rootfsPaths(root, containerId) {
    if (!/^[\w.-]+$/.test(containerId))
        throw new Error(`invalid container id "${containerId}"`);
    return { base: join(root, 'overlay', containerId), initDir: join(root, 'overlay', `${containerId}-init`) };
}
/**
 * Creates `<root>/overlay/<id>/{upper,work,merged}` and the `<id>-init` layer: empty placeholders for
 * etc/hostname, etc/hosts, etc/resolv.conf (the init stage bind-mounts the real files over them) and the
 * mount points dev, proc, sys, dev/pts, dev/shm. Nothing is mounted here; the init stage mounts
 * `overlay` with `lowerdir=lowerdirs.join(':'),upperdir=upper,workdir=work` in the container's mount namespace.
 */
export function prepareRootfs(root, containerId, store, image) {
    const { base, initDir } = rootfsPaths(root, containerId);
    const layers = store.layerDirs(image);
    const dirs = {
        lowerdirs: [initDir, ...[...layers].reverse()],
        initDir,
        upper: join(base, 'upper'),
        work: join(base, 'work'),
        merged: join(base, 'merged'),
    };
    try {
        for (const d of [dirs.upper, dirs.work, dirs.merged])
            mkdirSync(d, { recursive: true });
        for (const d of ['etc', 'dev', 'dev/pts', 'dev/shm', 'proc', 'sys'])
            mkdirSync(join(initDir, d), { recursive: true, mode: 0o755 });
        chmodSync(join(initDir, 'dev/shm'), 0o1777);
        for (const f of ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'])
            writeFileSync(join(initDir, f), '', { mode: 0o644 });
    }
    catch (e) {
        removeRootfs(root, containerId);
        throw e;
    }
    return dirs;
}
/** Removes both dirs; idempotent. The overlay must already be unmounted (it only ever is inside the container). */
export function removeRootfs(root, containerId) {
    const { base, initDir } = rootfsPaths(root, containerId);
    removeTree(base);
    removeTree(initDir);
}
/** The `data` argument of mount(2) for this rootfs. */
export function overlayOptions(d) {
    return `lowerdir=${d.lowerdirs.join(':')},upperdir=${d.upper},workdir=${d.work}`;
}
//# sourceMappingURL=rootfs.js.map