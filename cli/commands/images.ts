import { readNdjson } from '../../engine/client/ndjson.js';
import type { Command } from 'commander';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import type { Client } from '../../engine/client/client.js';
import { UserError } from '../../engine/sys/errors.js';
import type { Change, HistoryItem, VolumeRecord } from '../../engine/images/index.js';
import { client, ExitCode } from '../context.js';
import { ago, goTemplate, table, truncate } from '../format.js';

interface ImageSummary { Id: string; RepoTags: string[]; RepoDigests?: string[]; Created: number; Size: number }

/** docker's human sizes: decimal units, three significant digits ("4.26MB"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : Number(v.toPrecision(3))}${units[i]}`;
}

const shortId = (id: string, trunc: boolean): string => (trunc ? id.replace(/^sha256:/, '').slice(0, 12) : id);
const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Prints docker's JSON-lines progress stream; an in-band error becomes the exit status. */
async function printJsonStream(res: IncomingMessage, quiet = false): Promise<Record<string, unknown>[]> {
  const objs: Record<string, unknown>[] = [];
  let error: string | undefined;
  for await (const o of readNdjson<Record<string, unknown>>(res)) {
    objs.push(o);
    if (typeof o.error === 'string') error = o.error;
    else if (!quiet && typeof o.stream === 'string') process.stdout.write(o.stream);
    else if (!quiet && typeof o.status === 'string') process.stdout.write(`${o.status}\n`);
  }
  if (error !== undefined) throw new UserError(error);
  return objs;
}

/** A tar argument: a file path as is, `-` or nothing = stdin, copied to a temp file the daemon can read. */
async function tarArg(file: string | undefined): Promise<{ path: string; done: () => void }> {
  if (file && file !== '-') return { path: resolve(file), done: () => {} };
  if (process.stdin.isTTY) throw new UserError('requested load from stdin, but stdin is empty: give -i FILE or pipe the archive in');
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-upload-'));
  const path = join(dir, 'input.tar');
  await pipeline(process.stdin, createWriteStream(path));
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function toFileOrStdout(res: IncomingMessage, output: string | undefined): Promise<void> {
  if (output) { await pipeline(res, createWriteStream(output)); return; }
  if (process.stdout.isTTY) { res.destroy(); throw new UserError('cowardly refusing to write a tar archive to a terminal: use -o FILE or redirect'); }
  await pipeline(res, process.stdout);
}

function splitRef(ref: string | undefined): { repo?: string; tag?: string } {
  if (!ref) return {};
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref };
}

async function each(names: string[], action: (name: string) => Promise<void>): Promise<void> {
  let failed = false;
  for (const name of names) {
    try { await action(name); } catch (e) {
      failed = true;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
    }
  }
  if (failed) throw new ExitCode(1);
}

async function listImages(c: Client, o: { all?: boolean; quiet?: boolean; trunc: boolean; digests?: boolean }, filter?: string): Promise<void> {
  const list = await c.get<ImageSummary[]>('/images/json', { all: o.all ?? false });
  const rows = list.flatMap((i) => (i.RepoTags.length ? i.RepoTags : ['<none>:<none>']).map((t) => ({ i, t })));
  const shown = filter ? rows.filter((r) => r.t === filter || r.t.startsWith(`${filter}:`)) : rows;
  if (o.quiet) { process.stdout.write([...new Set(shown.map((r) => shortId(r.i.Id, o.trunc)))].map((x) => `${x}\n`).join('')); return; }
  // --digests: the manifest digest the image was pulled or pushed as, for the row's repository
  const digestOf = (i: ImageSummary, repo: string): string => (i.RepoDigests ?? []).find((d) => d.startsWith(`${repo}@`))?.slice(repo.length + 1) ?? '<none>';
  process.stdout.write(table(['REPOSITORY', 'TAG', ...(o.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'], shown.map(({ i, t }) => {
    const colon = t.lastIndexOf(':');
    const repo = t.slice(0, colon);
    return [repo, t.slice(colon + 1), ...(o.digests ? [digestOf(i, repo)] : []), shortId(i.Id, o.trunc), ago(i.Created), humanSize(i.Size)];
  })));
}

/** images, rmi, tag, history, save, load, import, build, commit, export, diff, `image …` and `volume …`. */
export function register(program: Command): void {
  const image = program.command('image').description('manage images (layers, history, save/load, build)');

  for (const parent of [program, image]) {
    const isTop = parent === program;
    const ls = parent.command(isTop ? 'images' : 'ls').description('list images')
      .option('-a, --all', 'show all images (default hides intermediate build steps)')
      .option('-q, --quiet', 'only show image ids')
      .option('--no-trunc', 'do not truncate output')
      .option('--digests', 'show digests')
      .argument('[repository]')
      .action(async (repo: string | undefined, o: { all?: boolean; quiet?: boolean; trunc: boolean; digests?: boolean }) => listImages(await client(program), o, repo));
    if (!isTop) ls.alias('list');

    parent.command(isTop ? 'rmi' : 'rm').description('remove images (refused while a container uses one, unless -f)')
      .option('-f, --force', 'untag even while a container uses it')
      .argument('<image...>')
      .action(async (names: string[], o: { force?: boolean }) => {
        const c = await client(program);
        await each(names, async (n) => {
          const r = (await c.call<Array<{ Untagged?: string; Deleted?: string }>>('DELETE', `/images/${encodeURIComponent(n)}`, { query: { force: o.force ?? false } })).json;
          for (const x of r) process.stdout.write(x.Untagged ? `Untagged: ${x.Untagged}\n` : `Deleted: ${x.Deleted}\n`);
        });
      });

    parent.command('tag').description('create a tag TARGET that refers to SOURCE')
      .argument('<source>').argument('<target>')
      .action(async (source: string, target: string) => {
        const c = await client(program);
        const { repo, tag } = splitRef(target);
        await c.call('POST', `/images/${encodeURIComponent(source)}/tag`, { query: { repo, tag } });
      });

    parent.command('history').description("show an image's layers and the steps that made them")
      .option('--no-trunc', 'do not truncate output')
      .option('-q, --quiet', 'only show image ids')
      .argument('<image>')
      .action(async (name: string, o: { trunc: boolean; quiet?: boolean }) => {
        const c = await client(program);
        const h = await c.get<HistoryItem[]>(`/images/${encodeURIComponent(name)}/history`);
        if (o.quiet) { process.stdout.write(h.map((x) => `${x.Id === '<missing>' ? x.Id : shortId(x.Id, o.trunc)}\n`).join('')); return; }
        process.stdout.write(table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], h.map((x) => [
          x.Id === '<missing>' ? x.Id : shortId(x.Id, o.trunc), ago(x.Created), o.trunc ? truncate(x.CreatedBy, 45) : x.CreatedBy, humanSize(x.Size), x.Comment,
        ])));
      });

    parent.command('save').description('save images to a tar archive (docker-archive + OCI layout)')
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .argument('<image...>')
      .action(async (names: string[], o: { output?: string }) => {
        const c = await client(program);
        const q = new URLSearchParams();
        for (const n of names) q.append('names', n);
        await toFileOrStdout(await c.stream('GET', `/images/get?${q.toString()}`), o.output);
      });

    parent.command('load').description('load images from a tar archive (docker save or OCI layout, plain or gzip)')
      .option('-i, --input <file>', 'read from a file instead of stdin')
      .option('-q, --quiet', 'suppress the load output')
      .action(async (o: { input?: string; quiet?: boolean }) => {
        const c = await client(program);
        const src = await tarArg(o.input);
        try { await printJsonStream(await c.stream('POST', '/images/load', { query: { path: src.path } }), o.quiet); } finally { src.done(); }
      });

    parent.command('import').description('create an image from a flat filesystem tar (what export wrote)')
      .option('-c, --change <instruction>', 'apply a Dockerfile instruction (CMD, ENV, ...) to the image', collect, [])
      .option('-m, --message <text>', 'commit message for the image')
      .argument('<file>', 'tar file, or - for stdin').argument('[repository]')
      .action(async (file: string, ref: string | undefined, o: { change: string[]; message?: string }) => {
        const c = await client(program);
        const src = await tarArg(file);
        try {
          await printJsonStream(await c.stream('POST', '/images/create', { query: { fromSrc: src.path, ...splitRef(ref), changes: o.change.join('\n') || undefined, message: o.message } }));
        } finally { src.done(); }
      });

    if (!isTop) parent.command('inspect').description('low-level information on images (JSON)')
      .option('-f, --format <template>', 'Go-template subset, e.g. {{json .Config.Cmd}}')
      .argument('<image...>')
      .action(async (names: string[], o: { format?: string }) => {
        const c = await client(program);
        const recs: unknown[] = [];
        for (const n of names) recs.push(await c.get(`/images/${encodeURIComponent(n)}/json`));
        if (o.format) process.stdout.write(recs.map((r) => `${goTemplate(o.format!, r)}\n`).join(''));
        else process.stdout.write(`${JSON.stringify(recs, null, 4)}\n`);
      });

    parent.command('build').description('build an image from a Dockerfile (each RUN in a container, each step cached)')
      .option('-t, --tag <name>', 'name:tag for the image', collect, [])
      .option('-f, --file <dockerfile>', 'Dockerfile path (default CONTEXT/Dockerfile)')
      .option('--build-arg <k=v>', 'set a build-time ARG', collect, [])
      .option('--no-cache', 'do not use the layer cache')
      .option('-q, --quiet', 'print only the image id')
      .argument('<context>')
      .action(async (ctxDir: string, o: { tag: string[]; file?: string; buildArg: string[]; cache: boolean; quiet?: boolean }) => {
        const c = await client(program);
        const q = new URLSearchParams({ path: resolve(ctxDir) });
        for (const t of o.tag) q.append('t', t);
        if (o.file) q.set('dockerfile', resolve(o.file));
        if (!o.cache) q.set('nocache', '1');
        if (o.buildArg.length) q.set('buildargs', JSON.stringify(Object.fromEntries(o.buildArg.map((a) => [a.split('=')[0], a.slice(a.indexOf('=') + 1)]))));
        const objs = await printJsonStream(await c.stream('POST', `/build?${q.toString()}`), o.quiet);
        if (o.quiet) {
          const aux = objs.find((x) => x.aux)?.aux as { ID?: string } | undefined;
          if (aux?.ID) process.stdout.write(`${aux.ID}\n`);
        }
      });
    // the rest are top-level only (docker has them under `container` too)
    if (!isTop) continue;

    program.command('commit').description("create an image from a container's changes (its upper dir becomes a layer)")
      .option('-a, --author <name>', 'author')
      .option('-c, --change <instruction>', 'apply a Dockerfile instruction (CMD, ENV, ...) to the image', collect, [])
      .option('-m, --message <text>', 'commit message')
      .argument('<container>').argument('[repository]')
      .action(async (ctr: string, ref: string | undefined, o: { author?: string; change: string[]; message?: string }) => {
        const c = await client(program);
        const r = (await c.call<{ Id: string }>('POST', '/commit', { query: { container: ctr, ...splitRef(ref), author: o.author, comment: o.message, changes: o.change.join('\n') || undefined } })).json;
        process.stdout.write(`${r.Id}\n`);
      });

    program.command('export').description("export a container's filesystem as a flat tar archive")
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .argument('<container>')
      .action(async (ctr: string, o: { output?: string }) => {
        const c = await client(program);
        await toFileOrStdout(await c.stream('GET', `/containers/${encodeURIComponent(ctr)}/export`), o.output);
      });

    program.command('diff').description("changes to a container's filesystem: A added, C changed, D deleted")
      .argument('<container>')
      .action(async (ctr: string) => {
        const c = await client(program);
        const changes = await c.get<Change[]>(`/containers/${encodeURIComponent(ctr)}/changes`);
        process.stdout.write(changes.map((x) => `${'CAD'[x.Kind]} ${x.Path}\n`).join(''));
      });
  }

  const volume = program.command('volume').description('manage volumes (directories under <root>/volumes, bind-mounted into containers)');
  volume.command('create').description('create a volume')
    .option('-l, --label <k=v>', 'set metadata', collect, [])
    .option('-d, --driver <driver>', 'volume driver (only local)', 'local')
    .argument('[name]')
    .action(async (name: string | undefined, o: { label: string[]; driver: string }) => {
      const c = await client(program);
      const labels = Object.fromEntries(o.label.map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
      const v = (await c.call<VolumeRecord>('POST', '/volumes/create', { body: { Name: name ?? '', Driver: o.driver, Labels: labels } })).json;
      process.stdout.write(`${v.Name}\n`);
    });
  volume.command('ls').alias('list').description('list volumes')
    .option('-q, --quiet', 'only display volume names')
    .action(async (o: { quiet?: boolean }) => {
      const c = await client(program);
      const { Volumes } = await c.get<{ Volumes: VolumeRecord[] }>('/volumes');
      if (o.quiet) { process.stdout.write(Volumes.map((v) => `${v.Name}\n`).join('')); return; }
      process.stdout.write(table(['DRIVER', 'VOLUME NAME'], Volumes.map((v) => [v.Driver, v.Name])));
    });
  volume.command('inspect').description('details of volumes (JSON)')
    .option('-f, --format <template>', 'Go-template subset, e.g. {{.Mountpoint}}')
    .argument('<name...>')
    .action(async (names: string[], o: { format?: string }) => {
      const c = await client(program);
      const recs: unknown[] = [];
      for (const n of names) recs.push(await c.get(`/volumes/${encodeURIComponent(n)}`));
      if (o.format) process.stdout.write(recs.map((r) => `${goTemplate(o.format!, r)}\n`).join(''));
      else process.stdout.write(`${JSON.stringify(recs, null, 4)}\n`);
    });
  volume.command('rm').alias('remove').description('remove volumes (refused while a container uses one)')
    .option('-f, --force', 'do not complain about a missing volume')
    .argument('<name...>')
    .action(async (names: string[], o: { force?: boolean }) => {
      const c = await client(program);
      await each(names, async (n) => {
        await c.call('DELETE', `/volumes/${encodeURIComponent(n)}`, { query: { force: o.force ?? false } });
        process.stdout.write(`${n}\n`);
      });
    });
  volume.command('prune').description('remove unused anonymous volumes (-a: all unused)')
    .option('-a, --all', 'all unused volumes, named ones too')
    .option('-f, --force', 'do not prompt (boxlab never prompts)')
    .action(async (o: { all?: boolean }) => {
      const c = await client(program);
      const r = (await c.call<{ VolumesDeleted: string[] }>('POST', '/volumes/prune', { query: { filters: o.all ? '{"all":["true"]}' : undefined } })).json;
      process.stdout.write(r.VolumesDeleted.length ? `Deleted Volumes:\n${r.VolumesDeleted.map((v) => `${v}\n`).join('')}` : '');
    });
}
