import { createWriteStream, existsSync, linkSync, copyFileSync, mkdirSync, readFileSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { create as tarCreate } from 'tar';
import { UserError } from '../sys/index.js';
import { goArch, isValidReference, normaliseTag } from './config.js';
import { extractLayer } from './layer-tar.js';
import { digestHex, removeTree, sha256, tempDir } from './fsutil.js';
import { parseConfig } from './store.js';
const MT = {
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    ociConfig: 'application/vnd.oci.image.config.v1+json',
    ociLayer: 'application/vnd.oci.image.layer.v1.tar',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
};
const ARCHIVE_MTIME = new Date(0);
/**
 * `docker save`: one tar that is both a docker-archive (manifest.json) and an OCI image layout (index.json,
 * oci-layout, blobs/sha256/…), as docker 25+ writes it, so docker, podman and skopeo all load it. Layers are
 * stored uncompressed and byte for byte as imported, so save → load gives back the same ids. Deterministic.
 */
export async function saveImages(store, refs, out) {
    if (refs.length === 0)
        throw new UserError('save needs at least one image');
    const images = new Map();
    for (const ref of refs) {
        const img = store.resolve(ref);
        const entry = images.get(img.Id) ?? { img, tags: [] };
        if (isValidReference(ref) && img.RepoTags.includes(normaliseTag(ref)))
            entry.tags.push(normaliseTag(ref));
        images.set(img.Id, entry);
    }
    const work = tempDir(join(store.dir, 'tmp'), 'save');
    try {
        const blobs = join(work, 'blobs', 'sha256');
        mkdirSync(blobs, { recursive: true });
        const blob = (data) => {
            const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
            const hex = sha256(buf);
            writeFileSync(join(blobs, hex), buf);
            return { mediaType: '', digest: `sha256:${hex}`, size: buf.length, path: `blobs/sha256/${hex}` };
        };
        const manifestJson = [];
        const index = [];
        for (const { img, tags } of images.values()) {
            const layers = [];
            for (const d of img.RootFS.DiffIDs) {
                const hex = digestHex(d);
                const dst = join(blobs, hex);
                if (!existsSync(dst)) {
                    try {
                        linkSync(store.layerTar(d), dst);
                    }
                    catch {
                        copyFileSync(store.layerTar(d), dst);
                    }
                }
                layers.push({ mediaType: MT.ociLayer, digest: d, size: lstatSync(dst).size, path: `blobs/sha256/${hex}` });
            }
            const config = blob(store.configBytes(img));
            const manifest = blob(JSON.stringify({
                schemaVersion: 2,
                mediaType: MT.ociManifest,
                config: { mediaType: MT.ociConfig, digest: config.digest, size: config.size },
                layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
            }));
            manifestJson.push({ Config: config.path, RepoTags: tags, Layers: layers.map((l) => l.path) });
            const desc = { mediaType: MT.ociManifest, digest: manifest.digest, size: manifest.size };
            if (tags.length === 0)
                index.push(desc);
            for (const t of tags) {
                const tag = t.slice(t.lastIndexOf(':') + 1);
                const full = t.includes('/') ? t : `docker.io/library/${t}`;
                index.push({ ...desc, annotations: { 'io.containerd.image.name': full, 'org.opencontainers.image.ref.name': tag } });
            }
        }
        writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifestJson));
        writeFileSync(join(work, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: index }));
        writeFileSync(join(work, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
        const { readdirSync } = await import('node:fs');
        const entries = ['blobs/', 'blobs/sha256/', ...readdirSync(blobs).sort().map((h) => `blobs/sha256/${h}`), 'index.json', 'manifest.json', 'oci-layout'];
        const stream = tarCreate({ cwd: work, portable: true, mtime: ARCHIVE_MTIME, noDirRecurse: true }, entries);
        await pipeline(stream, typeof out === 'string' ? createWriteStream(out) : out);
    }
    finally {
        removeTree(work);
    }
}
/**
 * `docker load`: a docker-archive (manifest.json) or OCI image layout (index.json) tar, plain or gzip.
 * Every layer is checked against the config's diff_ids, and nothing is tagged until all images are in: a bad
 * archive leaves the store as it was.
 */
export async function loadImages(store, src) {
    const work = tempDir(join(store.dir, 'tmp'), 'load');
    const before = new Set(store.layerIds());
    try {
        let tarPath = src;
        if (typeof src !== 'string') {
            tarPath = join(work, 'input.tar');
            await pipeline(src, createWriteStream(tarPath));
        }
        const dir = join(work, 'archive');
        mkdirSync(dir);
        await extractLayer(tarPath, dir).catch((e) => { throw new UserError(`not an image archive: ${e.message}`); });
        const found = existsSync(join(dir, 'manifest.json')) ? readDockerArchive(dir) : existsSync(join(dir, 'index.json')) ? readOciLayout(dir) : undefined;
        if (!found)
            throw new UserError('not an image archive: it has neither manifest.json (docker save) nor index.json (OCI image layout)');
        const ready = [];
        for (const img of found) {
            const config = parseConfig(img.config);
            if (config.rootfs.diff_ids.length !== img.layers.length)
                throw new UserError(`image config lists ${config.rootfs.diff_ids.length} layers but the manifest has ${img.layers.length}`);
            for (const [i, layer] of img.layers.entries()) {
                const expected = config.rootfs.diff_ids[i];
                const diffID = await store.importLayerTar(join(dir, safePath(layer)));
                if (diffID !== expected) {
                    throw new UserError(`layer ${i + 1} (${layer}) hashes to ${diffID} but the image config says ${expected}: the archive is corrupt`);
                }
            }
            ready.push({ config: img.config, tags: img.tags });
        }
        return ready.map(({ config, tags }) => {
            const rec = store.addImage(config, tags);
            return { Id: rec.Id, RepoTags: tags.map(normaliseTag) };
        });
    }
    catch (e) {
        store.removeUnusedLayers((d) => !before.has(d));
        throw e;
    }
    finally {
        removeTree(work);
    }
}
function safePath(p) {
    const parts = p.split('/').filter((x) => x && x !== '.');
    if (parts.includes('..') || parts.length === 0)
        throw new UserError(`image archive names the path "${p}", which is outside the archive`);
    return parts.join('/');
}
function readJson(dir, p, what) {
    const file = join(dir, safePath(p));
    if (!existsSync(file))
        throw new UserError(`image archive is missing ${what} (${p})`);
    try {
        return JSON.parse(readFileSync(file, 'utf8'));
    }
    catch (e) {
        throw new UserError(`image archive: ${what} (${p}) is not valid JSON`);
    }
}
function readDockerArchive(dir) {
    const manifest = readJson(dir, 'manifest.json', 'manifest.json');
    if (!Array.isArray(manifest))
        throw new UserError('image archive: manifest.json is not a list');
    return manifest.map((m) => {
        const cfg = join(dir, safePath(m.Config));
        if (!existsSync(cfg))
            throw new UserError(`image archive is missing the image config ${m.Config}`);
        return { config: readFileSync(cfg), layers: m.Layers, tags: (m.RepoTags ?? []).filter(isValidReference) };
    });
}
function blobPath(d) {
    const hex = digestHex(d.digest);
    if (!hex)
        throw new UserError(`OCI layout: unsupported digest "${d.digest}" (only sha256)`);
    return `blobs/sha256/${hex}`;
}
function verifiedBlob(dir, d) {
    const p = join(dir, blobPath(d));
    if (!existsSync(p))
        throw new UserError(`OCI layout is missing blob ${d.digest}`);
    const buf = readFileSync(p);
    if (`sha256:${sha256(buf)}` !== d.digest)
        throw new UserError(`OCI layout: blob ${d.digest} does not match its digest: the archive is corrupt`);
    return buf;
}
function readOciLayout(dir) {
    const index = readJson(dir, 'index.json', 'index.json');
    const out = [];
    const byManifest = new Map();
    const visit = (d, name) => {
        if (d.mediaType === MT.ociIndex || d.mediaType === MT.dockerList) {
            const nested = JSON.parse(verifiedBlob(dir, d).toString());
            const mine = nested.manifests.filter((m) => !m.platform || (m.platform.os === 'linux' && m.platform.architecture === goArch()));
            if (mine.length === 0)
                throw new UserError(`OCI layout: no image for linux/${goArch()} in ${d.digest}`);
            visit(mine[0], name);
            return;
        }
        if (d.mediaType !== MT.ociManifest && d.mediaType !== MT.dockerManifest)
            return; // attestations, signatures...
        let found = byManifest.get(d.digest);
        if (!found) {
            const m = JSON.parse(verifiedBlob(dir, d).toString());
            for (const l of m.layers) {
                if (/zstd/.test(l.mediaType))
                    throw new UserError(`OCI layout: layer ${l.digest} is zstd-compressed, which boxlab cannot read: use gzip or plain tar`);
            }
            found = { config: verifiedBlob(dir, m.config), layers: m.layers.map(blobPath), tags: [] };
            byManifest.set(d.digest, found);
            out.push(found);
        }
        if (name && isValidReference(name))
            found.tags.push(name);
    };
    for (const d of index.manifests ?? []) {
        const a = d.annotations ?? {};
        const ref = a['io.containerd.image.name'] ?? a['org.opencontainers.image.ref.name'];
        // ref.name alone is often just a tag ("latest"); a name needs a repository part too
        visit(d, ref && (ref.includes(':') || ref.includes('/')) ? ref : undefined);
    }
    if (out.length === 0)
        throw new UserError('OCI layout: index.json names no image manifest');
    return out;
}
//# sourceMappingURL=archive.js.map