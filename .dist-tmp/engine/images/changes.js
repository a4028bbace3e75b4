import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isOpaqueDir } from './xattr.js';
export const KIND_LETTER = { 0: 'C', 1: 'A', 2: 'D' };
const lstatOrNull = (p) => { try {
    return lstatSync(p);
}
catch {
    return null;
} };
export function isWhiteout(st) {
    return st.isCharacterDevice() && st.rdev === 0;
}
/**
 * Does `rel` exist in the stack of lower dirs (top first), honouring whiteouts and opaque dirs on the way
 * down — i.e. would the container have seen it before it started writing?
 */
export function existsInLowers(rel, lowerdirs) {
    const parts = rel.split('/');
    for (const lower of lowerdirs) {
        // a whiteout or an opaque dir at any ancestor level hides everything below this layer
        let hidden = false;
        for (let i = 1; i <= parts.length; i++) {
            const p = join(lower, ...parts.slice(0, i));
            const st = lstatOrNull(p);
            if (st === null)
                break;
            if (isWhiteout(st))
                return false;
            if (i === parts.length)
                return true;
            if (!st.isDirectory())
                return false; // a file here hides whatever lower layers have below it
            if (isOpaqueDir(p)) {
                hidden = true;
                break;
            }
        }
        if (hidden) {
            // the ancestor is opaque in this layer: only this layer counts from here on
            const st = lstatOrNull(join(lower, ...parts));
            return st !== null && !isWhiteout(st);
        }
    }
    return false;
}
/**
 * `docker diff`: what a container changed, read from its upper dir. A whiteout is a deletion (D), a path the
 * lower layers had is a change (C, parents of a change included, as docker shows them), anything else was
 * added (A). Sorted by path; paths absolute as the container sees them.
 */
export function diffUpper(upper, lowerdirs) {
    const out = [];
    const visit = (rel) => {
        for (const name of readdirSync(rel ? join(upper, rel) : upper).sort()) {
            const child = rel ? `${rel}/${name}` : name;
            const st = lstatSync(join(upper, child));
            if (isWhiteout(st)) {
                out.push({ Path: `/${child}`, Kind: 2 });
                continue;
            }
            const existed = existsInLowers(child, lowerdirs);
            out.push({ Path: `/${child}`, Kind: existed ? 0 : 1 });
            if (st.isDirectory()) {
                if (existed && isOpaqueDir(join(upper, child))) {
                    // rm -rf dir && mkdir dir: everything the lower dirs had in it is gone
                    for (const gone of listLower(child, lowerdirs)) {
                        if (lstatOrNull(join(upper, gone)) === null)
                            out.push({ Path: `/${gone}`, Kind: 2 });
                    }
                }
                visit(child);
            }
        }
    };
    visit('');
    return out.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
/** Direct children of `rel` visible in the lower stack. */
function listLower(rel, lowerdirs) {
    const names = new Set();
    for (const lower of lowerdirs) {
        try {
            for (const n of readdirSync(join(lower, rel)))
                names.add(n);
        }
        catch { /* not in this layer */ }
    }
    return [...names].map((n) => `${rel}/${n}`).filter((p) => existsInLowers(p, lowerdirs));
}
//# sourceMappingURL=changes.js.map