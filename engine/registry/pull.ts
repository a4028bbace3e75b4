import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decompress } from 'fzstd';
import { NotFoundError, UserError } from '../sys/errors.js';
import { digestHex, sha256 } from '../images/fsutil.js';
import { parseConfig, type ImageStore } from '../images/store.js';
import type { ImageRecord } from '../images/config.js';
import { RegistryClient, RegistryError, type Credentials } from './http.js';
import { choosePlatform, compressionOf, isIndex, isManifest, MANIFEST_ACCEPT, parsePlatform, type Descriptor, type ImageIndex, type ImageManifest } from './manifest.js';
import { DistributionMetadata } from './metadata.js';
import { familiarName, formatRef, localTag, parseImageRef, type Reference } from './reference.js';
import { runLimited, shortDigest, throttled, type OnProgress } from './progress.js';

export interface PullOptions {
  /** OS/ARCH[/VARIANT]; default this machine's */
  platform?: string;
  credentials?: Credentials;
  onProgress?: OnProgress;
  /** layers fetched at once (docker's default is 3) */
  concurrency?: number;
}

export interface PullResult { image: ImageRecord; ref: Reference; digest: string; tag?: string; upToDate: boolean }

/** A manifest as fetched: its exact bytes (the digest is their sha256) and what kind it is. */
export interface FetchedManifest { bytes: Buffer; digest: string; mediaType: string; json: ImageManifest | ImageIndex }

export async function fetchManifest(client: RegistryClient, repository: string, reference: string, scopes: string[]): Promise<FetchedManifest> {
  const res = await client.call(`/v2/${repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } }, scopes);
  if (res.status === 404) {
    await res.body?.cancel();
    throw new NotFoundError(`manifest for ${client.registry}/${repository}:${reference} not found: no such tag or digest in the registry`);
  }
  await client.expect(res, `manifest ${repository}:${reference}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = `sha256:${sha256(bytes)}`;
  if (reference.startsWith('sha256:') && reference !== digest) {
    throw new UserError(`manifest ${reference} from ${client.registry} hashes to ${digest}: the registry sent something else; nothing was stored`);
  }
  let json: ImageManifest | ImageIndex;
  try { json = JSON.parse(bytes.toString('utf8')) as ImageManifest | ImageIndex; } catch {
    throw new UserError(`manifest ${repository}:${reference} from ${client.registry} is not JSON`);
  }
  const mediaType = json.mediaType ?? res.headers.get('content-type')?.split(';')[0] ?? '';
  if (!isIndex(mediaType) && !isManifest(mediaType)) {
    throw new UserError(`manifest ${repository}:${reference} has media type "${mediaType}", which boxlab cannot pull (it reads OCI and Docker v2 schema 2)`);
  }
  return { bytes, digest, mediaType, json };
}

/** Fetches a small blob (a config) whole and checks its digest. */
export async function fetchSmallBlob(client: RegistryClient, repository: string, d: Descriptor, scopes: string[]): Promise<Buffer> {
  const res = await client.expect(await client.call(`/v2/${repository}/blobs/${d.digest}`, {}, scopes), `blob ${d.digest}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (`sha256:${sha256(bytes)}` !== d.digest) throw new UserError(`blob ${d.digest} from ${client.registry} hashes to sha256:${sha256(bytes)}: corrupt; nothing was stored`);
  return bytes;
}

// Two pulls in one daemon that need the same blob share one download.
const inFlight = new Map<string, Promise<void>>();

/**
 * `docker pull`: the manifest (an index picks the platform), the config, then every layer not already in the
 * store, several at once. Each blob is written to image/downloads/<hex>.partial; an interrupted download is
 * continued with a Range request next time. A blob is used only once its sha256 matches the digest the
 * manifest names, and a layer only once its uncompressed sha256 matches the config's diff_id: anything else is
 * deleted and the pull fails without tagging anything.
 */
export async function pullImage(store: ImageStore, name: string, opts: PullOptions = {}): Promise<PullResult> {
  const ref = parseImageRef(name);
  const on: OnProgress = opts.onProgress ?? (() => {});
  const client = new RegistryClient(ref.registry, opts.credentials);
  const scopes = [`repository:${ref.repository}:pull`];
  await client.authorize(scopes);
  on({ status: `Pulling from ${ref.registry === 'docker.io' ? ref.repository : `${ref.repository}`}`, id: ref.tag ?? ref.digest ?? 'latest' });

  const top = await fetchManifest(client, ref.repository, ref.digest ?? ref.tag!, scopes);
  let manifest = top;
  if (isIndex(top.mediaType)) {
    const pick = choosePlatform(top.json as ImageIndex, parsePlatform(opts.platform));
    manifest = await fetchManifest(client, ref.repository, pick.digest, scopes);
    if (!isManifest(manifest.mediaType)) throw new UserError(`manifest list entry ${pick.digest} is not an image manifest`);
  }
  const m = manifest.json as ImageManifest;
  const configBytes = await fetchSmallBlob(client, ref.repository, m.config, scopes);
  const config = parseConfig(configBytes);
  if (config.rootfs.diff_ids.length !== m.layers.length) {
    throw new UserError(`image config lists ${config.rootfs.diff_ids.length} layers but the manifest has ${m.layers.length}: the image is broken in the registry`);
  }
  if (opts.platform && !isIndex(top.mediaType)) {
    const want = parsePlatform(opts.platform);
    if (config.os !== want.os || config.architecture !== want.architecture) {
      throw new UserError(`${formatRef(ref)} is ${config.os}/${config.architecture} only, not ${opts.platform}`);
    }
  }

  const imageId = `sha256:${sha256(configBytes)}`;
  const meta = new DistributionMetadata(store);
  const before = new Set(store.layerIds());
  const downloads = join(store.dir, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const upToDate = !!store.find(imageId) && config.rootfs.diff_ids.every((d) => store.hasLayer(d));

  try {
    const jobs = m.layers.map((layer, i) => async () => {
      const diffID = config.rootfs.diff_ids[i]!;
      const id = shortDigest(layer.digest);
      if (store.hasLayer(diffID)) { on({ status: 'Already exists', id }); return; }
      let running = inFlight.get(layer.digest);
      if (!running) {
        running = fetchLayer(store, client, ref.repository, layer, diffID, downloads, on, scopes).finally(() => inFlight.delete(layer.digest));
        inFlight.set(layer.digest, running);
      }
      await running;
      meta.addBlob(diffID, { digest: layer.digest, mediaType: layer.mediaType, size: layer.size, registry: ref.registry, repository: ref.repository });
      on({ status: 'Pull complete', id });
    });
    for (const [i, l] of m.layers.entries()) if (!store.hasLayer(config.rootfs.diff_ids[i]!)) on({ status: 'Pulling fs layer', id: shortDigest(l.digest) });
    await runLimited(jobs, opts.concurrency ?? 3);
  } catch (e) {
    // a corrupt blob: whatever this pull added goes again (an interrupted download keeps its .partial to resume)
    if (e instanceof CorruptBlob) store.removeUnusedLayers((d) => !before.has(d));
    throw e;
  }

  const tag = localTag(ref);
  const image = store.addImage(configBytes, tag ? [tag] : []);
  meta.addRepoDigest(image.Id, familiarName(ref), top.digest);
  on({ status: `Digest: ${top.digest}` });
  on({ status: upToDate ? `Status: Image is up to date for ${formatRef(ref)}` : `Status: Downloaded newer image for ${formatRef(ref)}` });
  return { image, ref, digest: top.digest, ...(tag && { tag }), upToDate };
}

class CorruptBlob extends UserError {}


async function hashFile(path: string): Promise<ReturnType<typeof createHash>> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h;
}

/**
 * Downloads one layer blob and imports it. A fresh download streams: the compressed bytes are hashed and
 * written to the .partial file (kept for a resume if the connection drops) while they are decompressed and
 * extracted, so the layer is unpacked as it arrives. A download that continues a .partial one is finished first
 * and imported from the file. Either way the blob's sha256 must match the manifest and the tar's the config.
 */
async function fetchLayer(store: ImageStore, client: RegistryClient, repository: string, layer: Descriptor, diffID: string,
  downloads: string, on: OnProgress, scopes: string[]): Promise<void> {
  const hex = digestHex(layer.digest);
  if (!hex) throw new UserError(`layer digest "${layer.digest}" is not sha256: boxlab verifies sha256 only`);
  const compression = compressionOf(layer.mediaType);
  const id = shortDigest(layer.digest);
  const partial = join(downloads, `${hex}.partial`);
  let have = existsSync(partial) ? statSync(partial).size : 0;
  if (have >= layer.size) { rmSync(partial, { force: true }); have = 0; }
  const hash = have > 0 ? await hashFile(partial) : createHash('sha256');
  const res = await client.download(`/v2/${repository}/blobs/${layer.digest}`, have > 0 ? { Range: `bytes=${have}-` } : {}, scopes);
  if (res.status !== 200 && res.status !== 206) {
    const text = await res.text().catch(() => '');
    throw new RegistryError(res.status, `layer ${layer.digest}: registry ${client.registry} answered ${res.status} ${text.trim().slice(0, 200)}${res.status === 401 ? ` (run \`boxlab login ${client.registry}\`)` : ''}`);
  }
  const resumed = have > 0 && res.status === 206;
  if (!resumed) have = 0; // a fresh download, or the registry ignored Range: start over
  const report = throttled(on, id, 'Downloading', layer.size);
  let current = have;
  report(current, true);
  const fd = openSync(partial, resumed ? 'a' : 'w');
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      writeSync(fd, chunk); // page cache: microseconds, and the bytes are on file for a resume at once
      current += chunk.length;
      report(current);
      cb(null, chunk);
    },
  });
  const body = res.body;
  body.on('error', (e) => tap.destroy(e));
  const checkBlob = (): void => {
    on({ status: 'Verifying Checksum', id });
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== layer.digest || current !== layer.size) {
      rmSync(partial, { force: true });
      throw new CorruptBlob(`layer ${layer.digest} from ${client.registry}/${repository} hashes to ${got} (${current} bytes, manifest says ${layer.size}): the blob is corrupt; nothing was stored`);
    }
    on({ status: 'Download complete', id });
  };
  const had = store.hasLayer(diffID);
  let stored: string;
  try {
    if (resumed) {
      await pipeline(body, tap, new Writable({ write(_c, _e, cb) { cb(); } }));
      report(current, true);
      checkBlob();
      on({ status: 'Extracting', id });
      stored = await store.importLayerTar(decompress(createReadStream(partial), compression));
    } else {
      on({ status: 'Extracting', id });
      let dropped: Error | undefined;
      body.once('error', (e) => { dropped = e; });
      stored = await store.importLayerTar(decompress(body.pipe(tap), compression)).catch((e: Error) => {
        // the connection failed: the .partial stays, and the next pull continues it with a Range request
        if (dropped) throw new UserError(`download of layer ${layer.digest} from ${client.registry} was interrupted after ${current} of ${layer.size} bytes (${dropped.message}): pull again to continue where it stopped`);
        rmSync(partial, { force: true }); // the bytes themselves are bad (not gzip/zstd, not a tar)
        throw new CorruptBlob(`layer ${layer.digest} from ${client.registry}/${repository} is corrupt (${e.message}); nothing was stored`);
      });
      report(current, true);
      try { checkBlob(); } catch (e) {
        if (!had) store.removeUnusedLayers((d) => d === stored);
        throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (stored !== diffID) {
    if (!had) store.removeUnusedLayers((d) => d === stored);
    rmSync(partial, { force: true });
    throw new CorruptBlob(`layer ${layer.digest} unpacks to ${stored} but the image config says ${diffID}: the image is broken in the registry; nothing was stored`);
  }
  rmSync(partial, { force: true });
}

/** The tar inside a blob: gzip is recognised by the store itself; zstd is decompressed here. */
function decompress(input: Readable, compression: 'gzip' | 'zstd' | 'none'): Readable {
  if (compression !== 'zstd') return input;
  const out = zstdDecompressor();
  input.on('error', (e) => out.destroy(e));
  return input.pipe(out);
}

/** zstd → tar. Node 20's zlib has no zstd; fzstd (pure JS, by the author of fflate) streams it. */
function zstdDecompressor(): Transform {
  let out: Transform;
  const dec = new Decompress((chunk: Uint8Array) => { out.push(Buffer.from(chunk)); });
  out = new Transform({
    // a copy: fzstd may keep the input chunk while it waits for the rest of a block, and stream chunks can be
    // views of buffers that are reused
    transform(chunk: Buffer, _e, cb) { try { dec.push(new Uint8Array(chunk)); cb(); } catch (e) { cb(e as Error); } },
    flush(cb) { try { dec.push(new Uint8Array(0), true); cb(); } catch (e) { cb(e as Error); } },
  });
  return out;
}
