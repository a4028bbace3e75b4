import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, UserError } from '../sys/errors.js';
const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'proud', 'quiet', 'sharp', 'tidy', 'witty'];
const NOUNS = ['curie', 'dijkstra', 'hopper', 'knuth', 'lamport', 'liskov', 'lovelace', 'mccarthy', 'ritchie', 'thompson', 'torvalds', 'turing', 'wirth', 'shannon', 'hamilton', 'perlman'];
/** Writes a file so a crash leaves either the old or the new content, never half of one. */
export function writeFileAtomic(path, data) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
}
/** Container records on disk: `<root>/containers/<id>/config.json`, kept in memory by id. */
export class ContainerStore {
    dir;
    byId = new Map();
    constructor(root) {
        this.dir = join(root, 'containers');
        mkdirSync(this.dir, { recursive: true });
        for (const id of readdirSync(this.dir)) {
            const file = join(this.dir, id, 'config.json');
            if (!existsSync(file))
                continue;
            try {
                this.byId.set(id, JSON.parse(readFileSync(file, 'utf8')));
            }
            catch {
                // a record torn by a crash before the atomic write existed; ignore it
            }
        }
    }
    containerDir(id) {
        return join(this.dir, id);
    }
    newId() {
        let id;
        do
            id = randomBytes(32).toString('hex');
        while (this.byId.has(id));
        return id;
    }
    /** Validates a requested name (or makes one up) and makes sure nobody holds it. */
    claimName(requested) {
        if (requested !== undefined && requested !== '') {
            if (!NAME_RE.test(requested)) {
                throw new UserError(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
            }
            const name = requested.startsWith('/') ? requested : `/${requested}`;
            const holder = [...this.byId.values()].find((c) => c.Name === name);
            if (holder) {
                throw new ConflictError(`Conflict. The container name "${name}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
            }
            return name;
        }
        for (;;) {
            const pick = (xs) => xs[randomBytes(1)[0] % xs.length];
            const name = `/${pick(ADJECTIVES)}_${pick(NOUNS)}${randomBytes(1)[0] % 10}`;
            if (![...this.byId.values()].some((c) => c.Name === name))
                return name;
        }
    }
    save(record) {
        const dir = this.containerDir(record.Id);
        mkdirSync(dir, { recursive: true });
        writeFileAtomic(join(dir, 'config.json'), JSON.stringify(record, null, 2));
        this.byId.set(record.Id, record);
    }
    delete(id) {
        this.byId.delete(id);
        rmSync(this.containerDir(id), { recursive: true, force: true });
    }
    all() {
        return [...this.byId.values()];
    }
    /** Finds by full id, unique id prefix, or name (with or without the leading slash), as docker does. */
    find(ref) {
        const exact = this.byId.get(ref);
        if (exact)
            return exact;
        const name = ref.startsWith('/') ? ref : `/${ref}`;
        const byName = [...this.byId.values()].find((c) => c.Name === name);
        if (byName)
            return byName;
        if (/^[0-9a-f]+$/.test(ref)) {
            const matches = [...this.byId.values()].filter((c) => c.Id.startsWith(ref));
            if (matches.length > 1)
                throw new UserError(`multiple containers found with provided prefix: ${ref}`);
            return matches[0];
        }
        return undefined;
    }
    get(ref) {
        const found = this.find(ref);
        if (!found)
            throw new NotFoundError(`No such container: ${ref}`);
        return found;
    }
}
//# sourceMappingURL=store.js.map