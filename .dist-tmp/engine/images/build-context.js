import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, lutimesSync, lchownSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, utimesSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { UserError } from '../sys/index.js';
/** `.dockerignore`: glob patterns (`*`, `?`, `**`), `!` exceptions, last match wins, a matched dir hides its contents. */
export class DockerIgnore {
    rules;
    constructor(text) {
        this.rules = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
            const negate = l.startsWith('!');
            const pat = posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
            return { re: globToRegExp(pat), negate };
        });
    }
    static load(context) {
        const f = join(context, '.dockerignore');
        return new DockerIgnore(existsSync(f) ? readFileSync(f, 'utf8') : '');
    }
    /** Is the context-relative path (or one of its parent dirs) excluded? */
    ignores(rel) {
        const parts = rel.split('/');
        for (let i = 1; i <= parts.length; i++) {
            if (this.match(parts.slice(0, i).join('/')))
                return true;
        }
        return false;
    }
    match(p) {
        let hit = false;
        for (const r of this.rules)
            if (r.re.test(p))
                hit = !r.negate;
        return hit;
    }
}
export function globToRegExp(glob) {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*' && glob[i + 1] === '*') {
            re += '.*';
            i++;
            if (glob[i + 1] === '/')
                i++;
            continue;
        }
        if (c === '*') {
            re += '[^/]*';
            continue;
        }
        if (c === '?') {
            re += '[^/]';
            continue;
        }
        re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
}
/**
 * The context files a COPY/ADD source names (a file, a dir, or a glob in its last part), as context-relative
 * paths. Anything that resolves outside the context — `../x`, or a symlink pointing out — is refused.
 */
export function resolveSources(context, src, ignore, line, cmd) {
    const norm = posix.normalize(src.replace(/^\/+/, '') || '.');
    if (norm === '..' || norm.startsWith('../'))
        throw new UserError(`Dockerfile line ${line}: ${cmd} failed: forbidden path outside the build context: ${src}`);
    const base = posix.dirname(norm);
    const last = posix.basename(norm);
    let rels;
    if (/[*?[]/.test(last)) {
        const re = globToRegExp(last);
        const dir = join(context, base);
        rels = existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => (base === '.' ? n : `${base}/${n}`)) : [];
    }
    else {
        rels = [norm];
    }
    rels = rels.filter((r) => r === '.' || !ignore.ignores(r));
    const realContext = realpathSync(context);
    for (const r of rels) {
        const abs = join(context, r);
        if (!existsSync(abs))
            throw new UserError(`Dockerfile line ${line}: ${cmd} failed: file not found in build context or excluded by .dockerignore: ${src}`);
        const real = realpathSync(abs);
        if (real !== realContext && !real.startsWith(realContext + sep))
            throw new UserError(`Dockerfile line ${line}: ${cmd} failed: forbidden path outside the build context: ${src} (→ ${real})`);
    }
    if (rels.length === 0)
        throw new UserError(`Dockerfile line ${line}: ${cmd} failed: no source files were specified (${src} matched nothing)`);
    return rels;
}
/** Files under a source (itself included), context-relative, .dockerignore applied; symlinks are not followed. */
export function walkSource(context, rel, ignore) {
    const out = [rel];
    const st = lstatSync(join(context, rel));
    if (!st.isDirectory())
        return out;
    for (const n of readdirSync(join(context, rel)).sort()) {
        const child = rel === '.' ? n : `${rel}/${n}`;
        if (ignore.ignores(child))
            continue;
        out.push(...walkSource(context, child, ignore));
    }
    return out;
}
/** A digest of names, modes, owners and contents: the build cache key part for COPY/ADD. */
export function hashSources(context, rels, ignore) {
    const h = createHash('sha256');
    for (const r of rels) {
        for (const f of walkSource(context, r, ignore)) {
            const abs = join(context, f);
            const st = lstatSync(abs);
            h.update(`${f}\0${st.mode}\0`);
            if (st.isFile())
                h.update(readFileSync(abs));
            else if (st.isSymbolicLink())
                h.update(readlinkSync(abs));
            h.update('\0');
        }
    }
    return h.digest('hex');
}
/**
 * Copies one context entry to `destAbs` inside a stage dir: a dir's contents go into dest, files keep their
 * mode and mtime, owner is root unless --chown, symlinks are copied as symlinks.
 */
export function copyEntry(context, rel, destAbs, ignore, owner) {
    const src = join(context, rel);
    const st = lstatSync(src);
    if (st.isDirectory()) {
        mkdirSync(destAbs, { recursive: true });
        for (const f of walkSource(context, rel, ignore).slice(1)) {
            const sub = rel === '.' ? f : relative(rel, f);
            placeOne(join(context, f), join(destAbs, sub), owner);
        }
        applyAttrs(destAbs, st, owner);
        return;
    }
    placeOne(src, destAbs, owner);
}
function placeOne(src, dst, owner) {
    const st = lstatSync(src);
    mkdirSync(dirname(dst), { recursive: true });
    if (st.isDirectory()) {
        mkdirSync(dst, { recursive: true });
        applyAttrs(dst, st, owner);
        return;
    }
    if (st.isSymbolicLink()) {
        symlinkSync(readlinkSync(src), dst);
        lchownSync(dst, owner.uid, owner.gid);
        lutimesSync(dst, st.atime, st.mtime);
        return;
    }
    if (!st.isFile())
        return;
    copyFileSync(src, dst);
    applyAttrs(dst, st, owner);
}
function applyAttrs(p, st, owner) {
    chownSync(p, owner.uid, owner.gid);
    chmodSync(p, st.mode & 0o7777);
    utimesSync(p, st.atime, st.mtime);
}
//# sourceMappingURL=build-context.js.map