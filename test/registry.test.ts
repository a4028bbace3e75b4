import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { closeFd, CLONE, openPath, setns } from '../engine/sys/index.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { freePort, startRegistry, type TestRegistry } from './helpers/registry.js';

// Everything happens in the first daemon's throwaway "host" network namespace: this test process enters it
// (setns on the main thread: its sockets and children live there), the registries and the token server listen
// on its 127.0.0.1, and the second daemon shares it. Nothing reaches beyond that loopback.
let d1: TestDaemon;
let d2: TestDaemon;
let reg: TestRegistry;
let ownNet = -1;
const work = mkdtempSync(join(tmpdir(), 'boxlab-registry-test-'));
const servers: Server[] = [];
// the docker 28 CLI (client only) where it is installed, as in test/docker-client.test.ts
const docker = await execa('docker', ['--version'], { reject: false }).then((r) => r.exitCode === 0, () => false);
const zstd = await execa('zstd', ['--version'], { reject: false }).then((r) => r.exitCode === 0, () => false);
const registries: TestRegistry[] = [];

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const ok = (r: { exitCode: number; stdout: string; stderr: string }): string => {
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};
const imageId = async (d: TestDaemon, name: string): Promise<string> => ok(await d.cli(['image', 'inspect', '-f', '{{.Id}}', name])).trim();
const removeAllImages = async (d: TestDaemon): Promise<void> => {
  for (const id of new Set(ok(await d.cli(['images', '-q'])).split('\n').filter(Boolean))) ok(await d.cli(['rmi', '-f', id]));
};
const layersOnDisk = (d: TestDaemon): string[] => readdirSync(join(d.root, 'image', 'layers')).filter((h) => /^[0-9a-f]{64}$/.test(h));

beforeAll(async () => {
  d1 = await startDaemon();
  d2 = await startDaemon({ netnsOf: d1.process.pid! });
  ownNet = openPath('/proc/self/ns/net');
  const target = openPath(`/proc/${d1.process.pid}/ns/net`);
  try { setns(target, CLONE.NEWNET); } finally { closeFd(target); }
  reg = await startRegistry();
  registries.push(reg);
  ok(await d1.cli(['image', 'inspect', 'busybox']));
  ok(await d1.cli(['tag', 'busybox', `${reg.host}/lab/busybox:1`]));
}, 120_000);

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const r of registries) await r.stop();
  if (ownNet >= 0) { setns(ownNet, CLONE.NEWNET); closeFd(ownNet); }
  await d2?.stop();
  await d1?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('push and pull against the reference registry on loopback', () => {
  it('push from one daemon, pull into an empty second one: same image id, same files, a RepoDigest', async () => {
    const push = ok(await d1.cli(['push', `${reg.host}/lab/busybox:1`]));
    expect(push).toMatch(/Pushed/);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push)![1]!;
    expect(layersOnDisk(d2)).toEqual([]);
    const pull = ok(await d2.cli(['pull', `${reg.host}/lab/busybox:1`]));
    expect(pull).toMatch(/Pull complete/);
    expect(pull).toContain(`Digest: ${digest}`);
    expect(await imageId(d2, `${reg.host}/lab/busybox:1`)).toBe(await imageId(d1, 'busybox'));
    expect(layersOnDisk(d2)).toEqual(layersOnDisk(d1));
    // the files: the same busybox binary, and it runs
    const b1 = readFileSync(join(d1.root, 'image', 'layers', layersOnDisk(d1)[0]!, 'diff', 'bin', 'busybox'));
    const b2 = readFileSync(join(d2.root, 'image', 'layers', layersOnDisk(d2)[0]!, 'diff', 'bin', 'busybox'));
    expect(sha(b2)).toBe(sha(b1));
    expect(ok(await d2.cli(['run', '--rm', `${reg.host}/lab/busybox:1`, 'echo', 'pulled'])).trim()).toBe('pulled');
    const inspect = JSON.parse(ok(await d2.cli(['image', 'inspect', `${reg.host}/lab/busybox:1`]))) as Array<{ RepoDigests: string[] }>;
    expect(inspect[0]!.RepoDigests).toEqual([`${reg.host}/lab/busybox@${digest}`]);
    expect(ok(await d2.cli(['images', '--digests']))).toContain(digest);
    // pulled again: nothing is downloaded
    expect(ok(await d2.cli(['pull', `${reg.host}/lab/busybox:1`]))).toMatch(/Already exists[\s\S]*Image is up to date/);
    // pushed again: the registry has every blob
    expect(ok(await d1.cli(['push', `${reg.host}/lab/busybox:1`]))).toMatch(/Layer already exists/);
  });

  it('pull by digest, a missing tag, a bad name, and an unreachable registry', async () => {
    const digest = /@(sha256:[0-9a-f]{64})/.exec(ok(await d2.cli(['image', 'inspect', '-f', '{{json .RepoDigests}}', `${reg.host}/lab/busybox:1`])))![1]!;
    ok(await d2.cli(['pull', `${reg.host}/lab/busybox@${digest}`]));
    const missing = await d2.cli(['pull', `${reg.host}/lab/busybox:nope`]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/not found/);
    const bad = await d2.cli(['pull', 'Upper/Case']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid reference format/);
    const port = await freePort();
    const down = await d2.cli(['pull', `127.0.0.1:${port}/x`]);
    expect(down.exitCode).not.toBe(0);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/cannot reach registry 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*boxlab load/);
  });

  it('run --pull missing pulls a missing image; --pull never does not', async () => {
    ok(await d2.cli(['rmi', `${reg.host}/lab/busybox:1`]));
    const never = await d2.cli(['run', '--rm', '--pull', 'never', `${reg.host}/lab/busybox:1`, 'true']);
    expect(never.exitCode).toBe(125);
    expect(never.stderr).toMatch(/No such image/);
    const r = await d2.cli(['run', '--rm', `${reg.host}/lab/busybox:1`, 'echo', 'auto']);
    expect(ok(r).trim()).toBe('auto');
    expect(r.stderr).toMatch(/Pull complete|Already exists/);
  });

  it('a corrupted blob is refused and nothing is stored', async () => {
    const src = join(work, 'corrupt');
    mkdirSync(src);
    writeFileSync(join(src, 'data.bin'), randomBytes(200_000));
    await execa('tar', ['-C', src, '-cf', join(work, 'corrupt.tar'), '.']);
    ok(await d1.cli(['import', join(work, 'corrupt.tar'), `${reg.host}/lab/corrupt:1`]));
    ok(await d1.cli(['push', `${reg.host}/lab/corrupt:1`]));
    const manifest = await (await fetch(`http://${reg.host}/v2/lab/corrupt/manifests/1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json() as { layers: Array<{ digest: string }> };
    const hex = manifest.layers[0]!.digest.slice(7);
    const blob = join(reg.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] ^= 0xff; // same size, one byte flipped
    writeFileSync(blob, bytes);
    const before = layersOnDisk(d2);
    const r = await d2.cli(['pull', `${reg.host}/lab/corrupt:1`]);
    expect(r.exitCode).not.toBe(0);
    // found while unpacking (the flipped byte breaks the gzip stream) or by the sha256 at the end
    expect(r.stderr).toMatch(/(hashes to sha256:[0-9a-f]{64}|is corrupt).*nothing was stored/);
    expect(layersOnDisk(d2)).toEqual(before);
    expect(readdirSync(join(d2.root, 'image', 'downloads'))).toEqual([]);
    expect((await d2.cli(['image', 'inspect', `${reg.host}/lab/corrupt:1`])).exitCode).not.toBe(0);
  });

  it('a manifest list with two platforms: this machine\'s by default, the other with --platform', async () => {
    const base = `http://${reg.host}/v2/lab/busybox`;
    const mres = await fetch(`${base}/manifests/1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    const mbytes = Buffer.from(await mres.arrayBuffer());
    const m = JSON.parse(mbytes.toString()) as { config: { digest: string }; layers: unknown[] };
    const config = await (await fetch(`${base}/blobs/${m.config.digest}`)).json() as Record<string, unknown>;
    const local = config.architecture as string;
    const other = local === 'arm64' ? 'amd64' : 'arm64';
    const otherConfig = Buffer.from(JSON.stringify({ ...config, architecture: other }));
    const up = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(up.headers.get('location')!, `http://${reg.host}`);
    loc.searchParams.set('digest', sha(otherConfig));
    expect((await fetch(loc, { method: 'PUT', body: otherConfig, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(201);
    const otherManifest = Buffer.from(JSON.stringify({ ...m, config: { ...(m.config as object), digest: sha(otherConfig), size: otherConfig.length } }));
    const mt = 'application/vnd.docker.distribution.manifest.v2+json';
    expect((await fetch(`${base}/manifests/${sha(otherManifest)}`, { method: 'PUT', body: otherManifest, headers: { 'Content-Type': mt } })).status).toBe(201);
    const index = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: mt, digest: sha(otherManifest), size: otherManifest.length, platform: { os: 'linux', architecture: other } },
        { mediaType: mt, digest: sha(mbytes), size: mbytes.length, platform: { os: 'linux', architecture: local } },
      ],
    });
    expect((await fetch(`${base}/manifests/multi`, { method: 'PUT', body: index, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } })).status).toBe(201);

    ok(await d2.cli(['pull', `${reg.host}/lab/busybox:multi`]));
    expect(await imageId(d2, `${reg.host}/lab/busybox:multi`)).toBe(await imageId(d1, 'busybox'));
    const pulled = ok(await d2.cli(['pull', '--platform', `linux/${other}`, `${reg.host}/lab/busybox:multi`]));
    expect(pulled).toMatch(/Already exists/); // the same layer, shared by both images
    expect(ok(await d2.cli(['image', 'inspect', '-f', '{{.Architecture}}', `${reg.host}/lab/busybox:multi`])).trim()).toBe(other);
    const none = await d2.cli(['pull', '--platform', 'linux/s390x', `${reg.host}/lab/busybox:multi`]);
    expect(none.stderr).toMatch(/no image for linux\/s390x .*it has: linux\/(amd64|arm64), linux\/(amd64|arm64)/);
    const dist = await d2.client.get<{ Descriptor: { digest: string }; Platforms: unknown[] }>(`/distribution/${reg.host}/lab/busybox:multi/json`);
    expect(dist.Platforms).toHaveLength(2);
  });

  it('an interrupted pull is resumed with a Range request', async () => {
    // a proxy in front of the registry that cuts the first blob download halfway
    const ranges: string[] = [];
    let cut = true;
    const proxy = createServer((req, res) => {
      const isBlob = /\/blobs\/sha256:/.test(req.url ?? '') && req.method === 'GET';
      if (isBlob) ranges.push(req.headers.range ?? '');
      const up = httpRequest({ host: '127.0.0.1', port: reg.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        if (isBlob && cut && Number(ur.headers['content-length']) > 100_000) {
          cut = false;
          let sent = 0;
          // send 100 kB, let the client take them in, then drop the connection as a failing network would
          ur.on('data', (c: Buffer) => {
            if (sent >= 100_000) return;
            res.write(c);
            sent += c.length;
            if (sent >= 100_000) { ur.destroy(); setTimeout(() => res.socket?.destroy(), 300); }
          });
          return;
        }
        ur.pipe(res);
      });
      req.pipe(up);
    });
    servers.push(proxy);
    const port = await freePort();
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    await removeAllImages(d2);
    expect(layersOnDisk(d2)).toEqual([]);
    const first = await d2.cli(['pull', `127.0.0.1:${port}/lab/busybox:1`]);
    expect(first.exitCode).not.toBe(0);
    expect(first.stderr).toMatch(/was interrupted after \d+ of \d+ bytes.*pull again to continue/);
    const partial = readdirSync(join(d2.root, 'image', 'downloads'));
    expect(partial).toHaveLength(1);
    expect(statSync(join(d2.root, 'image', 'downloads', partial[0]!)).size).toBeGreaterThan(0);
    const second = ok(await d2.cli(['pull', `127.0.0.1:${port}/lab/busybox:1`]));
    expect(second).toMatch(/Pull complete/);
    expect(ranges.at(-1)).toMatch(/^bytes=[1-9]\d*-$/);
    expect(await imageId(d2, `127.0.0.1:${port}/lab/busybox:1`)).toBe(await imageId(d1, 'busybox'));
    expect(readdirSync(join(d2.root, 'image', 'downloads'))).toEqual([]);
  });

  it.skipIf(!zstd)('a zstd-compressed OCI layer (Node 20 has no zstd: fzstd decompresses it)', async () => {
    const base = `http://${reg.host}/v2/lab/zstd`;
    const put = async (bytes: Buffer): Promise<void> => {
      const up = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
      const loc = new URL(up.headers.get('location')!, `http://${reg.host}`);
      loc.searchParams.set('digest', sha(bytes));
      expect((await fetch(loc, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(201);
    };
    const diffID = (JSON.parse(ok(await d1.cli(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'busybox']))) as string[])[0]!;
    const layer = join(d1.root, 'image', 'layers', diffID.slice(7), 'layer.tar');
    const compressed = (await execa('zstd', ['-q', '-c', layer], { encoding: 'buffer' })).stdout as unknown as Buffer;
    const config = readFileSync(join(d1.root, 'image', 'images', `${(await imageId(d1, 'busybox')).slice(7)}.json`));
    await put(Buffer.from(compressed));
    await put(config);
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha(Buffer.from(compressed)), size: compressed.length }],
    });
    expect((await fetch(`${base}/manifests/1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(201);
    await removeAllImages(d2);
    expect(layersOnDisk(d2)).toEqual([]);
    expect(ok(await d2.cli(['pull', `${reg.host}/lab/zstd:1`]))).toMatch(/Pull complete/);
    expect(await imageId(d2, `${reg.host}/lab/zstd:1`)).toBe(await imageId(d1, 'busybox'));
  });

  it('build FROM an image that is not here pulls it', async () => {
    await removeAllImages(d2);
    const ctx = join(work, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${reg.host}/lab/busybox:1\nCMD ["echo", "built"]\n`);
    const r = ok(await d2.cli(['build', '-t', 'from-registry', ctx]));
    expect(r).toMatch(/Pull complete/);
    expect(ok(await d2.cli(['run', '--rm', 'from-registry'])).trim()).toBe('built');
  });

  it('search lists the registry\'s catalog; tag + push of a second name mounts nothing new', async () => {
    expect(ok(await d2.cli(['search', `${reg.host}/busy`]))).toContain(`${reg.host}/lab/busybox`);
    ok(await d1.cli(['tag', `${reg.host}/lab/busybox:1`, `${reg.host}/other/bb:2`]));
    expect(ok(await d1.cli(['push', `${reg.host}/other/bb:2`]))).toMatch(/Mounted from lab\/busybox|Layer already exists/);
  });

  it.skipIf(!docker)('the stock docker CLI pulls through POST /images/create with progress, and pushes', async () => {
    await removeAllImages(d2);
    const r = await execa('docker', ['-H', `unix://${d2.socket}`, 'pull', `${reg.host}/lab/busybox:1`], { reject: false, env: { DOCKER_CONFIG: work } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Pulling fs layer[\s\S]*Pull complete[\s\S]*Downloaded newer image/);
    expect(await imageId(d2, `${reg.host}/lab/busybox:1`)).toBe(await imageId(d1, 'busybox'));
    // and pushes through POST /images/{name}/push
    ok(await d2.cli(['tag', `${reg.host}/lab/busybox:1`, `${reg.host}/via/docker:1`]));
    const p = await execa('docker', ['-H', `unix://${d2.socket}`, 'push', `${reg.host}/via/docker:1`], { reject: false, env: { DOCKER_CONFIG: work } });
    expect(p.exitCode, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);
  });
});

describe('proxies from the environment', () => {
  it('a daemon started with HTTP_PROXY reaches a non-loopback registry through the proxy (CONNECT)', async () => {
    // an address of the throwaway namespace that is not loopback, so the proxy is not bypassed
    await execa('ip', ['addr', 'add', '10.235.0.1/32', 'dev', 'lo']);
    const far = await startRegistry({ ip: '10.235.0.1' });
    registries.push(far);
    const tunnels: string[] = [];
    let carried = 0; // bytes from the registry through the tunnels (kept-alive tunnels are reused)
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client, head) => {
      tunnels.push(req.url ?? '');
      const [h, p] = (req.url ?? '').split(':');
      const up = connect(Number(p), h!, () => { client.write('HTTP/1.1 200 Connection Established\r\n\r\n'); up.write(head); up.pipe(client); client.pipe(up); });
      up.on('data', (c: Buffer) => { carried += c.length; });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    servers.push(proxy);
    const port = await freePort();
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    const saved = { ...process.env };
    Object.assign(process.env, { HTTP_PROXY: `http://127.0.0.1:${port}`, BOXLAB_INSECURE_REGISTRIES: far.host });
    let d3: TestDaemon | undefined;
    try {
      d3 = await startDaemon({ netnsOf: d1.process.pid! });
      process.env = saved;
      ok(await d3.cli(['image', 'inspect', 'busybox']));
      ok(await d3.cli(['tag', 'busybox', `${far.host}/p/bb:1`]));
      ok(await d3.cli(['push', `${far.host}/p/bb:1`]));
      expect(tunnels.length).toBeGreaterThan(0);
      const pushedThrough = carried;
      ok(await d3.cli(['rmi', '-f', `${far.host}/p/bb:1`, 'busybox']));
      ok(await d3.cli(['pull', `${far.host}/p/bb:1`]));
      expect(carried - pushedThrough).toBeGreaterThan(1_000_000); // the busybox layer came through the proxy
      expect(tunnels.every((t) => t === far.host)).toBe(true);
      expect(await imageId(d3, `${far.host}/p/bb:1`)).toBe(await imageId(d1, 'busybox'));
    } finally {
      process.env = saved;
      await d3?.stop();
    }
  });
});

describe('registries that want a login', () => {
  it('basic auth (htpasswd): refused without a login, works after boxlab login, refused again after logout', async () => {
    const htpasswd = join(work, 'htpasswd');
    writeFileSync(htpasswd, (await execa('htpasswd', ['-Bbn', 'learner', 's3cret'])).stdout);
    const sec = await startRegistry({ auth: ['auth:', '  htpasswd:', '    realm: boxlab-test', `    path: ${htpasswd}`].join('\n') });
    registries.push(sec);
    const env = { BOXLAB_CONFIG: join(work, 'cfg-basic') };
    ok(await d1.cli(['tag', 'busybox', `${sec.host}/p/bb:1`]));
    const anon = await d1.cli(['push', `${sec.host}/p/bb:1`], { env });
    expect(anon.exitCode).not.toBe(0);
    expect(anon.stderr).toMatch(/boxlab login 127\.0\.0\.1/);
    const wrong = await d1.cli(['login', '-u', 'learner', '--password-stdin', sec.host], { env, input: 'nope\n' });
    expect(wrong.exitCode).not.toBe(0);
    ok(await d1.cli(['login', '-u', 'learner', '--password-stdin', sec.host], { env, input: 's3cret\n' }));
    const cfg = JSON.parse(readFileSync(join(env.BOXLAB_CONFIG, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(cfg.auths[sec.host]!.auth, 'base64').toString()).toBe('learner:s3cret');
    ok(await d1.cli(['push', `${sec.host}/p/bb:1`], { env }));
    const pulled = ok(await d2.cli(['pull', `${sec.host}/p/bb:1`], { env }));
    expect(pulled).toMatch(/Digest: sha256:/);
    ok(await d2.cli(['logout', sec.host], { env }));
    await d2.cli(['rmi', `${sec.host}/p/bb:1`]);
    expect((await d2.cli(['pull', `${sec.host}/p/bb:1`], { env })).stderr).toMatch(/login/);
  });

  it('token auth: the WWW-Authenticate Bearer dance with a token server', async () => {
    const certDir = join(work, 'token');
    mkdirSync(certDir);
    await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '2', '-subj', '/CN=boxlab-test-token']);
    const key = readFileSync(join(certDir, 'key.pem'), 'utf8');
    const certDer = new X509Certificate(readFileSync(join(certDir, 'cert.pem'))).raw.toString('base64');
    const tokenPort = await freePort();
    const asked: string[] = [];
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokens = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization ?? '';
      const user = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
      asked.push(`${user}|${url.searchParams.getAll('scope').join(' ')}`);
      if (user !== 'learner:t0ken') { res.writeHead(401).end(); return; }
      const access = url.searchParams.getAll('scope').map((s) => s.split(':')).filter((p) => p.length >= 3)
        .map(([type, name, actions]) => ({ type, name, actions: actions!.split(',') }));
      const now = Math.floor(Date.now() / 1000);
      const head = b64({ alg: 'RS256', typ: 'JWT', x5c: [certDer] });
      const body = b64({ iss: 'boxlab-test-issuer', sub: 'learner', aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access });
      const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `${head}.${body}.${sig}` }));
    });
    servers.push(tokens);
    await new Promise<void>((r) => tokens.listen(tokenPort, '127.0.0.1', r));
    const tok = await startRegistry({
      auth: ['auth:', '  token:', `    realm: http://127.0.0.1:${tokenPort}/token`, '    service: boxlab-test', '    issuer: boxlab-test-issuer',
        `    rootcertbundle: ${join(certDir, 'cert.pem')}`].join('\n'),
    });
    registries.push(tok);
    const env = { BOXLAB_CONFIG: join(work, 'cfg-token') };
    ok(await d1.cli(['tag', 'busybox', `${tok.host}/t/bb:1`]));
    expect((await d1.cli(['push', `${tok.host}/t/bb:1`], { env })).exitCode).not.toBe(0);
    ok(await d1.cli(['login', '-u', 'learner', '--password-stdin', tok.host], { env, input: 't0ken\n' }));
    ok(await d1.cli(['push', `${tok.host}/t/bb:1`], { env }));
    expect(asked.some((a) => a === 'learner:t0ken|repository:t/bb:pull,push')).toBe(true);
    await d2.cli(['rmi', '-f', `${tok.host}/t/bb:1`]);
    ok(await d2.cli(['pull', `${tok.host}/t/bb:1`], { env }));
    expect(await imageId(d2, `${tok.host}/t/bb:1`)).toBe(await imageId(d1, 'busybox'));
  });
});
