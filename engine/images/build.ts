import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, chmodSync, chownSync, utimesSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, posix } from 'node:path';
import { UserError } from '../sys/index.js';
import { goArch, normaliseConfig, type ImageConfig, type ImageRecord, type OciImageConfig } from './config.js';
import { applyMetadata, lineError, needsSubstitution, parseDockerfile, splitWords, substitute, DEFAULT_SHELL, type Instruction } from './dockerfile.js';
import { copyEntry, DockerIgnore, hashSources, resolveSources } from './build-context.js';
import { extractLayer } from './layer-tar.js';
import { removeTree, sha256, tempDir, writeFileAtomic } from './fsutil.js';
import { flattenInto } from './ops.js';
import type { RunInContainer } from './runner.js';
import { resolveUser } from './users.js';
import type { ImageStore } from './store.js';

export interface BuildOptions {
  /** the build context dir */
  context: string;
  /** path of the Dockerfile, relative to the context or absolute; default <context>/Dockerfile */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  /** runs RUN steps: the daemon passes the runtime's (containers/build-runner.ts); builds run only there */
  run: RunInContainer;
  /** progress lines as docker's classic builder prints them */
  output?: (line: string) => void;
  /** `--target`: the stage whose image is the result; the instructions after it are not run */
  target?: string;
  /** `--label`: labels added to the resulting image */
  labels?: Record<string, string>;
  /** the built image's id, told before the closing "Successfully built/tagged" lines (dockerd's aux message) */
  onBuilt?: (id: string) => void;
  /** fetches a FROM image that is not in the store (the daemon pulls it from its registry) */
  pull?: (ref: string) => Promise<ImageRecord>;
}

export interface BuildResult { image: ImageRecord; steps: number; cached: number }

interface Stage {
  name?: string;
  /** image id of the current step's result, '' for scratch */
  id: string;
  oci: OciImageConfig;
  config: ImageConfig;
  vars: Record<string, string>;
  /** ARGs declared in this stage with their values (set for RUN, part of its cache key) */
  args: Record<string, string>;
  shell: string[];
  cmdSetHere: boolean;
}

/**
 * `docker build`: each instruction a step; RUN, COPY and ADD make a layer, the others change only the config.
 * Every step's result is an (untagged, hidden) image; the cache maps (parent id, instruction, sources digest)
 * to it, so an unchanged Dockerfile rebuilds without running anything.
 */
export async function buildImage(store: ImageStore, o: BuildOptions): Promise<BuildResult> {
  const out = o.output ?? (() => {});
  const context = o.context;
  if (!existsSync(context) || !statSync(context).isDirectory()) throw new UserError(`build context "${context}" is not a directory`);
  const dfPath = o.dockerfile ? (isAbsolute(o.dockerfile) ? o.dockerfile : join(context, o.dockerfile)) : join(context, 'Dockerfile');
  if (!existsSync(dfPath)) throw new UserError(`cannot read Dockerfile: ${dfPath} does not exist`);
  const instructions = parseDockerfile(readFileSync(dfPath, 'utf8'));
  const ignore = DockerIgnore.load(context);
  const { run } = o;
  const cacheFile = join(store.dir, 'build-cache.json');
  const cache: Record<string, string> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string> : {};
  const buildArgs = o.buildArgs ?? {};
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  let cached = 0;

  const step = async (ins: Instruction, extraKey: string, make: (s: Stage) => Promise<OciImageConfig>): Promise<void> => {
    const s = stage!;
    const key = sha256(`${s.id}\n${ins.cmd} ${JSON.stringify(ins.flags)} ${substituted(ins, s.vars)}\n${extraKey}`);
    const hit = !o.noCache ? cache[key] : undefined;
    const hitImage = hit ? store.find(hit) : undefined;
    if (hitImage && hitImage.RootFS.DiffIDs.every((d) => store.hasLayer(d))) {
      out(' ---> Using cache');
      cached++;
      s.id = hitImage.Id;
      s.oci = store.ociConfig(hitImage);
      s.config = normaliseConfig(s.oci.config);
    } else {
      const oci = await make(s);
      const img = store.addImage(oci, [], s.id ? { parent: s.id } : {});
      cache[key] = img.Id;
      writeFileAtomic(cacheFile, JSON.stringify(cache, null, 1));
      s.id = img.Id;
      s.oci = oci;
    }
    out(` ---> ${s.id.slice(7, 19)}`);
  };

  const next = (s: Stage, change: { diffID?: string; createdBy: string }): OciImageConfig => {
    const created = new Date().toISOString();
    return {
      ...s.oci,
      architecture: s.oci.architecture,
      os: s.oci.os,
      created,
      config: { ...s.config },
      rootfs: { type: 'layers', diff_ids: [...s.oci.rootfs.diff_ids, ...(change.diffID ? [change.diffID] : [])] },
      history: [...(s.oci.history ?? []), { created, created_by: change.createdBy, ...(change.diffID ? {} : { empty_layer: true }) }],
    };
  };

  {
    for (const [n, ins] of instructions.entries()) {
      out(`Step ${n + 1}/${instructions.length} : ${ins.original}`);
      if (ins.cmd === 'ARG') {
        const [name, def] = splitArg(ins, stage?.vars ?? globalArgs);
        const value = buildArgs[name] ?? def ?? (stage ? undefined : globalArgs[name]);
        if (!stage) { if (value !== undefined) globalArgs[name] = value; continue; }
        // an ARG without a value inside a stage picks up the global one of the same name
        const v = value ?? globalArgs[name];
        if (v !== undefined) { stage.args[name] = v; if (!stage.config.Env.some((e) => e.startsWith(`${name}=`))) stage.vars[name] = v; }
        continue;
      }
      if (ins.cmd === 'FROM') {
        if (o.target && stage?.name === o.target) break;
        stage = await fromStage(store, ins, globalArgs, stages, o.pull);
        stages.push(stage);
        out(` ---> ${stage.id ? stage.id.slice(7, 19) : 'scratch'}`);
        continue;
      }
      const s = stage!;
      switch (ins.cmd) {
        case 'RUN': {
          const argv = ins.json ?? [...s.shell, ins.args];
          const argEnv = Object.entries(s.args).filter(([k]) => !s.config.Env.some((e) => e.startsWith(`${k}=`))).map(([k, v]) => `${k}=${v}`);
          await step(ins, JSON.stringify(argEnv), async (st) => {
            const image = store.resolve(st.id || (await emptyImage(store)).Id);
            const r = await run({ image, cmd: argv, env: [...st.config.Env, ...argEnv], workdir: st.config.WorkingDir, user: st.config.User });
            try {
              for (const l of `${r.stdout}\n${r.stderr}`.split('\n')) if (l) out(l);
              if (r.exitCode !== 0) throw new UserError(`The command '${argv.join(' ')}' returned a non-zero code: ${r.exitCode}`);
              const diffID = await store.layerFromDir(r.upper);
              return next(st, { diffID, createdBy: ins.json ? ins.json.join(' ') : `${s.shell.join(' ')} ${ins.args}` });
            } finally {
              await r.cleanup();
            }
          });
          break;
        }
        case 'COPY': case 'ADD': {
          const from = ins.flags.from;
          if (from && ins.cmd === 'ADD') throw lineError(ins.line, 'ADD does not take --from; use COPY --from');
          const words = ins.json ?? splitWords(ins.args, s.vars);
          if (words.length < 2) throw lineError(ins.line, `${ins.cmd} needs a source and a destination`);
          const srcs = words.slice(0, -1);
          const rawDest = words[words.length - 1]!;
          for (const src of srcs) if (/^[a-z]+:\/\//i.test(src)) throw lineError(ins.line, `${ins.cmd} from a URL (${src}) is not supported: boxlab builds offline, put the file in the context`);
          const source = from ? await stageContext(store, from, stages, ins) : { dir: context, ignore, cleanup: () => {} };
          try {
            const rels = srcs.flatMap((src) => resolveSources(source.dir, src, source.ignore, ins.line, ins.cmd));
            const digest = hashSources(source.dir, rels, source.ignore);
            await step(ins, digest, async (st) => {
              const dest = posix.isAbsolute(rawDest) ? rawDest : posix.join(st.config.WorkingDir || '/', rawDest);
              const destIsDir = rawDest.endsWith('/') || rels.length > 1;
              const layers = store.layerDirs(store.find(st.id) ?? (await emptyImage(store))).reverse();
              const owner = ins.flags.chown ? resolveUser(ins.flags.chown, layers) : { uid: 0, gid: 0 };
              const stageDir = tempDir(join(store.dir, 'tmp'), 'copy');
              try {
                for (const rel of rels) {
                  const abs = join(source.dir, rel);
                  const isDir = lstatSync(abs).isDirectory();
                  if (ins.cmd === 'ADD' && !isDir && isTarArchive(abs)) {
                    const target = join(stageDir, dest);
                    mkdirSync(target, { recursive: true });
                    await extractLayer(abs, target);
                    continue;
                  }
                  const target = isDir ? dest : (destIsDir || existsDirInLayers(dest, layers) ? posix.join(dest, basename(rel)) : dest);
                  copyEntry(source.dir, rel, join(stageDir, target), source.ignore, owner);
                }
                keepParentAttrs(stageDir, dest, layers);
                const diffID = await store.layerFromDir(stageDir);
                return next(st, { diffID, createdBy: `/bin/sh -c #(nop) ${ins.cmd} ${digest.slice(0, 12)} in ${dest}` });
              } finally {
                removeTree(stageDir);
              }
            });
          } finally {
            source.cleanup();
          }
          break;
        }
        default: {
          await step(ins, '', async (st) => {
            const state = { cmdSetHere: st.cmdSetHere, shell: st.shell };
            applyMetadata(st.config, ins, st.vars, state);
            st.cmdSetHere = state.cmdSetHere ?? false;
            st.shell = state.shell ?? st.shell;
            return next(st, { createdBy: `/bin/sh -c #(nop) ${needsSubstitution(ins.cmd) ? substitute(ins.original, st.vars) : ins.original}` });
          });
          // a cache hit skips make(): keep the variables and shell the instruction would have set
          if (ins.cmd === 'ENV') for (const e of s.config.Env) { const i = e.indexOf('='); s.vars[e.slice(0, i)] = e.slice(i + 1); }
          if (ins.cmd === 'SHELL' && ins.json) s.shell = ins.json;
          if (ins.cmd === 'CMD') s.cmdSetHere = true;
        }
      }
    }
  }
  const final = stage!;
  if (o.target && final.name !== o.target) throw new UserError(`failed to reach build target ${o.target} in Dockerfile: no stage is named so (FROM image AS ${o.target})`);
  if (o.labels && Object.keys(o.labels).length > 0) {
    // docker's builder adds the labels as one more (layerless) step on the final image
    final.config = { ...final.config, Labels: { ...final.config.Labels, ...o.labels } };
    const oci = next(final, { createdBy: `LABEL ${Object.entries(o.labels).map(([k, v]) => `${k}=${v}`).join(' ')}` });
    final.id = store.addImage(oci, [], final.id ? { parent: final.id } : {}).Id;
  }
  if (!final.id) throw new UserError('the Dockerfile produced no image (FROM scratch with no other step)');
  for (const t of o.tags ?? []) store.tag(final.id, t);
  const image = store.resolve(final.id);
  o.onBuilt?.(final.id);
  out(`Successfully built ${final.id.slice(7, 19)}`);
  // the tags this build gave (not the image's others: a build that changes nothing ends on its base image)
  for (const t of o.tags ?? []) out(`Successfully tagged ${t.lastIndexOf(':') > t.lastIndexOf('/') ? t : `${t}:latest`}`);
  return { image, steps: instructions.length, cached };
}

function substituted(ins: Instruction, vars: Record<string, string>): string {
  return needsSubstitution(ins.cmd) ? substitute(ins.args, vars) : ins.args;
}

function splitArg(ins: Instruction, vars: Record<string, string>): [string, string | undefined] {
  const m = /^(\w+)(?:=([\s\S]*))?$/.exec(ins.args.trim());
  if (!m) throw lineError(ins.line, `invalid ARG "${ins.args}": use ARG NAME[=default]`);
  return [m[1]!, m[2] !== undefined ? splitWords(m[2], vars).join(' ') : undefined];
}

async function fromStage(store: ImageStore, ins: Instruction, globalArgs: Record<string, string>, stages: Stage[], pull?: BuildOptions['pull']): Promise<Stage> {
  const words = substitute(ins.args, globalArgs).split(/\s+/);
  const ref = words[0]!;
  const name = words.length === 3 && words[1]!.toLowerCase() === 'as' ? words[2]!.toLowerCase() : undefined;
  if (words.length !== 1 && !name) throw lineError(ins.line, `invalid FROM "${ins.args}": use FROM IMAGE [AS NAME]`);
  const base = (): Stage => ({ id: '', oci: { architecture: goArch(), os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] }, config: normaliseConfig({}), vars: {}, args: {}, shell: DEFAULT_SHELL, cmdSetHere: false, ...(name && { name }) });
  if (ref === 'scratch') return base();
  const earlier = stages.find((s) => s.name === ref.toLowerCase());
  let img: ImageRecord | undefined = earlier?.id ? store.find(earlier.id) : undefined;
  if (!img) img = store.find(ref);
  if (!img && (ref === 'busybox' || ref === 'busybox:latest')) img = await store.ensureBusybox();
  if (!img && pull) img = await pull(ref).catch((e: Error) => { throw lineError(ins.line, `FROM ${ref}: No such image, and pulling it failed: ${e.message}`); });
  if (!img) throw lineError(ins.line, `FROM ${ref}: No such image (load it with \`boxlab load\` or pull it first)`);
  const oci = store.ociConfig(img);
  const config = normaliseConfig(oci.config);
  const vars = Object.fromEntries(config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return { ...base(), id: img.Id, oci, config, vars };
}

/** COPY --from=stage|image: that filesystem, merged into a temp dir, serves as the context. */
async function stageContext(store: ImageStore, from: string, stages: Stage[], ins: Instruction): Promise<{ dir: string; ignore: DockerIgnore; cleanup: () => void }> {
  const s = stages.find((x) => x.name === from.toLowerCase()) ?? (/^\d+$/.test(from) ? stages[Number(from)] : undefined);
  const img = s ? (s.id ? store.find(s.id) : undefined) : store.find(from);
  if (!img && !s) throw lineError(ins.line, `COPY --from=${from}: no build stage or image of that name`);
  const dir = tempDir(join(store.dir, 'tmp'), 'from');
  if (img) flattenInto(dir, store.layerDirs(img));
  return { dir, ignore: new DockerIgnore(''), cleanup: () => removeTree(dir) };
}

/** The one layerless image RUN needs when it follows FROM scratch. */
async function emptyImage(store: ImageStore): Promise<ImageRecord> {
  return store.addImage({ architecture: goArch(), os: 'linux', created: new Date(0).toISOString(), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] });
}

function isTarArchive(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, 512, 0);
    if (n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return true;
    return n >= 262 && buf.subarray(257, 262).toString() === 'ustar';
  } finally {
    closeSync(fd);
  }
}

function existsDirInLayers(dest: string, layersTopFirst: string[]): boolean {
  for (const l of layersTopFirst) {
    try { const st = lstatSync(join(l, dest)); return st.isDirectory(); } catch { /* next */ }
  }
  return false;
}

/**
 * Dirs the stage created on the way to `dest` (/usr, /usr/local ...) would otherwise override the image's own
 * modes and owners in the merged view: give them the attributes the image has.
 */
function keepParentAttrs(stageDir: string, dest: string, layersTopFirst: string[]): void {
  const parts = dest.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const here = join(stageDir, rel);
    if (!existsSync(here) || !lstatSync(here).isDirectory()) continue;
    for (const l of layersTopFirst) {
      try {
        const st = lstatSync(join(l, rel));
        if (st.isDirectory()) { chownSync(here, st.uid, st.gid); chmodSync(here, st.mode & 0o7777); utimesSync(here, st.atime, st.mtime); }
        break;
      } catch { /* next layer */ }
    }
  }
}
