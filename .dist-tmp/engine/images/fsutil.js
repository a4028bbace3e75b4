import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
/** Writes `data` to a temp file beside `path` and renames it into place, so a crash never leaves half a file. */
export function writeFileAtomic(path, data) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try {
        fsyncSync(fd);
    }
    finally {
        closeSync(fd);
    }
    renameSync(tmp, path);
}
export function sha256(data) {
    return createHash('sha256').update(data).digest('hex');
}
export async function sha256File(path) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path))
        hash.update(chunk);
    return hash.digest('hex');
}
/** A fresh temp dir under `parent` (the store's own tmp dir, so the final rename stays on one filesystem). */
export function tempDir(parent, prefix) {
    mkdirSync(parent, { recursive: true });
    return mkdtempSync(join(parent, `${prefix}-`));
}
export function removeTree(path) {
    rmSync(path, { recursive: true, force: true });
}
export const HEX64 = /^[0-9a-f]{64}$/;
/** "sha256:abc…" or "abc…" → the 64-hex part, or undefined when it is not a full digest. */
export function digestHex(d) {
    const hex = d.startsWith('sha256:') ? d.slice(7) : d;
    return HEX64.test(hex) ? hex : undefined;
}
//# sourceMappingURL=fsutil.js.map