import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SysError, emitTrace, kill } from '../sys/index.js';
/**
 * Cgroup file I/O. Every write, mkdir and rmdir shows up in the trace as the syscall a learner would see in
 * strace (`write(/sys/fs/cgroup/memory/boxlab/x/memory.limit_in_bytes, "33554432") = 0`), because the
 * cgroup filesystem *is* the kernel's API here. Reads are not traced: stats polling would drown the trace.
 */
function fail(call, args, err, time, startHr, quiet) {
    const e = err;
    const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : 0;
    const sysErr = new SysError(call, args, errno);
    if (!quiet)
        emitTrace({ time, kind: 'syscall', name: call, args, error: sysErr.code, durationMs: elapsed(startHr) });
    throw sysErr;
}
function elapsed(startHr) {
    return Number(process.hrtime.bigint() - startHr) / 1e6;
}
function traced(call, args, fn, quietCodes = []) {
    const time = Date.now();
    const startHr = process.hrtime.bigint();
    try {
        fn();
    }
    catch (err) {
        const code = err.code ?? '';
        fail(call, args, err, time, startHr, quietCodes.includes(code));
    }
    emitTrace({ time, kind: 'syscall', name: call, args, result: '0', durationMs: elapsed(startHr) });
}
/** Writes one value into a cgroup control file; the kernel's refusal (EINVAL, EBUSY, ENOSPC) is a SysError. */
export function writeCg(path, value) {
    // One write(2) per value: cgroup files act on each write, and a partial or merged write means something else.
    traced('write', `${path}, "${value}"`, () => writeFileSync(path, value));
}
export function readCg(path) {
    return readFileSync(path, 'utf8').trim();
}
/** Like {@link readCg} but undefined when the file does not exist (a controller or feature absent here). */
export function tryReadCg(path) {
    try {
        return readCg(path);
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return undefined;
        throw err;
    }
}
/** mkdir that tolerates an existing directory (create is idempotent). Returns true when it made the dir. */
export function mkdirCg(path) {
    try {
        traced('mkdir', path, () => mkdirSync(path, { mode: 0o755 }), ['EEXIST']);
        return true;
    }
    catch (err) {
        if (err instanceof SysError && err.code === 'EEXIST')
            return false;
        throw err;
    }
}
/**
 * rmdir of a cgroup directory. The control files inside are not real files: rmdir of the directory removes
 * them all. ENOENT counts as success (destroy is idempotent). EBUSY right after the last task died is a
 * known race (the kernel releases the css asynchronously), so retry briefly before giving up.
 */
export function rmdirCg(path, timeoutMs = 2000) {
    const deadline = Date.now() + timeoutMs;
    let pause = 1;
    for (;;) {
        try {
            traced('rmdir', path, () => rmdirSync(path), ['ENOENT', 'EBUSY']);
            return;
        }
        catch (err) {
            if (err instanceof SysError && err.code === 'ENOENT')
                return;
            if (err instanceof SysError && err.code === 'EBUSY' && Date.now() < deadline) {
                sleepMs(pause);
                pause = Math.min(pause * 2, 20);
                continue;
            }
            throw err;
        }
    }
}
/** Names of the child cgroups (subdirectories) of `path`; empty when it does not exist. */
export function subdirs(path) {
    try {
        return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return [];
        throw err;
    }
}
/** The pids listed in a cgroup.procs file (empty if the cgroup is gone). */
export function readPids(path) {
    const text = tryReadCg(path);
    if (!text)
        return [];
    return text.split('\n').filter(Boolean).map(Number);
}
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocking sleep for the short polls the kernel makes necessary (freezing, emptying a cgroup). */
export function sleepMs(ms) {
    Atomics.wait(sleeper, 0, 0, ms);
}
/** Polls `done` every few ms until it holds or `timeoutMs` passes; returns whether it held. */
export function waitUntil(done, timeoutMs, stepMs = 10) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (done())
            return true;
        if (Date.now() >= deadline)
            return false;
        sleepMs(stepMs);
    }
}
/** Every directory of a cgroup subtree, deepest first (a cgroup can only be removed after its children). */
export function subtreeBottomUp(dir) {
    return [...subdirs(dir).flatMap((d) => subtreeBottomUp(join(dir, d))), dir];
}
/**
 * Kills what is inside a cgroup and waits until it is empty. `killAll` runs at once and then every 500 ms
 * while processes remain (a process may fork between our read of cgroup.procs and the kill).
 */
export function killUntilEmpty(name, procs, killAll) {
    let lastKill = 0;
    const empty = waitUntil(() => {
        const pids = procs();
        if (pids.length === 0)
            return true;
        if (Date.now() - lastKill >= 500) {
            killAll(pids);
            lastKill = Date.now();
        }
        return false;
    }, 10000, 10);
    if (!empty)
        throw new Error(`could not empty cgroup ${name}: processes ${procs().join(' ')} survive SIGKILL`);
}
/** SIGKILL each pid; one that already exited is fine. */
export function sigkillEach(pids) {
    for (const pid of pids) {
        try {
            kill(pid, 9);
        }
        catch (err) {
            if (!(err instanceof SysError && err.code === 'ESRCH'))
                throw err;
        }
    }
}
//# sourceMappingURL=fsio.js.map