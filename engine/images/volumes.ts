import { statePaths } from '../paths.js';
import { chmodSync, chownSync, copyFileSync, existsSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readFileSync,
  readlinkSync, rmSync, symlinkSync, utimesSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, posix } from 'node:path';
import { ConflictError, NotFoundError, UserError } from '../sys/index.js';
import { isWhiteout } from './changes.js';
import { removeTree, writeFileAtomic } from './fsutil.js';
import { isOpaqueDir } from './xattr.js';

/** `docker volume inspect` shape. */
export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local';
  Options: Record<string, string>;
  /** made for a `-v /path` or an image VOLUME, not by name */
  Anonymous?: boolean;
}

/** Returns the ids of containers using the volume (empty when none). */
export type VolumeUsers = (name: string) => string[];

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Named and anonymous volumes under `<root>/volumes/<name>/_data`, like docker's local driver. */
export class VolumeStore {
  readonly dir: string;
  constructor(root: string) {
    this.dir = statePaths(root).volumes;
    mkdirSync(this.dir, { recursive: true });
  }

  private meta(name: string): string { return join(this.dir, name, 'volume.json'); }

  /** Creates the volume, or returns the existing one of that name (docker's `volume create` is idempotent). */
  create(name?: string, opts: { labels?: Record<string, string>; anonymous?: boolean } = {}): VolumeRecord {
    const n = name ?? randomBytes(32).toString('hex');
    if (!NAME_RE.test(n)) throw new UserError(`invalid volume name "${n}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (existsSync(this.meta(n))) return this.inspect(n);
    const rec: VolumeRecord = {
      Name: n, Driver: 'local', Mountpoint: join(this.dir, n, '_data'), CreatedAt: new Date().toISOString(),
      Labels: opts.labels ?? {}, Scope: 'local', Options: {}, ...((opts.anonymous ?? !name) && { Anonymous: true }),
    };
    mkdirSync(rec.Mountpoint, { recursive: true, mode: 0o755 });
    writeFileAtomic(this.meta(n), JSON.stringify(rec, null, 2));
    return rec;
  }

  find(name: string): VolumeRecord | undefined {
    if (!NAME_RE.test(name) || !existsSync(this.meta(name))) return undefined;
    return JSON.parse(readFileSync(this.meta(name), 'utf8')) as VolumeRecord;
  }

  inspect(name: string): VolumeRecord {
    const v = this.find(name);
    if (!v) throw new NotFoundError(`no such volume: ${name}`);
    return v;
  }

  list(): VolumeRecord[] {
    return readdirSync(this.dir).map((n) => this.find(n)).filter((v): v is VolumeRecord => v !== undefined).sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** Refuses while a container uses it, even with force — as docker does (`force` only ignores a missing volume). */
  remove(name: string, opts: { force?: boolean; users?: VolumeUsers } = {}): void {
    const v = this.find(name);
    if (!v) { if (opts.force) return; throw new NotFoundError(`no such volume: ${name}`); }
    const users = opts.users?.(name) ?? [];
    if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    removeTree(join(this.dir, name));
  }

  /** `volume prune`: removes unused anonymous volumes (all unused ones with `all`). */
  prune(users: VolumeUsers, opts: { all?: boolean } = {}): string[] {
    const gone = this.list().filter((v) => (opts.all || v.Anonymous) && users(v.Name).length === 0).map((v) => v.Name);
    for (const n of gone) removeTree(join(this.dir, n));
    return gone;
  }
}

// ---------------------------------------------------------------------------------------------------------
// -v / --tmpfs / image VOLUME → mounts

export interface MountSpec {
  kind: 'bind' | 'volume' | 'tmpfs';
  /** host path: the bind source, the volume's _data dir, or "tmpfs" */
  source: string;
  /** absolute path inside the container */
  target: string;
  readonly: boolean;
  /**
   * docker's copyData: a volume that is still empty is first filled with what the image has at `target`
   * (see {@link fillVolumeFromImage}); a bind mount never is, and `nocopy` turns it off.
   */
  copyUp: boolean;
  volumeName?: string;
  /** tmpfs mount data ("size=64m,mode=1777"), without ro/rw */
  options?: string;
}

const BIND_OPTS = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave', 'consistent', 'cached', 'delegated']);

function checkTarget(target: string, spec: string): string {
  if (!target.startsWith('/')) throw new UserError(`invalid volume specification "${spec}": the container path "${target}" must be absolute`);
  const t = posix.normalize(target).replace(/\/+$/, '');
  if (t === '') throw new UserError(`invalid volume specification "${spec}": cannot mount over the container's /`);
  return t;
}

/** One `-v` string → a mount (volumes are named, not yet created: see {@link prepareMounts}). */
export function parseBind(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new UserError(`invalid volume specification "${spec}": use /host/path:/ctr/path[:ro], NAME:/ctr/path[:ro] or /ctr/path`);
  let src: string | undefined;
  let target: string;
  let opts: string[] = [];
  if (parts.length === 1) target = parts[0]!;
  else if (parts.length === 2 && parts[0]!.startsWith('/') && parts[1]!.split(',').every((o) => BIND_OPTS.has(o))) { target = parts[0]!; opts = parts[1]!.split(','); } // /ctr:ro
  else { src = parts[0]!; target = parts[1]!; opts = parts[2]?.split(',') ?? []; }
  for (const o of opts) if (!BIND_OPTS.has(o)) throw new UserError(`invalid volume specification "${spec}": unknown option "${o}" (use ro or rw)`);
  const readonly = opts.includes('ro');
  const t = checkTarget(target, spec);
  if (src === undefined) return { kind: 'volume', source: '', target: t, readonly, copyUp: !opts.includes('nocopy') };
  if (src.startsWith('/')) return { kind: 'bind', source: posix.normalize(src), target: t, readonly, copyUp: false };
  if (!NAME_RE.test(src)) {
    throw new UserError(`invalid volume specification "${spec}": "${src}" is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]); for a host directory give its absolute path`);
  }
  return { kind: 'volume', source: '', target: t, readonly, copyUp: !opts.includes('nocopy'), volumeName: src };
}

/** One entry of docker's HostConfig.Mounts (`--mount type=…`), the parts boxlab acts on. */
export interface MountField {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  VolumeOptions?: { NoCopy?: boolean } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** HostConfig.Mounts → mounts: bind (an absolute host path), volume (named or anonymous), tmpfs (size, mode). */
export function parseMountField(m: MountField): MountSpec {
  const where = `mount type=${m.Type ?? ''},target=${m.Target ?? ''}`;
  if (!m.Target) throw new UserError(`invalid ${where}: a target (the path inside the container) is required`);
  const target = checkTarget(m.Target, where);
  const readonly = m.ReadOnly ?? false;
  switch (m.Type) {
    case 'bind':
      if (!m.Source?.startsWith('/')) throw new UserError(`invalid ${where}: a bind needs an absolute host source path`);
      if (!existsSync(m.Source)) throw new UserError(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
      return { kind: 'bind', source: posix.normalize(m.Source), target, readonly, copyUp: false };
    case 'volume':
      if (m.Source && !NAME_RE.test(m.Source)) throw new UserError(`invalid ${where}: "${m.Source}" is not a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-])`);
      return { kind: 'volume', source: '', target, readonly, copyUp: !m.VolumeOptions?.NoCopy, ...(m.Source && { volumeName: m.Source }) };
    case 'tmpfs': {
      const t = m.TmpfsOptions ?? {};
      const options = [t.SizeBytes ? `size=${t.SizeBytes}` : '', t.Mode ? `mode=${t.Mode.toString(8)}` : ''].filter(Boolean).join(',');
      return { kind: 'tmpfs', source: 'tmpfs', target, readonly, copyUp: false, options };
    }
    default:
      throw new UserError(`invalid ${where}: type must be bind, volume or tmpfs`);
  }
}

/**
 * The container's mounts from docker's HostConfig.Binds, Mounts and Tmpfs plus the image's VOLUMEs (each
 * one not covered by a -v becomes an anonymous volume). Pure: nothing is created. Sorted parents first, so
 * mounting in order never hides an earlier mount.
 */
export function parseMounts(binds: string[] = [], tmpfs: Record<string, string> = {}, imageVolumes: Record<string, object> = {}, fields: MountField[] = []): MountSpec[] {
  const mounts = [...binds.map(parseBind), ...fields.map(parseMountField)];
  for (const [target, data] of Object.entries(tmpfs)) {
    const opts = data ? data.split(',') : [];
    mounts.push({ kind: 'tmpfs', source: 'tmpfs', target: checkTarget(target, `--tmpfs ${target}`), readonly: opts.includes('ro'), copyUp: false, options: opts.filter((o) => o !== 'ro' && o !== 'rw').join(',') });
  }
  for (const v of Object.keys(imageVolumes)) {
    const t = checkTarget(v, `VOLUME ${v}`);
    if (!mounts.some((m) => m.target === t)) mounts.push({ kind: 'volume', source: '', target: t, readonly: false, copyUp: true });
  }
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.target)) throw new UserError(`duplicate mount point: ${m.target}`);
    seen.add(m.target);
  }
  return mounts.sort((a, b) => a.target.split('/').length - b.target.split('/').length || a.target.localeCompare(b.target));
}

/**
 * Makes the mounts real on the host, before the container starts: creates named and anonymous volumes (and
 * fills the empty ones from the image: copyData), creates a missing bind source dir as `docker run -v` does.
 * `imageLowerdirs`: the image's layer dirs, top first. Returns the specs with `source` filled in.
 */
export function prepareMounts(specs: MountSpec[], volumes: VolumeStore, imageLowerdirs: string[]): MountSpec[] {
  return specs.map((m) => {
    if (m.kind === 'bind') {
      if (!existsSync(m.source)) mkdirSync(m.source, { recursive: true });
      return m;
    }
    if (m.kind === 'tmpfs') return m;
    const v = volumes.create(m.volumeName, { anonymous: m.volumeName === undefined });
    if (m.copyUp) fillVolumeFromImage(imageLowerdirs, m.target, v.Mountpoint);
    return { ...m, source: v.Mountpoint, volumeName: v.Name };
  });
}

/**
 * copyData: if the volume dir is empty and the image has a directory at `target`, copy (never hard-link: the
 * volume is writable, the layers are not) the image's merged content there, owners and modes included, and
 * give the volume root the image dir's owner and mode. Returns whether anything was copied.
 */
export function fillVolumeFromImage(lowerdirsTopFirst: string[], target: string, volumeDir: string): boolean {
  if (readdirSync(volumeDir).length > 0) return false;
  const rel = target.replace(/^\/+/, '');
  // the layers that can contribute: from the top down to the first one that hides what lies below
  const contributing: string[] = [];
  let rootSt: Stats | undefined;
  for (const l of lowerdirsTopFirst) {
    let st: Stats;
    try { st = lstatSync(join(l, rel)); } catch { continue; }
    if (isWhiteout(st) || !st.isDirectory()) break;
    rootSt ??= st;
    contributing.push(join(l, rel));
    if (isOpaqueDir(join(l, rel))) break;
  }
  if (!rootSt) return false;
  for (const src of contributing.reverse()) copyTree(src, volumeDir);
  chownSync(volumeDir, rootSt.uid, rootSt.gid);
  chmodSync(volumeDir, rootSt.mode & 0o7777);
  return readdirSync(volumeDir).length > 0;
}

function copyTree(src: string, dst: string): void {
  for (const name of readdirSync(src)) {
    const s = join(src, name);
    const d = join(dst, name);
    const st = lstatSync(s);
    if (isWhiteout(st)) { rmSync(d, { recursive: true, force: true }); continue; }
    if (st.isDirectory()) {
      if (existsSync(d) && (!lstatSync(d).isDirectory() || isOpaqueDir(s))) rmSync(d, { recursive: true, force: true });
      if (!existsSync(d)) mkdirSync(d);
      copyTree(s, d);
      chownSync(d, st.uid, st.gid);
      chmodSync(d, st.mode & 0o7777);
      utimesSync(d, st.atime, st.mtime);
      continue;
    }
    rmSync(d, { recursive: true, force: true });
    if (st.isSymbolicLink()) { symlinkSync(readlinkSync(s), d); lchownSync(d, st.uid, st.gid); lutimesSync(d, st.atime, st.mtime); continue; }
    if (!st.isFile()) continue;
    copyFileSync(s, d);
    chownSync(d, st.uid, st.gid);
    chmodSync(d, st.mode & 0o7777);
    utimesSync(d, st.atime, st.mtime);
  }
}

/** Container paths whose contents `commit` must leave out: every mount target. */
export function commitExcludes(mounts: MountSpec[]): string[] {
  return mounts.map((m) => m.target);
}
