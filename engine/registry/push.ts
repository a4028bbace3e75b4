import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { UserError } from '../sys/errors.js';
import { removeTree, sha256, tempDir } from '../images/fsutil.js';
import type { ImageStore } from '../images/store.js';
import { RegistryClient, type Credentials } from './http.js';
import { MediaType, type Descriptor, type ImageManifest } from './manifest.js';
import { DistributionMetadata } from './metadata.js';
import { familiarName, localTag, parseImageRef } from './reference.js';
import { runLimited, shortDigest, throttled, type OnProgress } from './progress.js';

export interface PushOptions { credentials?: Credentials; onProgress?: OnProgress }
export interface PushResult { digest: string; size: number; tag: string }

/**
 * `docker push NAME[:TAG]`: every layer gzip-compressed (deterministically: the same layer always gives the same
 * blob), each blob skipped when the registry has it (HEAD), mounted from another repository of the same
 * registry when we know it is there, uploaded otherwise; then the config and a Docker v2 schema 2 manifest.
 */
export async function pushImage(store: ImageStore, name: string, opts: PushOptions = {}): Promise<PushResult> {
  const ref = parseImageRef(name);
  if (ref.digest) throw new UserError(`cannot push a digest reference (${name}): push NAME[:TAG]`);
  const tag = localTag(ref)!;
  const img = store.find(tag);
  if (!img) throw new UserError(`An image does not exist locally with the tag: ${familiarName(ref)}:${ref.tag} (tag one first: boxlab tag IMAGE ${familiarName(ref)}:${ref.tag})`);
  const on: OnProgress = opts.onProgress ?? (() => {});
  const client = new RegistryClient(ref.registry, opts.credentials);
  const meta = new DistributionMetadata(store);
  const repo = ref.repository;
  const known = (diffID: string) => meta.blobsOf(diffID).filter((b) => b.registry === ref.registry);
  const scopes = [`repository:${repo}:pull,push`, ...new Set(img.RootFS.DiffIDs.flatMap((d) => known(d).filter((b) => b.repository !== repo).map((b) => `repository:${b.repository}:pull`)))];
  await client.authorize(scopes);
  on({ status: `The push refers to repository [${familiarName(ref)}]` });

  const exists = async (digest: string): Promise<boolean> => {
    const res = await client.call(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' }, scopes);
    await res.body?.cancel();
    return res.status === 200;
  };
  const work = tempDir(join(store.dir, 'tmp'), 'push');
  try {
    const layers: Descriptor[] = [];
    const jobs = img.RootFS.DiffIDs.map((diffID, i) => async () => {
      const id = shortDigest(diffID);
      for (const b of known(diffID)) {
        if (b.repository === repo && await exists(b.digest)) {
          on({ status: 'Layer already exists', id });
          layers[i] = { mediaType: b.mediaType, digest: b.digest, size: b.size };
          return;
        }
      }
      for (const b of known(diffID).filter((x) => x.repository !== repo)) {
        const res = await client.call(`/v2/${repo}/blobs/uploads/?mount=${b.digest}&from=${encodeURIComponent(b.repository)}`, { method: 'POST' }, scopes);
        await res.body?.cancel();
        if (res.status === 201) {
          on({ status: `Mounted from ${b.repository}`, id });
          layers[i] = { mediaType: b.mediaType, digest: b.digest, size: b.size };
          meta.addBlob(diffID, { ...layers[i]!, registry: ref.registry, repository: repo });
          return;
        }
        if (res.status === 202) { const loc = res.headers.get('location'); if (loc) await client.call(loc, { method: 'DELETE' }, scopes).then((r) => r.body?.cancel()); }
      }
      on({ status: 'Preparing', id });
      const file = join(work, `${i}.tar.gz`);
      const { digest, size } = await gzipFile(store.layerTar(diffID), file);
      const desc: Descriptor = { mediaType: MediaType.dockerLayerGzip, digest, size };
      if (await exists(digest)) on({ status: 'Layer already exists', id });
      else {
        await upload(client, repo, desc, () => createReadStream(file), scopes, on, id);
        on({ status: 'Pushed', id });
      }
      layers[i] = desc;
      meta.addBlob(diffID, { ...desc, registry: ref.registry, repository: repo });
    });
    await runLimited(jobs, 3);

    const configBytes = store.configBytes(img);
    const config: Descriptor = { mediaType: MediaType.dockerConfig, digest: `sha256:${sha256(configBytes)}`, size: configBytes.length };
    if (!(await exists(config.digest))) await upload(client, repo, config, () => configBytes, scopes, on);

    const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaType.dockerManifest, config, layers };
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    const res = await client.call(`/v2/${repo}/manifests/${ref.tag}`, { method: 'PUT', headers: { 'Content-Type': MediaType.dockerManifest }, body: bytes }, scopes);
    await client.expect(res, `manifest ${repo}:${ref.tag}`, [201]);
    await res.body?.cancel();
    const digest = `sha256:${sha256(bytes)}`;
    meta.addRepoDigest(img.Id, familiarName(ref), digest);
    on({ status: `${ref.tag}: digest: ${digest} size: ${bytes.length}` });
    return { digest, size: bytes.length, tag: ref.tag! };
  } finally {
    removeTree(work);
  }
}

/** POST an upload session, then PUT the whole blob to its Location with ?digest= (a monolithic upload). */
export async function upload(client: RegistryClient, repo: string, desc: Descriptor, body: () => Buffer | NodeJS.ReadableStream,
  scopes: string[], on?: OnProgress, id?: string): Promise<void> {
  const start = await client.call(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }, scopes);
  await client.expect(start, `upload of ${desc.digest}`, [202]);
  await start.body?.cancel();
  const loc = start.headers.get('location');
  if (!loc) throw new UserError(`registry ${client.registry} gave no upload location`);
  const url = new URL(loc, client.base);
  url.searchParams.set('digest', desc.digest);
  const report = on && id ? throttled(on, id, 'Pushing', desc.size) : undefined;
  const make = (): Buffer | NodeJS.ReadableStream => {
    const b = body();
    if (!report || Buffer.isBuffer(b)) return b;
    let n = 0;
    return (b as NodeJS.ReadableStream).pipe(new Transform({ transform(c: Buffer, _e, cb) { n += c.length; report(n); cb(null, c); } }));
  };
  const put = await client.call(url.toString(), {
    method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(desc.size) }, body: make as never,
  }, scopes);
  await client.expect(put, `upload of ${desc.digest}`, [201]);
  await put.body?.cancel();
  report?.(desc.size, true);
}

/** gzip with fixed settings (Node writes mtime 0 in the header), so one layer always becomes the same blob. */
async function gzipFile(src: string, dst: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  const tap = new Transform({ transform(c: Buffer, _e, cb) { hash.update(c); cb(null, c); } });
  await pipeline(createReadStream(src), createGzip({ level: 6 }), tap, createWriteStream(dst));
  return { digest: `sha256:${hash.digest('hex')}`, size: statSync(dst).size };
}

