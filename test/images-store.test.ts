import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, host, NotFoundError } from '../engine/sys/index.js';
import { ImageStore, goArch, loadImages } from '../engine/images/index.js';

let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'boxlab-store-')); });
afterAll(() => { rmSync(base, { recursive: true, force: true }); });

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A gzip layer made by GNU tar (./-prefixed names), as other tools produce them. */
async function gnuLayer(name: string, files: Record<string, string>): Promise<{ gz: Buffer; diffID: string }> {
  const dir = join(base, `${name}-rootfs`);
  mkdirSync(dir, { recursive: true });
  for (const [f, body] of Object.entries(files)) writeFileSync(join(dir, f), body);
  const out = join(base, `${name}.tar.gz`);
  await host('tar', ['-C', dir, '-czf', out, '.']);
  const gz = readFileSync(out);
  return { gz, diffID: `sha256:${sha(gunzipSync(gz))}` };
}

function config(diffID: string, cmd: string[]): Buffer {
  // key order and spacing as another tool might write them: the id is the hash of these exact bytes
  return Buffer.from(`{"architecture":"${goArch()}","config":{"Cmd":${JSON.stringify(cmd)},"Env":["PATH=/bin"]},"created":"2025-05-05T05:05:05Z","os":"linux","rootfs":{"type":"layers","diff_ids":["${diffID}"]}}`);
}

describe('loading images made by other tools', () => {
  it('loads a classic docker-archive (docker < 25) with a gzip layer', async () => {
    const { gz, diffID } = await gnuLayer('classic', { 'hello.txt': 'from docker\n' });
    const cfg = config(diffID, ['/hello']);
    const dir = join(base, 'classic-archive');
    mkdirSync(join(dir, 'aaaa'), { recursive: true });
    writeFileSync(join(dir, `${sha(cfg)}.json`), cfg);
    writeFileSync(join(dir, 'aaaa/layer.tar'), gz);
    writeFileSync(join(dir, 'aaaa/VERSION'), '1.0');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${sha(cfg)}.json`, RepoTags: ['classic:v1'], Layers: ['aaaa/layer.tar'] }]));
    writeFileSync(join(dir, 'repositories'), JSON.stringify({ classic: { v1: 'aaaa' } }));
    await host('tar', ['-C', dir, '-cf', join(base, 'classic.tar'), '.']);
    const store = new ImageStore(join(base, 's1'));
    expect(await loadImages(store, join(base, 'classic.tar'))).toEqual([{ Id: `sha256:${sha(cfg)}`, RepoTags: ['classic:v1'] }]);
    const img = store.resolve('classic:v1');
    expect(img.Config.Cmd).toEqual(['/hello']);
    expect(img.RootFS.DiffIDs).toEqual([diffID]);
    expect(readFileSync(join(store.layerDirs(img)[0]!, 'hello.txt'), 'utf8')).toBe('from docker\n');
  });

  it('loads a gzipped OCI image layout with a multi-platform index, picking this machine\'s platform', async () => {
    const { gz, diffID } = await gnuLayer('oci', { 'oci.txt': 'from skopeo\n' });
    const cfg = config(diffID, ['/oci']);
    const dir = join(base, 'oci-layout');
    mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
    const blob = (b: Buffer | string): { digest: string; size: number } => {
      const buf = Buffer.from(b);
      writeFileSync(join(dir, 'blobs/sha256', sha(buf)), buf);
      return { digest: `sha256:${sha(buf)}`, size: buf.length };
    };
    const manifest = blob(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(cfg) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(gz) }],
    }));
    const nested = blob(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 1, platform: { os: 'linux', architecture: goArch() === 'arm64' ? 'amd64' : 'arm64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: goArch() } },
      ],
    }));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...nested, annotations: { 'io.containerd.image.name': 'docker.io/library/ocitest:2', 'org.opencontainers.image.ref.name': '2' } }] }));
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await host('tar', ['-C', dir, '-cf', join(base, 'oci.tar'), '.']);
    writeFileSync(join(base, 'oci.tar.gz'), gzipSync(readFileSync(join(base, 'oci.tar'))));
    const store = new ImageStore(join(base, 's2'));
    expect(await loadImages(store, join(base, 'oci.tar.gz'))).toEqual([{ Id: `sha256:${sha(cfg)}`, RepoTags: ['ocitest:2'] }]);
    expect(readFileSync(join(store.layerDirs(store.resolve('ocitest:2'))[0]!, 'oci.txt'), 'utf8')).toBe('from skopeo\n');
  });

  it('names what is wrong with an archive that is not an image', async () => {
    const dir = join(base, 'notimage');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x'), 'y');
    await host('tar', ['-C', dir, '-cf', join(base, 'notimage.tar'), '.']);
    await expect(loadImages(new ImageStore(join(base, 's3')), join(base, 'notimage.tar'))).rejects.toThrow(/neither manifest.json .* nor index.json/);
  });
});

describe('tag, rmi, history', () => {
  it('tags, refuses to remove an image in use unless forced (then only untags), removes unused layers', async () => {
    const store = new ImageStore(join(base, 'rmi'));
    const img = await store.ensureBusybox();
    store.tag('busybox', 'mybox:1');
    expect(store.resolve('mybox:1').RepoTags).toEqual(['busybox:latest', 'mybox:1']);
    expect(() => store.tag('busybox', 'Bad Name')).toThrow(/invalid reference format/);
    // a second tag just goes away
    expect(store.rmi('mybox:1', { isInUse: () => 'c0ffee' })).toEqual([{ Untagged: 'mybox:1' }]);
    expect(() => store.rmi('busybox', { isInUse: () => 'c0ffee1234567890' })).toThrow(ConflictError);
    expect(() => store.rmi('busybox', { isInUse: () => 'c0ffee1234567890' })).toThrow(/container c0ffee123456 is using its referenced image/);
    expect(() => store.rmi(img.Id.slice(7, 19), { isInUse: () => true })).toThrow(/must be forced/);
    expect(store.rmi('busybox', { force: true, isInUse: () => true })).toEqual([{ Untagged: 'busybox:latest' }]);
    expect(store.resolve(img.Id).RepoTags).toEqual([]); // still there for the container
    const layer = store.layerPath(img.RootFS.DiffIDs[0]!);
    expect(store.rmi(img.Id, { isInUse: () => false })).toEqual([{ Deleted: img.Id }, { Deleted: img.RootFS.DiffIDs[0] }]);
    expect(existsSync(layer)).toBe(false);
    expect(() => store.resolve(img.Id)).toThrow(NotFoundError);
    expect(() => store.rmi('busybox')).toThrow('No such image: busybox');
  });

  it('history lists newest first with the layer sizes', async () => {
    const store = new ImageStore(join(base, 'hist'));
    const img = await store.ensureBusybox();
    const h = store.history('busybox');
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ Id: img.Id, Tags: ['busybox:latest'], Size: img.Size });
    expect(h[0]!.CreatedBy).toMatch(/busybox-static/);
  });
});
