import { statePaths } from '../../paths.js';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { isAbsolute, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { UserError } from '../../sys/errors.js';
import {
  buildImage, commitContainer, commitExcludes, diffUpper, exportFlat, importFlat, loadImages, parseMounts, saveImages,
  VolumeStore, extractLayer, type ImageRecord,
} from '../../images/index.js';
import { runtimeRunner } from '../../containers/build-runner.js';
import { removeTree, tempDir } from '../../images/fsutil.js';
import type { ContainerRecord } from '../../containers/types.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import { pullRoute, registryAuth, repoDigests } from './registry.js';
import { pullImage } from '../../registry/index.js';
import { filters, flag, labelsMatch } from '../query.js';

/** Docker's GET /images/json item. */
function summary(img: ImageRecord, containers: number, digests: string[], parent: string) {
  return {
    Id: img.Id, ParentId: parent, RepoTags: img.RepoTags, RepoDigests: digests, Created: Math.floor(Date.parse(img.Created) / 1000),
    Size: img.Size, VirtualSize: img.Size, SharedSize: -1, Labels: img.Config.Labels ?? null, Containers: containers,
  };
}

/** Docker's GET /images/{name}/json. */
function inspect(img: ImageRecord, dirs: string[], digests: string[], parent: string) {
  const last = img.History.at(-1);
  return {
    Id: img.Id, RepoTags: img.RepoTags, RepoDigests: digests, Parent: parent, Comment: last?.comment ?? '', Created: img.Created,
    DockerVersion: '', Author: last?.author ?? '', Config: img.Config, Architecture: img.Architecture, Os: img.Os,
    Size: img.Size, VirtualSize: img.Size,
    GraphDriver: { Name: 'overlay2', Data: { LowerDir: [...dirs].reverse().join(':') } },
    RootFS: { Type: 'layers', Layers: img.RootFS.DiffIDs }, Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** A tar the client sent: `?path=` (boxlab's CLI, same machine) or the request body (docker's client). */
function tarSource(query: URLSearchParams, req: IncomingMessage, param = 'path'): string | Readable {
  const p = query.get(param);
  if (p && p !== '-') {
    if (!isAbsolute(p) || !existsSync(p)) throw new UserError(`${p}: no such file (give an absolute path the daemon can read)`);
    return p;
  }
  if (req.readableEnded) throw new UserError('no archive in the request: send it as the body (application/x-tar) or give ?path=');
  return req;
}

/** Docker's JSON-lines progress stream; an error after the 200 goes in-band as {"error": ...}. */
async function jsonStream(res: ServerResponse, work: (line: (o: object) => void) => Promise<void>): Promise<'handled'> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const line = (o: object): void => { res.write(`${JSON.stringify(o)}\n`); };
  try {
    await work(line);
  } catch (e) {
    const message = (e as Error).message;
    line({ errorDetail: { message }, error: message });
  }
  res.end();
  return 'handled';
}

/**
 * RUN steps as real boxlab containers (namespaces, cgroup, seccomp, --network none: builds are offline):
 * create with the step's argv as the whole command, start, wait, read the logs, hand back the upper dir.
 */
/** Images, layers, commit/export/import/save/load, build, and volumes (Docker Engine API shapes). */
export function register(router: Router, ctx: DaemonContext): void {
  const rt = ctx.runtime;
  const store = rt.images;
  const volumes = rt.volumes ?? new VolumeStore(ctx.root);
  const containersOf = (imageId: string): ContainerRecord[] => rt.store.all().filter((c) => c.Image === imageId);
  const isInUse = (imageId: string): string | undefined => containersOf(imageId)[0]?.Id;
  const volumeUsers = (name: string): string[] => rt.store.all().filter((c) =>
    (c.Boxlab.Mounts ?? []).some((m) => m.volumeName === name)
    || (c.HostConfig.Binds ?? []).some((b) => b.split(':')[0] === name)).map((c) => c.Id.slice(0, 12));
  /** The container's mount targets: their contents belong to volumes, binds and tmpfs, never to a layer. */
  const mountTargets = (c: ContainerRecord, image: ImageRecord | undefined): string[] =>
    commitExcludes(c.Boxlab.Mounts ?? parseMounts(c.HostConfig.Binds ?? [], c.HostConfig.Tmpfs ?? {}, image?.Config.Volumes ?? {}));
  const resolveImage = async (ref: string): Promise<ImageRecord> => {
    if (ref === 'busybox' || ref === 'busybox:latest') await store.ensureBusybox();
    return store.resolve(ref);
  };

  router.add('GET', '/images/json', ({ query }) => {
    const all = flag(query, 'all');
    const counts = new Map<string, number>();
    for (const c of rt.store.all()) counts.set(c.Image, (counts.get(c.Image) ?? 0) + 1);
    const parents = store.parents();
    const f = filters(query);
    // docker's filters: reference (repo or repo:tag, * globs), dangling, label
    const glob = (p: string): RegExp => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^/]*')}$`);
    const refs = (f.reference ?? []).map(glob);
    const byRef = (i: ImageRecord): boolean => refs.length === 0 || i.RepoTags.some((t) => refs.some((r) => r.test(t) || r.test(t.slice(0, t.lastIndexOf(':')))));
    const dangling = f.dangling?.[0];
    const byDangling = (i: ImageRecord): boolean => dangling === undefined || (i.RepoTags.length === 0) === (dangling === 'true' || dangling === '1');
    return { json: store.list({ all }).filter((i) => byRef(i) && byDangling(i) && labelsMatch(i.Config.Labels, f.label)).map((i) => summary(i, counts.get(i.Id) ?? 0, repoDigests(store, i.Id), parents[i.Id] ?? '')) };
  });

  router.add('GET', '/images/{name*}/json', async ({ params }) => {
    const img = await resolveImage(params.name!);
    // the image it was committed or built from (docker's Parent: local images only, pulled ones have none)
    return { json: inspect(img, store.layerDirs(img), repoDigests(store, img.Id), store.parents()[img.Id] ?? '') };
  });

  router.add('GET', '/images/{name*}/history', ({ params }) => ({ json: store.history(params.name!) }));

  router.add('POST', '/images/{name*}/tag', ({ params, query }) => {
    const repo = query.get('repo');
    if (!repo) throw new UserError('tag needs a target name: boxlab tag SOURCE TARGET[:TAG]');
    store.tag(params.name!, query.get('tag') ? `${repo}:${query.get('tag')}` : repo);
    return { status: 201 };
  });

  router.add('DELETE', '/images/{name*}', ({ params, query }) => {
    const force = flag(query, 'force');
    return { json: store.rmi(params.name!, { force, isInUse }) };
  });

  // docker save: GET /images/get?names=a&names=b  (and /images/{name}/get)
  const save = async (names: string[], res: ServerResponse): Promise<'handled'> => {
    for (const n of names) await resolveImage(n);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await saveImages(store, names, res);
    return 'handled';
  };
  router.add('GET', '/images/get', ({ query, res }) => save(query.getAll('names'), res));
  router.add('GET', '/images/{name*}/get', ({ params, res }) => save([params.name!], res));

  router.add('POST', '/images/load', ({ query, req, res }) => {
    const src = tarSource(query, req);
    return jsonStream(res, async (line) => {
      for (const img of await loadImages(store, src)) {
        if (img.RepoTags.length === 0) line({ stream: `Loaded image ID: ${img.Id}\n` });
        for (const t of img.RepoTags) line({ stream: `Loaded image: ${t}\n` });
      }
    });
  }, { rawBody: true });

  // docker pull: POST /images/create?fromImage=&tag=; docker import: POST /images/create?fromSrc=-|path&repo=&tag=&message=&changes=
  router.add('POST', '/images/create', ({ query, req, res }) => {
    if (query.get('fromImage')) return pullRoute(store, query, req, res);
    if (!query.get('fromSrc')) throw new UserError('images/create needs ?fromImage=NAME (pull) or ?fromSrc= (import)');
    const src = tarSource(query, req, 'fromSrc');
    const repo = query.get('repo');
    const tag = repo ? (query.get('tag') ? `${repo}:${query.get('tag')}` : repo) : undefined;
    return jsonStream(res, async (line) => {
      const img = await importFlat(store, src, { ...(tag && { tag }), changes: query.getAll('changes'), ...(query.get('message') && { message: query.get('message')! }) });
      line({ status: img.Id });
    });
  }, { rawBody: true });

  router.add('POST', '/commit', async ({ query, body }) => {
    const rec = rt.get(query.get('container') ?? '');
    const image = store.resolve(rec.Image);
    const repo = query.get('repo');
    const tag = repo ? (query.get('tag') ? `${repo}:${query.get('tag')}` : repo) : undefined;
    const cfg = rec.Config;
    const override = (body ?? {}) as Partial<ImageRecord['Config']>;
    const img = await commitContainer(store, {
      upper: rec.GraphDriver.Data.UpperDir, image,
      containerConfig: { Env: cfg.Env, Cmd: cfg.Cmd, Entrypoint: cfg.Entrypoint, WorkingDir: cfg.WorkingDir, User: cfg.User, ...override },
      exclude: [...mountTargets(rec, image), '/etc/hostname', '/etc/hosts', '/etc/resolv.conf'],
      changes: query.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean),
      ...(query.get('comment') && { comment: query.get('comment')! }),
      ...(query.get('author') && { author: query.get('author')! }),
      createdBy: [rec.Path, ...rec.Args].join(' '),
      ...(tag && { tag }),
    });
    return { status: 201, json: { Id: img.Id } };
  });

  router.add('GET', '/containers/{id}/changes', ({ params }) => {
    const rec = rt.get(params.id!);
    const d = rec.GraphDriver.Data;
    // the -init layer's placeholders are not the container's changes: compare with the image layers only
    return { json: diffUpper(d.UpperDir, d.LowerDir.split(':').slice(1)) };
  });

  router.add('GET', '/containers/{id}/export', async ({ params, res }): Promise<'handled'> => {
    const rec = rt.get(params.id!);
    const d = rec.GraphDriver.Data;
    const image = store.find(rec.Image);
    const exclude = mountTargets(rec, image);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    if (rec.State.Running && rec.State.Pid > 0) await exportFlat(store, { live: `/proc/${rec.State.Pid}/root`, exclude }, res);
    else await exportFlat(store, { lowerdirs: d.LowerDir.split(':'), upper: d.UpperDir, exclude }, res);
    return 'handled';
  });

  // docker build: POST /build?t=&dockerfile=&buildargs={json}&nocache=  — boxlab takes the context as ?path=
  // (docker's client sends the context as a tar body instead: it is unpacked, safely, into a temp dir)
  router.add('POST', '/build', ({ query, req, res }) => {
    let context = query.get('path') ?? undefined;
    if (context !== undefined && !isAbsolute(context)) throw new UserError('build needs the context as an absolute directory path (?path=)');
    if (context === undefined && req.readableEnded) throw new UserError('build needs a context: ?path=DIR or a tar of it as the body');
    const buildArgs = query.get('buildargs') ? jsonParam<Record<string, string>>(query, 'buildargs') : {};
    const credentials = registryAuth(req); // docker sends X-Registry-Config for build; boxlab's client the same header as pull
    return jsonStream(res, async (line) => {
      let unpacked: string | undefined;
      if (context === undefined) {
        unpacked = tempDir(join(store.dir, 'tmp'), 'context');
        await pipeline(req, createWriteStream(join(unpacked, 'context.tar')));
        mkdirSync(join(unpacked, 'ctx'));
        await extractLayer(join(unpacked, 'context.tar'), join(unpacked, 'ctx'));
        context = join(unpacked, 'ctx');
      }
      try {
        await buildImage(store, {
          run: runtimeRunner(rt),
        context, tags: query.getAll('t'), buildArgs,
        ...(query.get('dockerfile') && { dockerfile: query.get('dockerfile')! }),
        noCache: flag(query, 'nocache'),
        ...(query.get('target') && { target: query.get('target')! }),
        ...(query.get('labels') && { labels: jsonParam<Record<string, string>>(query, 'labels') }),
        output: (l) => line({ stream: `${l}\n` }),
        // the ID before the closing lines, in dockerd's order: clients read the last line's `stream`
        onBuilt: (id) => line({ aux: { ID: id } }),
        pull: async (ref) => (await pullImage(store, ref, { ...(credentials && { credentials }), onProgress: line })).image,
        });
      } finally {
        if (unpacked) removeTree(unpacked);
      }
    });
  }, { rawBody: true });

  // ----- volumes -----
  router.add('GET', '/volumes', ({ query }) => {
    // docker's filters: name (a substring), label, dangling (no container uses it)
    const f = filters(query);
    const dangling = f.dangling?.[0];
    const list = volumes.list().filter((v) => (f.name ?? []).every((n) => v.Name.includes(n)) && labelsMatch(v.Labels, f.label)
      && (dangling === undefined || (volumeUsers(v.Name).length === 0) === (dangling === 'true' || dangling === '1')));
    return { json: { Volumes: list, Warnings: [] } };
  });
  router.add('POST', '/volumes/create', ({ body }) => {
    const b = (body ?? {}) as { Name?: string; Labels?: Record<string, string>; Driver?: string };
    // 404 as dockerd's "plugin not found" (clients expect NotFound)
    if (b.Driver && b.Driver !== 'local') throw new UserError(`error looking up volume plugin ${b.Driver}: plugin "${b.Driver}" not found (boxlab has the local driver only)`, { status: 404 });
    return { status: 201, json: volumes.create(b.Name || undefined, { ...(b.Labels && { labels: b.Labels }) }) };
  });
  router.add('GET', '/volumes/{name}', ({ params }) => ({ json: volumes.inspect(params.name!) }));
  router.add('DELETE', '/volumes/{name}', ({ params, query }) => {
    volumes.remove(params.name!, { force: flag(query, 'force'), users: volumeUsers });
    return { status: 204 };
  });
  router.add('POST', '/volumes/prune', ({ query }) => {
    const f = filters(query);
    const all = (f.all ?? []).some((v) => v === 'true' || v === '1');
    // label filters: a volume that does not match is treated as in use, so prune keeps it
    const keep = (name: string): string[] => {
      const labels = volumes.inspect(name).Labels;
      const ok = labelsMatch(labels, f.label) && !(f['label!'] ?? []).some((l) => labelsMatch(labels, [l]));
      return ok ? volumeUsers(name) : ['filtered out'];
    };
    return { json: { VolumesDeleted: volumes.prune(keep, { all }), SpaceReclaimed: 0 } };
  });

  // Images and volumes are the learner's data and survive `reset`; what a crashed build or load left does not.
  ctx.resetHooks.push(async () => {
    const out: string[] = [];
    for (const name of readdirSync(join(store.dir, 'tmp'))) { rmSync(join(store.dir, 'tmp', name), { recursive: true, force: true }); out.push(`removed image work dir ${name}`); }
    const { overlay } = statePaths(ctx.root);
    for (const name of existsSync(overlay) ? readdirSync(overlay).filter((n) => n.startsWith('build-')) : []) {
      rmSync(join(overlay, name), { recursive: true, force: true });
      out.push(`removed build container dir ${name}`);
    }
    return out;
  });

}

/** A query parameter that carries JSON (build's buildargs, labels): a clear error when it is not. */
function jsonParam<T>(query: URLSearchParams, name: string): T {
  try {
    return JSON.parse(query.get(name)!) as T;
  } catch {
    throw new UserError(`invalid ${name}: ${query.get(name)} is not JSON like {"key":"value"}`);
  }
}
