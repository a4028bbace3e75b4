import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lchownSync, mkdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MNT, umount2 } from '../sys/index.js';
import { raw, sys } from '../sys/libc.js';
import type { Allocation } from './idranges.js';
import { chownCopy, idmapMount, probeIdmap, type IdmapSupport } from './idmap.js';
import { adoptInit, mapUserNamespace, type UserNamespace } from './userns.js';

/**
 * The daemon's part of starting a `--userns remap` container, in one call (see README.md for the whole flow):
 * after spawning the launcher (`userNamespaceSpawnArgs`), {@link startRemapped} writes the maps, makes the image
 * layers appear root-owned to the namespace (idmapped mounts, or chowned copies where the kernel cannot), and
 * adopts the init. Before the spawn, {@link prepareRemappedDirs} hands the container's own dirs and files to the
 * range's root.
 */

/**
 * A pipe the daemon owns, as [readFd, writeFd] (both close-on-exec; spawn's stdio dup2s the read end into the
 * child). Needed for a remapped container's stdin: when {@link adoptInit} kills the launcher, Node destroys the
 * launcher's `child.stdin` ('pipe' stdio belongs to the direct child), and the init would read EOF. Write to
 * the write end with fs.write or `new net.Socket({ fd: writeFd })`; close the read end after the spawn.
 */
export function ownedPipe(): [number, number] {
  const fds = new Int32Array(2);
  sys('pipe2', 'O_CLOEXEC', () => raw.pipe2(fds, 0o2000000) as number);
  return [fds[0]!, fds[1]!];
}

/** Makes every directory above `path` searchable by others (adds o+x: 0700 → 0701), up to `/`. */
export function ensureTraversable(path: string): void {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = statSync(dir);
    if ((st.mode & 0o001) === 0) chmodSync(dir, (st.mode & 0o7777) | 0o001);
    if (dir === '/') break;
  }
}

/**
 * Before the spawn: the upper and work dirs (and their merged mount point) and the files bind-mounted into the
 * container (hostname, hosts, resolv.conf) become owned by the range's root, and their parents searchable by it.
 */
export function prepareRemappedDirs(allocation: Allocation, paths: readonly string[]): void {
  for (const p of paths) {
    lchownSync(p, allocation.uid.start, allocation.gid.start);
    ensureTraversable(p);
  }
}

export interface RemappedStart {
  userns: UserNamespace;
  /** the lowerdirs to give the init's overlay mount, same order as given */
  lowerdirs: string[];
  /** the init's host pid (re-parented to the daemon when the launcher forked) */
  initPid: number;
  how: 'idmapped' | 'chown-copy';
  /** once the init has exec'd: drops the daemon's copies of the idmapped mounts and the namespace fd */
  release(): void;
}

export interface RemappedStartOptions {
  launcherPid: number;
  /** true when the launcher was given a pid namespace (it forks the init) */
  forked: boolean;
  allocation: Allocation;
  lowerdirs: readonly string[];
  /** a directory of the container's for the idmapped mount points, e.g. <containerDir>/idmap */
  mountDir: string;
  /** the daemon's state root: chowned copies live in <stateRoot>/userns/layers/<range start>/ */
  stateRoot: string;
  /** skip the probe (tests; a filesystem known not to support idmapping) */
  how?: IdmapSupport;
}

export async function startRemapped(opts: RemappedStartOptions): Promise<RemappedStart> {
  const userns = await mapUserNamespace(opts.launcherPid, opts.allocation);
  const mounted: string[] = [];
  const release = (): void => {
    for (const target of mounted.splice(0)) {
      try {
        umount2(target, MNT.DETACH);
        rmdirSync(target);
      } catch { /* already gone */ }
    }
    userns.close();
  };
  try {
    // probe beside the layer (same filesystem), never inside it: the probe makes a scratch directory
    const how = opts.how ?? await probeIdmap(opts.lowerdirs[0] ? dirname(opts.lowerdirs[0]) : opts.stateRoot);
    const lowerdirs: string[] = [];
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
    } else {
      for (const dir of opts.lowerdirs) lowerdirs.push(await shiftedCopy(dir, opts.allocation, opts.stateRoot));
    }
    const initPid = await adoptInit(opts.launcherPid, opts.forked);
    return { userns, lowerdirs, initPid, how, release };
  } catch (e) {
    release();
    throw e;
  }
}

/** Where the chowned copy of `layerDir` for a range lives. */
export function shiftedCopyDir(stateRoot: string, start: number, layerDir: string): string {
  return join(stateRoot, 'userns', 'layers', String(start), createHash('sha256').update(layerDir).digest('hex').slice(0, 24));
}

/** The chowned copy of a layer for this range, made once (into a temp name, then renamed: never half a copy). */
async function shiftedCopy(layerDir: string, allocation: Allocation, stateRoot: string): Promise<string> {
  const dest = shiftedCopyDir(stateRoot, allocation.uid.start, layerDir);
  if (existsSync(dest)) return dest;
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await chownCopy(layerDir, tmp, allocation.uid.start);
  renameSync(tmp, dest);
  ensureTraversable(join(dest, 'x'));
  return dest;
}

