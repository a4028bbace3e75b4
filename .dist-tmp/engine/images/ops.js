import { chmodSync, chownSync, copyFileSync, linkSync, lstatSync, lchownSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { traceNote } from '../sys/index.js';
import { goArch, normaliseConfig } from './config.js';
import { applyMetadata, parseChanges } from './dockerfile.js';
import { isWhiteout } from './changes.js';
import { packLayer } from './layer-tar.js';
import { removeTree, tempDir } from './fsutil.js';
import { isOpaqueDir } from './xattr.js';
/** `docker commit`: the upper dir becomes one new layer on top of the image's layers, with a new config. */
export async function commitContainer(store, o) {
    const parent = store.ociConfig(o.image);
    const config = normaliseConfig({ ...normaliseConfig(parent.config), ...(o.containerConfig ?? {}) });
    const vars = Object.fromEntries(config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const state = { cmdSetHere: false };
    for (const ins of parseChanges(o.changes ?? []))
        applyMetadata(config, ins, vars, state);
    const diffID = await store.layerFromDir(o.upper, { exclude: (o.exclude ?? []).map((p) => p.replace(/^\/+/, '')) });
    const created = new Date().toISOString();
    const next = {
        architecture: parent.architecture,
        os: parent.os,
        created,
        ...(o.author && { author: o.author }),
        config: config,
        rootfs: { type: 'layers', diff_ids: [...parent.rootfs.diff_ids, diffID] },
        history: [...(parent.history ?? []), {
                created,
                created_by: o.createdBy ?? [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].join(' '),
                ...(o.comment && { comment: o.comment }),
                ...(o.author && { author: o.author }),
            }],
    };
    return store.addImage(next, o.tag ? [o.tag] : [], { parent: o.image.Id });
}
/** `docker import`: a flat filesystem tar (plain or gzip) becomes a one-layer image with an empty config. */
export async function importFlat(store, src, o = {}) {
    const diffID = await store.importLayerTar(src);
    const config = normaliseConfig({});
    const vars = {};
    for (const ins of parseChanges(o.changes ?? []))
        applyMetadata(config, ins, vars, {});
    const created = new Date().toISOString();
    return store.addImage({
        architecture: goArch(),
        os: 'linux',
        created,
        config,
        rootfs: { type: 'layers', diff_ids: [diffID] },
        history: [{ created, created_by: '', comment: o.message ?? `Imported from ${typeof src === 'string' ? src : '-'}` }],
    }, o.tag ? [o.tag] : []);
}
/** `docker export`: the container's filesystem as one flat tar, written to a file or a stream (which is ended). */
export async function exportFlat(store, source, out) {
    const exclude = (source.exclude ?? []).map((p) => p.replace(/^\/+/, ''));
    if ('live' in source) {
        await packLayer(source.live, out, { oneFileSystem: true, exclude });
        return;
    }
    const work = tempDir(join(store.dir, 'tmp'), 'export');
    try {
        flattenInto(work, [source.upper, ...source.lowerdirs].reverse());
        await packLayer(work, out, { exclude });
    }
    finally {
        removeTree(work);
    }
}
/**
 * Applies layers (LOWEST FIRST) into `dest` the way overlayfs would show them merged: whiteouts delete,
 * opaque dirs hide what is below. Files are hard links to the layers' files (no copying; cross-device falls
 * back to a copy) — so nothing here may ever chmod or chown a file, only the fresh dirs.
 */
export function flattenInto(dest, layersLowestFirst) {
    const dirs = new Map();
    const exists = (p) => { try {
        return lstatSync(p);
    }
    catch {
        return null;
    } };
    for (const layer of layersLowestFirst) {
        const visit = (rel) => {
            for (const name of readdirSync(join(layer, rel))) {
                const r = rel ? `${rel}/${name}` : name;
                const src = join(layer, r);
                const dst = join(dest, r);
                const st = lstatSync(src);
                const have = exists(dst);
                if (isWhiteout(st)) {
                    if (have)
                        rmSync(dst, { recursive: true, force: true });
                    dirs.delete(dst);
                    continue;
                }
                if (st.isDirectory()) {
                    if (have && (!have.isDirectory() || isOpaqueDir(src)))
                        rmSync(dst, { recursive: true, force: true });
                    if (!have || !have.isDirectory() || isOpaqueDir(src))
                        mkdirSync(dst);
                    dirs.set(dst, { path: dst, st });
                    visit(r);
                    continue;
                }
                if (have)
                    rmSync(dst, { recursive: true, force: true });
                if (st.isSymbolicLink()) {
                    symlinkSync(readlinkSync(src), dst);
                    lchownSync(dst, st.uid, st.gid);
                    lutimesSync(dst, st.atime, st.mtime);
                }
                else if (st.isFile()) {
                    try {
                        linkSync(src, dst);
                    }
                    catch {
                        copyFileSync(src, dst);
                        chownSync(dst, st.uid, st.gid);
                        chmodSync(dst, st.mode & 0o7777);
                        utimesSync(dst, st.atime, st.mtime);
                    }
                }
                else {
                    traceNote('export', `left out ${r}: not a file, dir or symlink`);
                }
            }
        };
        visit('');
    }
    for (const d of [...dirs.values()].sort((a, b) => b.path.length - a.path.length)) {
        // a dir recorded earlier may since have been whited out, or replaced by a (hard-linked!) file
        if (!exists(d.path)?.isDirectory())
            continue;
        chownSync(d.path, d.st.uid, d.st.gid);
        chmodSync(d.path, d.st.mode & 0o7777);
        utimesSync(d.path, d.st.atime, d.st.mtime);
    }
}
//# sourceMappingURL=ops.js.map