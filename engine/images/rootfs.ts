import { statePaths } from '../paths.js';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord } from './config.js';
import { removeTree } from './fsutil.js';
import type { ImageStore } from './store.js';

/**
 * The dirs of one container's overlay root, as docker's overlay2 lays them out: the image layers, an `-init`
 * layer (the container's /etc/hostname, hosts, resolv.conf placeholders) and a writable upper.
 */
export interface RootfsDirs {
  /** top first, ready for `lowerdir=`: the init layer, then the image's layers from the newest down */
  lowerdirs: string[];
  initDir: string;
  upper: string;
  work: string;
  merged: string;
}

export function rootfsPaths(root: string, containerId: string): { base: string; initDir: string } {
  if (!/^[\w.-]+$/.test(containerId)) throw new Error(`invalid container id "${containerId}"`);
  const { overlay } = statePaths(root);
  return { base: join(overlay, containerId), initDir: join(overlay, `${containerId}-init`) };
}

/**
 * Creates `<root>/overlay/<id>/{upper,work,merged}` and the `<id>-init` layer: empty placeholders for
 * etc/hostname, etc/hosts, etc/resolv.conf (the init stage bind-mounts the real files over them) and the
 * mount points dev, proc, sys, dev/pts, dev/shm. Nothing is mounted here; the init stage mounts
 * `overlay` with `lowerdir=lowerdirs.join(':'),upperdir=upper,workdir=work` in the container's mount namespace.
 */
export function prepareRootfs(root: string, containerId: string, store: ImageStore, image: ImageRecord): RootfsDirs {
  const { base, initDir } = rootfsPaths(root, containerId);
  const layers = store.layerDirs(image);
  const dirs: RootfsDirs = {
    lowerdirs: [initDir, ...[...layers].reverse()],
    initDir,
    upper: join(base, 'upper'),
    work: join(base, 'work'),
    merged: join(base, 'merged'),
  };
  try {
    for (const d of [dirs.upper, dirs.work, dirs.merged]) mkdirSync(d, { recursive: true });
    for (const d of ['etc', 'dev', 'dev/pts', 'dev/shm', 'proc', 'sys']) mkdirSync(join(initDir, d), { recursive: true, mode: 0o755 });
    chmodSync(join(initDir, 'dev/shm'), 0o1777);
    for (const f of ['etc/hostname', 'etc/hosts', 'etc/resolv.conf']) writeFileSync(join(initDir, f), '', { mode: 0o644 });
  } catch (e) {
    removeRootfs(root, containerId);
    throw e;
  }
  return dirs;
}

/** Removes both dirs; idempotent. The overlay must already be unmounted (it only ever is inside the container). */
export function removeRootfs(root: string, containerId: string): void {
  const { base, initDir } = rootfsPaths(root, containerId);
  removeTree(base);
  removeTree(initDir);
}

/** The `data` argument of mount(2) for this rootfs. */
export function overlayOptions(d: RootfsDirs): string {
  return `lowerdir=${d.lowerdirs.join(':')},upperdir=${d.upper},workdir=${d.work}`;
}
