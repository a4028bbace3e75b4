import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../../sys/errors.js';
import {
  checkLogin, DistributionMetadata, fetchManifest, parseImageRef, pullImage, pushImage, RegistryClient, searchRegistry,
  type Credentials, type ImageIndex, type ImageManifest,
} from '../../registry/index.js';
import type { ImageStore } from '../../images/store.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';

/** docker's X-Registry-Auth: base64url JSON {username, password, serveraddress}; absent or empty = anonymous. */
export function registryAuth(req: IncomingMessage): Credentials | undefined {
  const h = req.headers['x-registry-auth'];
  if (typeof h !== 'string' || !h) return undefined;
  try {
    const j = JSON.parse(Buffer.from(h.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as { username?: string; password?: string };
    return j.username ? { username: j.username, password: j.password ?? '' } : undefined;
  } catch {
    throw new UserError('X-Registry-Auth is not base64-encoded JSON');
  }
}

/** Streams JSON lines like docker; an error after the 200 goes in-band as {"error": ...}. */
async function progressStream(res: ServerResponse, work: (line: (o: object) => void) => Promise<void>): Promise<'handled'> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const line = (o: object): void => { res.write(`${JSON.stringify(o)}\n`); };
  try { await work(line); } catch (e) {
    const message = (e as Error).message;
    line({ errorDetail: { message }, error: message });
  }
  res.end();
  return 'handled';
}

/** POST /images/create?fromImage=NAME&tag=TAG&platform=: docker pull with docker's progress stream. */
export function pullRoute(store: ImageStore, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<'handled'> {
  const from = query.get('fromImage')!;
  const tag = query.get('tag');
  // docker's client sends a digest as the tag ("?fromImage=x&tag=sha256:...")
  const name = tag ? (tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`) : from;
  parseImageRef(name); // a bad name is a 400 before the stream starts
  const credentials = registryAuth(req);
  const platform = query.get('platform') || undefined;
  return progressStream(res, async (line) => {
    await pullImage(store, name, { ...(credentials && { credentials }), ...(platform && { platform }), onProgress: line });
  });
}

/** push, search, login and distribution inspect (Docker Engine API shapes). */
export function register(router: Router, ctx: DaemonContext): void {
  const store = ctx.runtime.images;

  router.add('POST', '/images/{name*}/push', ({ params, query, req, res }) => {
    const tag = query.get('tag');
    const name = tag ? `${params.name!}:${tag}` : params.name!;
    parseImageRef(name);
    const credentials = registryAuth(req);
    return progressStream(res, async (line) => {
      const r = await pushImage(store, name, { ...(credentials && { credentials }), onProgress: line });
      line({ progressDetail: {}, aux: { Tag: r.tag, Digest: r.digest, Size: r.size } });
    });
  });

  router.add('GET', '/images/search', async ({ query, req }) => {
    const term = query.get('term');
    if (!term) throw new UserError('search needs a term: boxlab search HOST[:PORT]/TERM');
    const credentials = registryAuth(req);
    const limit = Number(query.get('limit') ?? 25) || 25;
    return { json: await searchRegistry(term, { ...(credentials && { credentials }), limit }) };
  });

  // docker login: the daemon checks the credentials against the registry; the client stores them
  router.add('POST', '/auth', async ({ body }) => {
    const b = (body ?? {}) as { username?: string; password?: string; serveraddress?: string };
    if (!b.username || !b.serveraddress) throw new UserError('login needs a username, a password and a registry');
    const registry = b.serveraddress.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    await checkLogin(registry === 'index.docker.io' ? 'docker.io' : registry, { username: b.username, password: b.password ?? '' });
    return { json: { Status: 'Login Succeeded', IdentityToken: '' } };
  });

  // docker manifest inspect's daemon side: the descriptor of NAME and the platforms it has
  router.add('GET', '/distribution/{name*}/json', async ({ params, req }) => {
    const ref = parseImageRef(params.name!);
    const credentials = registryAuth(req);
    const client = new RegistryClient(ref.registry, credentials);
    const scopes = [`repository:${ref.repository}:pull`];
    await client.authorize(scopes);
    const m = await fetchManifest(client, ref.repository, ref.digest ?? ref.tag!, scopes);
    const platforms = 'manifests' in m.json
      ? (m.json as ImageIndex).manifests.filter((d) => d.platform).map((d) => d.platform!)
      : [];
    if (!('manifests' in m.json)) {
      const cfg = JSON.parse((await (await client.call(`/v2/${ref.repository}/blobs/${(m.json as ImageManifest).config.digest}`, {}, scopes)).text())) as { os: string; architecture: string; variant?: string };
      platforms.push({ os: cfg.os, architecture: cfg.architecture, ...(cfg.variant && { variant: cfg.variant }) });
    }
    return { json: { Descriptor: { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length }, Platforms: platforms } };
  });
}

/** RepoDigests of an image (for images --digests and inspect). */
export function repoDigests(store: ImageStore, imageId: string): string[] {
  return new DistributionMetadata(store).repoDigests(imageId);
}
