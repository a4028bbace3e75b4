import { statePaths } from '../paths.js';
import { closeSync, createReadStream, existsSync, openSync, writeSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Readable, Transform } from 'node:stream';
import { join } from 'node:path';
import { ConflictError, NotFoundError, UserError } from '../sys/index.js';
import { extractLayer, packLayer, type PackOptions } from './layer-tar.js';
import { digestHex, removeTree, sha256, tempDir, writeFileAtomic } from './fsutil.js';
import { encodeConfig, isValidReference, normaliseConfig, normaliseTag, type HistoryEntry, type ImageRecord, type OciImageConfig } from './config.js';

/** What `rmi` reports, in the Docker API's shape. */
export type RmiResult = Array<{ Untagged: string } | { Deleted: string }>;

/** Returns the id of a container using the image (or true), or a falsy value when none does. */
export type InUseCheck = (imageId: string) => string | boolean | undefined;

export interface HistoryItem { Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }

/**
 * The content-addressed image store under `<root>/image/`:
 *   layers/<diffID hex>/layer.tar   the uncompressed layer exactly as imported (save writes it back byte for byte)
 *   layers/<diffID hex>/diff/       the same, extracted, with overlay whiteouts — an overlay lower dir
 *   images/<id hex>.json            the OCI image config; the image id is the sha256 of these bytes
 *   repositories.json               { "name:tag": "sha256:<id>" }
 *   tmp/                            work in progress; everything lands by rename, so a failure changes nothing
 */
export class ImageStore {
  readonly dir: string;
  private busybox?: Promise<ImageRecord>;

  constructor(readonly root: string) {
    this.dir = statePaths(root).images;
    for (const d of ['layers', 'images', 'tmp']) mkdirSync(join(this.dir, d), { recursive: true });
    // containers' rootfs dirs (prepareRootfs) live beside the store: <root>/overlay/<id>{,-init}
    mkdirSync(statePaths(root).overlay, { recursive: true });
  }

  // ----- layers ------------------------------------------------------------------------------------------

  layerPath(diffID: string): string {
    const hex = digestHex(diffID);
    if (!hex) throw new UserError(`invalid layer digest "${diffID}"`);
    return join(this.dir, 'layers', hex);
  }

  hasLayer(diffID: string): boolean {
    return existsSync(join(this.layerPath(diffID), 'diff'));
  }

  layerTar(diffID: string): string {
    return join(this.layerPath(diffID), 'layer.tar');
  }

  layerSize(diffID: string): number {
    try { return statSync(this.layerTar(diffID)).size; } catch { return 0; }
  }

  /** Absolute extracted layer dirs of an image, LOWEST FIRST (overlay's lowerdir= wants them reversed). */
  layerDirs(image: ImageRecord): string[] {
    return image.RootFS.DiffIDs.map((d) => {
      if (!this.hasLayer(d)) throw new UserError(`image ${short(image.Id)} is missing layer ${d}: remove it and load it again`);
      return join(this.layerPath(d), 'diff');
    });
  }

  /**
   * Adds a layer from a tar file or stream (plain or gzip). The diffID is the sha256 of the uncompressed
   * tar. Extraction happens in tmp/ and is renamed into place only when it succeeded.
   */
  async importLayerTar(src: string | Readable): Promise<string> {
    const work = tempDir(join(this.dir, 'tmp'), 'layer');
    try {
      // One pass: the tar is hashed and kept (save and push read layer.tar) while it is extracted, so a pulled
      // layer is unpacked as it arrives; the diffID is known at the end, and the dir is installed under it then.
      const hash = createHash('sha256');
      mkdirSync(join(work, 'diff'));
      const tar = openSync(join(work, 'layer.tar'), 'w');
      try {
        await extractLayer(uncompressed(typeof src === 'string' ? createReadStream(src) : src, hash, tar), join(work, 'diff'));
      } finally {
        closeSync(tar);
      }
      const diffID = `sha256:${hash.digest('hex')}`;
      if (this.hasLayer(diffID)) return diffID;
      this.install(work, diffID);
      return diffID;
    } finally {
      removeTree(work);
    }
  }

  /** Packs a dir (a container's upper dir, a build stage) into a new layer; returns its diffID. */
  async layerFromDir(dir: string, opts: PackOptions = {}): Promise<string> {
    const work = tempDir(join(this.dir, 'tmp'), 'layer');
    try {
      const { diffID } = await packLayer(dir, join(work, 'layer.tar'), opts);
      if (this.hasLayer(diffID)) return diffID;
      mkdirSync(join(work, 'diff'));
      // The stored dir is extracted from the tar, not copied from `dir`, so it is exactly what the digest names.
      await extractLayer(join(work, 'layer.tar'), join(work, 'diff'));
      this.install(work, diffID);
      return diffID;
    } finally {
      removeTree(work);
    }
  }

  /** diffIDs of every layer in the store */
  layerIds(): string[] {
    return readdirSync(join(this.dir, 'layers')).filter((h) => /^[0-9a-f]{64}$/.test(h)).map((h) => `sha256:${h}`);
  }

  /** Removes layers no image names (and that `which` selects): the undo of a load or build that failed midway. */
  removeUnusedLayers(which: (diffID: string) => boolean = () => true): string[] {
    const used = new Set(this.list({ all: true }).flatMap((i) => i.RootFS.DiffIDs));
    const gone = this.layerIds().filter((d) => !used.has(d) && which(d));
    for (const d of gone) removeTree(this.layerPath(d));
    return gone;
  }

  private install(work: string, diffID: string): void {
    const final = this.layerPath(diffID);
    // Another load or commit of the same content may have won the race: keep its copy (a container may
    // already use it as a lower dir) and drop ours. Only a half-installed leftover without diff/ is replaced.
    if (this.hasLayer(diffID)) return;
    if (existsSync(final)) removeTree(final);
    renameSync(work, final);
    mkdirSync(work); // so the caller's cleanup finds something to remove
  }

  // ----- images ------------------------------------------------------------------------------------------

  /** Stores a config (our own object, or the exact bytes another tool wrote) and tags it. */
  addImage(config: OciImageConfig | Buffer, tags: string[] = [], opts: { parent?: string } = {}): ImageRecord {
    const bytes = Buffer.isBuffer(config) ? config : Buffer.from(encodeConfig(config));
    const parsed = Buffer.isBuffer(config) ? parseConfig(bytes) : config;
    for (const d of parsed.rootfs.diff_ids) {
      if (!this.hasLayer(d)) throw new UserError(`image config names layer ${d}, which is not in the store`);
    }
    const hex = sha256(bytes);
    const file = join(this.dir, 'images', `${hex}.json`);
    if (!existsSync(file)) writeFileAtomic(file, bytes);
    if (opts.parent && opts.parent !== `sha256:${hex}`) {
      const parents = this.parents();
      parents[`sha256:${hex}`] = opts.parent;
      writeFileAtomic(join(this.dir, 'parents.json'), JSON.stringify(parents, null, 2));
    }
    for (const t of tags) this.setTag(t, `sha256:${hex}`);
    return this.record(hex);
  }

  /** The raw config bytes an image id is the hash of (save writes them unchanged). */
  configBytes(image: ImageRecord): Buffer {
    return readFileSync(join(this.dir, 'images', `${image.Id.slice(7)}.json`));
  }

  ociConfig(image: ImageRecord): OciImageConfig {
    return parseConfig(this.configBytes(image));
  }

  private ids(): string[] {
    return readdirSync(join(this.dir, 'images')).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)).map((f) => f.slice(0, 64));
  }

  private record(hex: string): ImageRecord {
    const c = parseConfig(readFileSync(join(this.dir, 'images', `${hex}.json`)));
    const id = `sha256:${hex}`;
    const tags = Object.entries(this.tags()).filter(([, v]) => v === id).map(([k]) => k).sort();
    return {
      Id: id,
      RepoTags: tags,
      Created: c.created ?? new Date(0).toISOString(),
      Config: normaliseConfig(c.config),
      RootFS: { Type: 'layers', DiffIDs: [...c.rootfs.diff_ids] },
      History: c.history ?? [],
      Size: c.rootfs.diff_ids.reduce((n, d) => n + this.layerSize(d), 0),
      Architecture: c.architecture,
      Os: c.os,
    };
  }

  /**
   * Images newest first. Like `docker images`, untagged build steps that another image was built on are
   * hidden unless `all` (`docker images -a`).
   */
  list(opts: { all?: boolean } = {}): ImageRecord[] {
    const all = this.ids().map((h) => this.record(h)).sort((a, b) => b.Created.localeCompare(a.Created));
    if (opts.all) return all;
    const parentIds = new Set(Object.values(this.parents()));
    return all.filter((i) => i.RepoTags.length > 0 || !parentIds.has(i.Id));
  }

  /** child image id → the image it was built on (build steps, commit). */
  parents(): Record<string, string> {
    try { return JSON.parse(readFileSync(join(this.dir, 'parents.json'), 'utf8')) as Record<string, string>; } catch { return {}; }
  }

  /** "busybox", "busybox:latest", "sha256:<hex>", a unique id prefix → the image; NotFoundError otherwise. */
  resolve(ref: string): ImageRecord {
    const found = this.find(ref);
    if (!found) throw new NotFoundError(`No such image: ${ref}`);
    return found;
  }

  find(ref: string): ImageRecord | undefined {
    const tags = this.tags();
    if (isValidReference(ref)) {
      const id = tags[normaliseTag(ref)];
      if (id) return this.record(id.slice(7));
    }
    const prefix = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (!/^[0-9a-f]{1,64}$/.test(prefix)) return undefined;
    const matches = this.ids().filter((h) => h.startsWith(prefix));
    if (matches.length > 1) throw new UserError(`ambiguous image id prefix "${ref}": it matches ${matches.length} images, give more digits`);
    return matches[0] ? this.record(matches[0]) : undefined;
  }

  // ----- tags --------------------------------------------------------------------------------------------

  private tags(): Record<string, string> {
    try { return JSON.parse(readFileSync(join(this.dir, 'repositories.json'), 'utf8')) as Record<string, string>; } catch { return {}; }
  }

  private setTag(tag: string, id: string): void {
    if (!isValidReference(tag)) throw new UserError(`invalid reference format: "${tag}" (use lowercase name[:tag])`);
    const tags = this.tags();
    tags[normaliseTag(tag)] = id;
    writeFileAtomic(join(this.dir, 'repositories.json'), JSON.stringify(tags, null, 2));
  }

  /** `docker tag SOURCE TARGET` */
  tag(source: string, target: string): ImageRecord {
    const img = this.resolve(source);
    this.setTag(target, img.Id);
    return this.record(img.Id.slice(7));
  }

  private untag(tag: string): void {
    const tags = this.tags();
    delete tags[tag];
    writeFileAtomic(join(this.dir, 'repositories.json'), JSON.stringify(tags, null, 2));
  }

  // ----- removal -----------------------------------------------------------------------------------------

  /**
   * `docker rmi`: by tag, removes that tag, and the image once no tag is left; by id, the image with all its
   * tags. Refuses while a container uses the image, unless forced — then it only untags (as docker does), so
   * the container's lower dirs stay in place.
   */
  rmi(ref: string, opts: { force?: boolean; isInUse?: InUseCheck } = {}): RmiResult {
    const img = this.resolve(ref);
    const byTag = isValidReference(ref) && this.tags()[normaliseTag(ref)] === img.Id;
    const out: RmiResult = [];
    const user = opts.isInUse?.(img.Id);
    const userName = typeof user === 'string' ? short(user) : 'a container';
    if (byTag && img.RepoTags.length > 1) {
      this.untag(normaliseTag(ref));
      return [{ Untagged: normaliseTag(ref) }];
    }
    if (user && !opts.force) {
      throw new ConflictError(byTag
        ? `conflict: unable to remove repository reference "${ref}" (must force) - container ${userName} is using its referenced image ${short(img.Id)}`
        : `conflict: unable to delete ${short(img.Id)} (must be forced) - image is being used by container ${userName}`);
    }
    if (!byTag && img.RepoTags.length > 1 && !opts.force) {
      throw new ConflictError(`conflict: unable to delete ${short(img.Id)} (must be forced) - image is referenced in multiple repositories`);
    }
    for (const t of img.RepoTags) { this.untag(t); out.push({ Untagged: t }); }
    if (user) return out;
    this.deleteImage(img.Id, out, opts.isInUse);
    const stillUsed = new Set(this.list({ all: true }).flatMap((i) => i.RootFS.DiffIDs));
    for (const d of new Set(img.RootFS.DiffIDs)) {
      if (!stillUsed.has(d)) { removeTree(this.layerPath(d)); out.push({ Deleted: d }); }
    }
    return out;
  }

  /** Deletes the image and then, as docker does, its untagged build-step parents that nothing else needs. */
  private deleteImage(id: string, out: RmiResult, isInUse?: InUseCheck): void {
    const parents = this.parents();
    let cur: string | undefined = id;
    while (cur) {
      removeTree(join(this.dir, 'images', `${cur.slice(7)}.json`));
      out.push({ Deleted: cur });
      const parent: string | undefined = parents[cur];
      delete parents[cur];
      const next: ImageRecord | undefined = parent !== undefined ? this.find(parent) : undefined;
      const hasChildren: boolean = next !== undefined && Object.values(parents).includes(next.Id);
      cur = next && next.RepoTags.length === 0 && !hasChildren && !isInUse?.(next.Id) ? next.Id : undefined;
    }
    writeFileAtomic(join(this.dir, 'parents.json'), JSON.stringify(parents, null, 2));
  }

  /** `docker history`: newest first; layers are attributed to the history entries that made one. */
  history(ref: string): HistoryItem[] {
    const img = this.resolve(ref);
    const diffIDs = [...img.RootFS.DiffIDs];
    const hist: HistoryEntry[] = img.History.length ? img.History : diffIDs.map(() => ({ created_by: '' }));
    let layer = 0;
    const items: HistoryItem[] = hist.map((h) => {
      const d = h.empty_layer ? undefined : diffIDs[layer++];
      return {
        Id: '<missing>',
        Created: Math.floor(Date.parse(h.created ?? img.Created) / 1000),
        CreatedBy: h.created_by ?? '',
        Tags: null,
        Size: d ? this.layerSize(d) : 0,
        Comment: h.comment ?? '',
      };
    }).reverse();
    if (items[0]) { items[0].Id = img.Id; items[0].Tags = img.RepoTags.length ? img.RepoTags : null; }
    return items;
  }

  // ----- the default image -------------------------------------------------------------------------------

  /** `busybox:latest`, built offline from Debian's busybox-static the first time it is asked for. */
  ensureBusybox(): Promise<ImageRecord> {
    const have = this.find('busybox:latest');
    if (have) return Promise.resolve(have);
    this.busybox ??= import('./busybox.js').then((m) => m.buildBusybox(this)).finally(() => { this.busybox = undefined; });
    return this.busybox;
  }
}

export function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function parseConfig(bytes: Buffer): OciImageConfig {
  let c: OciImageConfig;
  try { c = JSON.parse(bytes.toString('utf8')) as OciImageConfig; } catch (e) {
    throw new UserError(`image config is not valid JSON: ${(e as Error).message}`);
  }
  if (!c || typeof c !== 'object' || !c.rootfs || !Array.isArray(c.rootfs.diff_ids)) throw new UserError('image config has no rootfs.diff_ids: not an image config');
  for (const d of c.rootfs.diff_ids) if (!digestHex(d)) throw new UserError(`image config names an invalid layer digest "${d}"`);
  return c;
}

/** A (possibly gzip-compressed) tar stream, uncompressed; every uncompressed byte is hashed and copied to `copy`. */
function uncompressed(input: Readable, hash: Hash, copy: number): Readable {
  const keep = (d: Buffer): void => { hash.update(d); writeSync(copy, d); };
  let first = true;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  // Peek at the first bytes to decide whether to decompress.
  const sniff = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (first) {
        first = false;
        if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
          gunzip = createGunzip();
          gunzip.on('data', (d: Buffer) => { keep(d); this.push(d); });
          gunzip.on('error', (e) => this.destroy(new UserError(`cannot read layer: ${e.message}`)));
        }
      }
      if (gunzip) gunzip.write(chunk, () => cb());
      else { keep(chunk); cb(null, chunk); }
    },
    flush(cb) {
      if (!gunzip) { cb(); return; }
      gunzip.on('end', () => cb());
      gunzip.end();
    },
  });
  input.on('error', (e) => sniff.destroy(new UserError(`cannot read layer: ${e.message}`)));
  return input.pipe(sniff);
}
