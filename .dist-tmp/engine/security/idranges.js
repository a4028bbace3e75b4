import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceNote, UserError } from '../sys/index.js';
/**
 * Host uid/gid ranges for `--userns remap`, one per container, like /etc/subuid gives one per user.
 *
 * Where ranges come from (the pool):
 *  - /etc/subuid and /etc/subgid lines for the user "boxlab" (like docker's "dockremap"), if there are any;
 *  - else the default pool: blocks of 65536 starting at 100000 (100000, 165536, …, 1024 blocks), skipping every
 *    block that overlaps another user's /etc/subuid|subgid entry, so we never share ids with rootless podman.
 * Container root = the first id of its block, so "uid 100000 on the host = root in container #1" reads well.
 *
 * Recorded in <stateRoot>/userns/ranges.json (temp file + rename), changed only under <stateRoot>/userns/lock
 * (O_EXCL lock file holding the pid; a dead holder's lock is taken over). Released when the container is removed
 * ({@link releaseRange}) or by {@link reconcileRanges} after a crash. The uid block and the gid block of one
 * container have the same start.
 */
export const RANGE_SIZE = 65536;
const DEFAULT_BASE = 100000;
const DEFAULT_BLOCKS = 1024;
const MAX_ID = 4294967294; // (uid_t)-1 is "no id"
/** "start:count" or "start-end" (inclusive) → a range; malformed → UserError. */
export function parseRange(text, what = 'id range') {
    const m = /^\s*(\d+)\s*([:-])\s*(\d+)\s*$/.exec(text);
    if (!m)
        throw new UserError(`${what} "${text}" is malformed: write START:COUNT, e.g. 100000:65536`);
    const start = Number(m[1]);
    const count = m[2] === ':' ? Number(m[3]) : Number(m[3]) - start + 1;
    if (count < 1)
        throw new UserError(`${what} "${text}" is empty: COUNT must be at least 1`);
    if (start + count - 1 > MAX_ID)
        throw new UserError(`${what} "${text}" goes past the largest id ${MAX_ID}`);
    return { start, count };
}
export const overlaps = (a, b) => a.start < b.start + b.count && b.start < a.start + a.count;
export function assertNoOverlap(ranges, what) {
    for (let i = 0; i < ranges.length; i++) {
        for (let j = i + 1; j < ranges.length; j++) {
            const a = ranges[i];
            const b = ranges[j];
            if (overlaps(a, b)) {
                throw new UserError(`${what}: ranges ${a.start}:${a.count} and ${b.start}:${b.count} overlap: give each range its own ids`);
            }
        }
    }
}
/** Parses /etc/subuid-style text: `user:start:count` per line. Malformed lines of `user` → UserError. */
export function parseSubidFile(text, file, user) {
    const entries = [];
    text.split('\n').forEach((raw, i) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            return;
        const parts = line.split(':');
        const name = parts[0] ?? '';
        if (parts.length !== 3 || !/^\d+$/.test(parts[1]) || !/^\d+$/.test(parts[2])) {
            if (name === user)
                throw new UserError(`${file}:${i + 1}: "${line}" is malformed: write ${user}:START:COUNT`);
            return; // other users' lines are theirs to fix
        }
        entries.push({ user: name, range: parseRange(`${parts[1]}:${parts[2]}`, `${file}:${i + 1}`), line: i + 1 });
    });
    const mine = entries.filter((e) => e.user === user).map((e) => e.range);
    assertNoOverlap(mine, `${file} (${user})`);
    return entries;
}
function readSubid(file, user) {
    return existsSync(file) ? parseSubidFile(readFileSync(file, 'utf8'), file, user) : [];
}
/** Candidate blocks of RANGE_SIZE, in order, for uids and gids together (same start). */
export function poolBlocks(opts) {
    const user = opts.user ?? 'boxlab';
    const subuid = readSubid(opts.subuidFile ?? '/etc/subuid', user);
    const subgid = readSubid(opts.subgidFile ?? '/etc/subgid', user);
    const mineU = subuid.filter((e) => e.user === user).map((e) => e.range);
    const mineG = subgid.filter((e) => e.user === user).map((e) => e.range);
    const blocks = [];
    if (mineU.length || mineG.length) {
        // a block must lie inside one of the user's subuid ranges AND one of its subgid ranges
        const inside = (start, rs) => rs.some((r) => start >= r.start && start + RANGE_SIZE <= r.start + r.count);
        for (const r of mineU) {
            for (let s = r.start; s + RANGE_SIZE <= r.start + r.count; s += RANGE_SIZE)
                if (inside(s, mineG))
                    blocks.push(s);
        }
        if (blocks.length === 0) {
            throw new UserError(`/etc/subuid and /etc/subgid give "${user}" no common block of ${RANGE_SIZE} ids: add e.g. "${user}:${DEFAULT_BASE}:${RANGE_SIZE * 64}" to both`);
        }
        return blocks;
    }
    const others = [...subuid, ...subgid].map((e) => e.range);
    for (let k = 0; k < DEFAULT_BLOCKS; k++) {
        const start = DEFAULT_BASE + k * RANGE_SIZE;
        if (!others.some((o) => overlaps(o, { start, count: RANGE_SIZE })))
            blocks.push(start);
    }
    return blocks;
}
// ---- the record and its lock ------------------------------------------------------------------------------
const dirOf = (stateRoot) => join(stateRoot, 'userns');
function sleepMs(ms) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
/** Runs `fn` holding <stateRoot>/userns/lock. Synchronous on purpose: nothing else in this process can interleave. */
export function withRangeLock(stateRoot, fn) {
    const dir = dirOf(stateRoot);
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'lock');
    for (let attempt = 0;; attempt++) {
        try {
            const fd = openSync(lock, 'wx');
            writeFileSync(fd, String(process.pid));
            closeSync(fd);
            break;
        }
        catch (e) {
            if (e.code !== 'EEXIST')
                throw e;
            const holder = Number.parseInt(readFileSync(lock, 'utf8') || '0', 10);
            if (holder && !alive(holder)) {
                rmSync(lock, { force: true });
                continue;
            }
            if (attempt > 500)
                throw new Error(`userns ranges: ${lock} is held by pid ${holder} for over 5 s`);
            sleepMs(10);
        }
    }
    try {
        return fn();
    }
    finally {
        rmSync(lock, { force: true });
    }
}
function readRecord(stateRoot) {
    const file = join(dirOf(stateRoot), 'ranges.json');
    if (!existsSync(file))
        return { version: 1, allocations: [] };
    return JSON.parse(readFileSync(file, 'utf8'));
}
function writeRecord(stateRoot, record) {
    const file = join(dirOf(stateRoot), 'ranges.json');
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 1)}\n`);
    renameSync(`${file}.tmp`, file);
}
export function listRanges(stateRoot) {
    return readRecord(stateRoot).allocations;
}
/** Allocates (or returns the existing) range of `owner` (a container id). */
export function allocateRange(owner, opts) {
    return withRangeLock(opts.stateRoot, () => {
        const record = readRecord(opts.stateRoot);
        const existing = record.allocations.find((a) => a.owner === owner);
        if (existing)
            return existing;
        const used = record.allocations.map((a) => a.uid);
        const start = poolBlocks(opts).find((s) => !used.some((u) => overlaps(u, { start: s, count: RANGE_SIZE })));
        if (start === undefined) {
            throw new UserError(`no free uid range for --userns remap: all ${record.allocations.length} are in use; remove containers or give "boxlab" more ids in /etc/subuid and /etc/subgid`);
        }
        const allocation = { owner, uid: { start, count: RANGE_SIZE }, gid: { start, count: RANGE_SIZE } };
        record.allocations.push(allocation);
        writeRecord(opts.stateRoot, record);
        traceNote('userns', `allocated uids/gids ${start}-${start + RANGE_SIZE - 1} to ${owner}`);
        return allocation;
    });
}
export function releaseRange(owner, stateRoot) {
    return withRangeLock(stateRoot, () => {
        const record = readRecord(stateRoot);
        const kept = record.allocations.filter((a) => a.owner !== owner);
        if (kept.length === record.allocations.length)
            return false;
        writeRecord(stateRoot, { ...record, allocations: kept });
        // the chowned layer copies of this block (engine/security/remap.ts), when idmapped mounts were not available
        for (const a of record.allocations.filter((x) => x.owner === owner)) {
            rmSync(join(dirOf(stateRoot), 'layers', String(a.uid.start)), { recursive: true, force: true });
        }
        traceNote('userns', `released the uid range of ${owner}`);
        return true;
    });
}
/** Frees the ranges of owners that no longer exist (daemon start-up after a crash). Returns the freed owners. */
export function reconcileRanges(stateRoot, liveOwners) {
    return withRangeLock(stateRoot, () => {
        const record = readRecord(stateRoot);
        const gone = record.allocations.filter((a) => !liveOwners.has(a.owner));
        if (gone.length)
            writeRecord(stateRoot, { ...record, allocations: record.allocations.filter((a) => liveOwners.has(a.owner)) });
        for (const a of gone)
            rmSync(join(dirOf(stateRoot), 'layers', String(a.uid.start)), { recursive: true, force: true });
        return gone.map((a) => a.owner);
    });
}
/** The uid_map / gid_map text for an allocation: container 0..count-1 → host start..start+count-1. */
export function mapLine(r) {
    return `0 ${r.start} ${r.count}\n`;
}
//# sourceMappingURL=idranges.js.map