import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { NotFoundError, UserError } from '../sys/errors.js';

/**
 * `docker cp`'s half in the daemon: paths inside a container's root resolved the way the container sees
 * them (symlinks followed inside the root, never out of it, as docker's FollowSymlinkInScope), a stat in
 * docker's shape, and tars out of and into the tree. `root` is `/proc/<pid>/root` of a running container or
 * its overlay mounted for the moment (runtime.ts decides).
 */

/** docker's container path stat (the X-Docker-Container-Path-Stat header, base64 of this JSON). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: permission bits plus type bits (dir 1<<31, symlink 1<<27) */
  mode: number;
  mtime: string;
  linkTarget: string;
}

const GO_MODE_DIR = 0x80000000;
const GO_MODE_SYMLINK = 0x08000000;

/**
 * Resolves `path` inside `root`, following symlinks as the container would: an absolute link target
 * starts again at the container's `/`, and `..` stops at it. The last component is not followed
 * (docker cp copies a link as a link). Returns the container path, without `root`.
 */
export function resolveInRoot(root: string, path: string): string {
  const parts = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const last = parts.pop();
  let resolved = '/';
  let hops = 0;
  const queue = [...parts];
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '.') continue;
    if (part === '..') { resolved = posix.dirname(resolved); continue; }
    const next = posix.join(resolved, part);
    let st: Stats;
    try {
      st = lstatSync(root + next);
    } catch {
      resolved = next; // missing: the caller's stat says so
      continue;
    }
    if (!st.isSymbolicLink()) { resolved = next; continue; }
    if (++hops > 40) throw new UserError(`${path}: too many levels of symbolic links`);
    const target = readlinkSync(root + next);
    if (target.startsWith('/')) resolved = '/';
    queue.unshift(...target.split('/').filter(Boolean));
  }
  return last === undefined ? resolved : posix.join(resolved, last);
}

export function statPath(root: string, path: string): PathStat {
  const inside = resolveInRoot(root, path);
  let st: Stats;
  try {
    st = lstatSync(root + inside);
  } catch {
    throw new NotFoundError(`Could not find the file ${path} in container`);
  }
  const type = st.isDirectory() ? GO_MODE_DIR : st.isSymbolicLink() ? GO_MODE_SYMLINK : 0;
  return {
    name: posix.basename(inside) || '/', size: st.size, mode: ((st.mode & 0o777) | type) >>> 0, mtime: st.mtime.toISOString(),
    linkTarget: st.isSymbolicLink() ? readlinkSync(root + inside) : '',
  };
}

/** docker's header value: base64 of the stat's JSON. */
export function statHeader(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/**
 * The tar `GET /containers/{id}/archive` answers: the path itself (named by its basename) and what is under
 * it. `out` is left open: the caller ends it once the root is let go (a stopped container's unmounted).
 */
export async function tarOut(root: string, path: string, out: Writable): Promise<void> {
  const inside = resolveInRoot(root, path);
  statPath(root, path);
  const dir = posix.dirname(inside);
  const base = posix.basename(inside);
  const stream = base === '' ? tar.c({ cwd: root + dir, portable: false }, ['.']) : tar.c({ cwd: root + dir, portable: false }, [base]);
  await pipeline(stream as unknown as Readable, out, { end: false });
}

/**
 * `PUT /containers/{id}/archive?path=DIR`: the tar (plain or gzip: node-tar detects it) unpacked into DIR,
 * which must exist and be a directory. node-tar refuses `..` and absolute names and will not write through
 * a symlink it meets on the way, so an archive cannot reach outside DIR.
 */
export async function tarIn(root: string, path: string, body: Readable, opts: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
  // `DIR/.`: every component of DIR followed, a symlink to a directory included
  const dest = root + resolveInRoot(root, `${path}/.`);
  let st: Stats;
  try {
    st = lstatSync(dest);
  } catch {
    throw new NotFoundError(`Could not find the file ${path} in container`);
  }
  if (!st.isDirectory()) throw new UserError(`extraction point is not a directory: ${path}`);
  const conflicts: string[] = [];
  const x = tar.x({
    cwd: dest, preserveOwner: true, unlink: true,
    ...(opts.noOverwriteDirNonDir && {
      filter: (p: string, entry: tar.ReadEntry | Stats) => {
        const t = (entry as tar.ReadEntry).type;
        try {
          const existing = lstatSync(posix.join(dest, p));
          if (existing.isDirectory() !== (t === 'Directory')) {
            conflicts.push(p);
            return false;
          }
        } catch {
          // nothing there yet
        }
        return true;
      },
    }),
  });
  await pipeline(body, x as unknown as Writable);
  if (conflicts.length) throw new UserError(`cannot overwrite a directory with a non-directory (or the other way round): ${conflicts[0]}`);
}
