import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IpamStore } from './ipam.js';
import { withFileLock } from './lock.js';
/**
 * Network records under `<stateDir>/networks/<id>.json` and the IPAM bitmaps under `<stateDir>/ipam/`.
 * Reads outside the lock are safe (files are replaced by rename); every change goes through {@link tx},
 * which takes the cross-process lock and re-reads from disk, so two boxlab processes cannot interleave.
 */
export class NetworkStore {
    stateDir;
    ipam;
    netDir;
    lockPath;
    constructor(stateDir) {
        this.stateDir = stateDir;
        this.netDir = join(stateDir, 'networks');
        this.lockPath = join(stateDir, 'lock');
        this.ipam = new IpamStore(join(stateDir, 'ipam'));
    }
    load() {
        if (!existsSync(this.netDir))
            return [];
        const out = [];
        for (const f of readdirSync(this.netDir)) {
            if (!f.endsWith('.json'))
                continue;
            try {
                out.push(JSON.parse(readFileSync(join(this.netDir, f), 'utf8')));
            }
            catch {
                // removed between readdir and read
            }
        }
        return out.sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name));
    }
    save(n) {
        mkdirSync(this.netDir, { recursive: true });
        const file = join(this.netDir, `${n.id}.json`);
        const tmp = `${file}.tmp-${process.pid}`;
        writeFileSync(tmp, `${JSON.stringify(n, null, 2)}\n`);
        renameSync(tmp, file);
    }
    delete(n) {
        rmSync(join(this.netDir, `${n.id}.json`), { force: true });
    }
    tx(fn) {
        return withFileLock(this.lockPath, () => fn(this.load()));
    }
    /** Everything this store ever wrote (for `boxlab reset`). */
    wipe() {
        for (const p of [this.netDir, join(this.stateDir, 'ipam'), this.lockPath, join(this.stateDir, 'ip_forward.orig')]) {
            rmSync(p, { recursive: true, force: true });
        }
    }
}
//# sourceMappingURL=store.js.map