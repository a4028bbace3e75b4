import { closeSync, createReadStream, createWriteStream, fchownSync, fchmodSync, futimesSync, lchownSync, linkSync, lstatSync,
  lutimesSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, writeSync, chmodSync, chownSync, utimesSync, constants as fsc, statSync, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { Header, Pack, Parser, ReadEntry, WriteEntry, type WriteEntryTar } from 'tar';
import { mknodChar, traceNote, UserError } from '../sys/index.js';
import { isOpaqueDir, lsetxattr, OPAQUE_XATTR } from './xattr.js';

/** OCI/docker spell an overlay whiteout as an empty file named `.wh.<name>`, an opaque dir as `.wh..wh..opq`. */
export const WH_PREFIX = '.wh.';
export const WH_OPAQUE = '.wh..wh..opq';

export interface PackOptions {
  /** one mtime for every entry (a deterministic layer); default: each file's own */
  mtime?: Date;
  /**
   * Stay on the dir's filesystem: the contents of anything mounted below it (a live container's /proc, /sys,
   * /dev, volumes — seen through /proc/<pid>/root) are left out; the mount points themselves stay.
   */
  oneFileSystem?: boolean;
  /** paths relative to the dir (no leading slash) left out with everything below them — a container's volumes */
  exclude?: string[];
}

export interface PackedLayer {
  /** sha256:<hex of the uncompressed tar> */
  diffID: string;
  size: number;
}

type Item = { rel: string } | { synthetic: string };

/**
 * The dir's entries in tar order: parents before children, siblings sorted by name (byte order), so the same
 * tree always gives the same tar. Overlay whiteouts (char 0/0) become `.wh.` files, opaque dirs get a
 * `.wh..wh..opq` marker; other device nodes, fifos and sockets have no place in a layer and are left out.
 */
function walk(dir: string, exclude: Set<string>, oneFileSystem: boolean): Item[] {
  const items: Item[] = [];
  const rootDev = statSync(dir).dev; // stat, not lstat: the dir may be the magic link /proc/<pid>/root
  const visit = (rel: string): void => {
    const names = readdirSync(rel ? `${dir}/${rel}` : dir).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const name of names) {
      const child = rel ? `${rel}/${name}` : name;
      if (exclude.has(child)) continue;
      const st = lstatSync(`${dir}/${child}`);
      if (st.isCharacterDevice() && st.rdev === 0) {
        items.push({ synthetic: rel ? `${rel}/${WH_PREFIX}${name}` : `${WH_PREFIX}${name}` });
      } else if (st.isDirectory()) {
        items.push({ rel: child });
        if (isOpaqueDir(`${dir}/${child}`)) items.push({ synthetic: `${child}/${WH_OPAQUE}` });
        if (!oneFileSystem || st.dev === rootDev) visit(child);
      } else if (st.isFile() || st.isSymbolicLink()) {
        items.push({ rel: child });
      } else {
        traceNote('layer', `left out ${child}: device nodes, fifos and sockets do not go into a layer`);
      }
    }
  };
  visit('');
  return items;
}

/** Makes a tar entry depend only on the file's content and metadata, not on the machine or the moment. */
function normalise(mtime: Date | undefined) {
  return (e: WriteEntry | WriteEntryTar): void => {
    if (e instanceof WriteEntry) {
      e.myuid = -1; // node-tar writes the caller's $USER as uname for files the caller owns
      const st = e.stat;
      if (st) {
        const t = mtime ?? st.mtime;
        st.atime = t; st.ctime = t; st.dev = 0; st.ino = 0; st.nlink = 1;
      }
    }
  };
}

/** Packs `dir` (an extracted layer or a container's upper dir) into an uncompressed layer tar at `out`. */
export async function packLayer(dir: string, out: string | Writable, opts: PackOptions = {}): Promise<PackedLayer> {
  const items = walk(dir, new Set((opts.exclude ?? []).map((p) => p.replace(/^\/+|\/+$/g, ''))), opts.oneFileSystem ?? false);
  const pack = new Pack({ cwd: dir, noDirRecurse: true, portable: false, ...(opts.mtime && { mtime: opts.mtime }), onWriteEntry: normalise(opts.mtime) });
  const hash = createHash('sha256');
  let size = 0;
  const file = typeof out === 'string' ? createWriteStream(out) : out;
  const done = new Promise<void>((resolve, reject) => {
    pack.on('error', reject);
    file.on('error', reject);
    if (typeof out === 'string') file.on('close', () => resolve());
    else pack.on('end', () => resolve());
  });
  pack.on('data', (chunk: Buffer) => { hash.update(chunk); size += chunk.length; });
  pack.pipe(file);
  for (const item of items) {
    if ('rel' in item) pack.add(item.rel);
    else {
      const h = new Header({ path: item.synthetic, type: 'File', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: opts.mtime ?? new Date(0) });
      const entry = new ReadEntry(h);
      entry.end();
      pack.add(entry);
    }
  }
  pack.end();
  await done;
  return { diffID: `sha256:${hash.digest('hex')}`, size };
}

// ---------------------------------------------------------------------------------------------------------
// Extraction

/** A tar path made relative and checked: leading `/` and `./` are dropped (neutralised), `..` is refused. */
export function safeRelative(raw: string, what: string): string[] {
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UserError(`layer tar ${what} "${raw}" contains ".." and would escape the layer: refusing it`);
  return parts;
}

interface DirAttrs { path: string; mode: number; uid: number; gid: number; mtime: Date }

/**
 * Extracts one layer tar (plain or gzip) into `dest` (a fresh, empty dir), never writing outside it: `..` is
 * refused, no entry is written through a symlink, hard links must point inside, device nodes are dropped.
 * `.wh.` entries become overlay whiteouts (char 0/0) and `.wh..wh..opq` the opaque xattr, so the dir can
 * serve as an overlay lower dir as is. Throws a UserError on a corrupt or truncated archive.
 */
export async function extractLayer(src: string | Readable, dest: string): Promise<{ entries: number }> {
  const dirs: DirAttrs[] = [];
  let failure: Error | undefined;
  let entries = 0;

  const abs = (parts: string[]): string => (parts.length ? `${dest}/${parts.join('/')}` : dest);
  const lstatOrNull = (p: string): Stats | null => { try { return lstatSync(p); } catch { return null; } };
  /** Creates missing parents as plain dirs and refuses to pass through anything that is not a real dir. */
  const ensureParents = (parts: string[], raw: string): void => {
    for (let i = 1; i < parts.length; i++) {
      const p = abs(parts.slice(0, i));
      const st = lstatOrNull(p);
      if (st === null) mkdirSync(p, { mode: 0o755 });
      else if (st.isSymbolicLink()) throw new UserError(`layer tar entry "${raw}" would be written through the symbolic link "${parts.slice(0, i).join('/')}": refusing it`);
      else if (!st.isDirectory()) rmSync(p, { force: true }), mkdirSync(p, { mode: 0o755 });
    }
  };
  const clear = (p: string, keepDir: boolean): void => {
    const st = lstatOrNull(p);
    if (st === null) return;
    if (st.isDirectory() && keepDir) return;
    rmSync(p, { recursive: true, force: true });
  };
  const whiteout = (parts: string[], raw: string): void => {
    ensureParents(parts, raw);
    clear(abs(parts), false);
    mknodChar(abs(parts), 0o000, 0, 0);
  };

  const onEntry = (entry: ReadEntry): void => {
    entries++;
    if (failure) { entry.resume(); return; }
    try {
      const raw = entry.path;
      const parts = safeRelative(raw, 'entry');
      if (parts.length === 0) { entry.resume(); return; } // "./" itself
      const name = parts[parts.length - 1]!;
      const p = abs(parts);
      const mode = (entry.mode ?? 0o644) & 0o7777;
      const uid = entry.uid ?? 0;
      const gid = entry.gid ?? 0;
      const mtime = entry.mtime ?? new Date(0);

      if (name === WH_OPAQUE) {
        ensureParents(parts, raw);
        const dir = abs(parts.slice(0, -1));
        if (parts.length > 1 && lstatOrNull(dir) === null) mkdirSync(dir, { mode: 0o755 });
        lsetxattr(dir, OPAQUE_XATTR, 'y');
        entry.resume();
        return;
      }
      if (name.startsWith(WH_PREFIX)) {
        whiteout([...parts.slice(0, -1), name.slice(WH_PREFIX.length)], raw);
        entry.resume();
        return;
      }
      ensureParents(parts, raw);
      switch (entry.type) {
        case 'Directory': {
          clear(p, true);
          if (lstatOrNull(p) === null) mkdirSync(p, { mode: 0o700 });
          dirs.push({ path: p, mode, uid, gid, mtime });
          entry.resume();
          return;
        }
        case 'File': case 'OldFile': case 'ContiguousFile': {
          clear(p, false);
          const fd = openSync(p, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
          entry.on('data', (chunk: Buffer) => { if (!failure) writeSync(fd, chunk); });
          entry.on('end', () => {
            try {
              fchownSync(fd, uid, gid);
              fchmodSync(fd, mode); // after chown, which clears setuid bits
              futimesSync(fd, mtime, mtime);
            } catch (e) { failure ??= e as Error; } finally { closeSync(fd); }
          });
          return;
        }
        case 'SymbolicLink': {
          clear(p, false);
          // The target is NOT checked: /bin/sh -> /bin/busybox is normal and resolves inside the container's root.
          // Safety comes from never writing through a symlink (ensureParents) and O_NOFOLLOW.
          symlinkSync(entry.linkpath ?? '', p);
          lchownSync(p, uid, gid);
          lutimesSync(p, mtime, mtime);
          entry.resume();
          return;
        }
        case 'Link': {
          const target = safeRelative(entry.linkpath ?? '', 'hard link target');
          ensureParents(target, entry.linkpath ?? '');
          const tp = abs(target);
          const st = lstatOrNull(tp);
          if (st === null || target.length === 0) throw new UserError(`layer tar hard link "${raw}" points to "${entry.linkpath}", which is not in the layer`);
          clear(p, false);
          linkSync(tp, p);
          entry.resume();
          return;
        }
        case 'CharacterDevice':
          if ((entry.header.devmaj ?? 0) === 0 && (entry.header.devmin ?? 0) === 0) { whiteout(parts, raw); entry.resume(); return; }
          traceNote('layer', `dropped device node ${raw}: a layer may not create devices`);
          entry.resume();
          return;
        default:
          traceNote('layer', `dropped ${entry.type} entry ${raw}`);
          entry.resume();
      }
    } catch (e) {
      failure ??= e as Error;
      entry.resume();
    }
  };

  if (typeof src === 'string' && statSync(src).size === 0) throw new UserError('not a valid layer tar: the file is empty');
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ strict: true, onReadEntry: onEntry });
    const input = typeof src === 'string' ? createReadStream(src) : src;
    const fail = (e: Error): void => { input.destroy(); reject(e); };
    input.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    parser.on('error', fail);
    input.on('error', fail);
    parser.on('end', () => resolve());
    input.pipe(parser);
  }).catch((e: Error & { code?: string }) => {
    if (e instanceof UserError) throw e;
    if (bytes === 0) throw new UserError('not a valid layer tar: the file is empty');
    const said = e.message.replace(/^TAR_[A-Z_]+:\s*/, '').replace(/\s+/g, ' ');
    throw new UserError(`not a valid layer tar: ${said.charAt(0).toLowerCase()}${said.slice(1)}`);
  });
  if (bytes === 0) throw new UserError('not a valid layer tar: the file is empty');
  if (failure) throw failure instanceof UserError ? failure : new UserError(`cannot extract layer: ${failure.message}`);
  // Directories last and deepest first: writing into a dir would bump its mtime, a 0555 dir would refuse the write.
  for (const d of dirs.reverse()) {
    chownSync(d.path, d.uid, d.gid);
    chmodSync(d.path, d.mode);
    utimesSync(d.path, d.mtime, d.mtime);
  }
  return { entries };
}
