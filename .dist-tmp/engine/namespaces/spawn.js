import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Socket } from 'node:net';
import * as sys from '../sys/calls.js';
import { CLONE, NAMESPACES } from '../sys/flags.js';
import { emitTrace } from '../sys/trace.js';
export const INIT_PATH = fileURLToPath(new URL('./init.js', import.meta.url));
let originals;
/**
 * Keeps fds of the daemon's own namespaces so the main thread can come back after spawning an init.
 * setns(mnt) refuses a thread that shares its fs_struct with others (EINVAL); unsharing CLONE_FS once,
 * up front, is the Node answer to what Go runtimes solve with a cgo constructor (DESIGN §4).
 */
function originalNamespaces() {
    if (originals)
        return originals;
    sys.unshare(CLONE.FS);
    originals = new Map();
    for (const kind of ['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup']) {
        originals.set(kind, sys.openPath(`/proc/self/ns/${kind}`));
    }
    return originals;
}
/**
 * Spawns the init stage inside the planned namespaces. Node's main thread enters them (setns/unshare), spawns
 * (a spawned child inherits the calling thread's namespaces), then returns to its own — all synchronously, so
 * nothing else runs on the main thread in between. CLONE_NEWCGROUP is left to the init itself: it must be
 * unshared after the parent has moved it into its cgroup, or the namespace root would be the daemon's cgroup.
 */
export function spawnInit(opts) {
    const own = originalNamespaces();
    const [parentEnd, childEnd] = sys.socketpair();
    const changed = [];
    let child;
    const joinFds = [];
    try {
        let createFlags = 0;
        // Open every namespace to join before entering any: once inside the target's mount namespace, its
        // /proc shows a different pid namespace and /proc/<pid>/ns/... of the target no longer resolves.
        for (const [kind, how] of Object.entries(opts.plan)) {
            if (how === undefined || how === 'host')
                continue;
            if (how === 'new') {
                if (kind !== 'cgroup')
                    createFlags |= NAMESPACES[kind];
                continue;
            }
            joinFds.push([kind, sys.openPath(how.join), how.join]);
        }
        // The mount namespace last: setns(mnt) also moves the thread's root and cwd.
        joinFds.sort((a, b) => Number(a[0] === 'mnt') - Number(b[0] === 'mnt'));
        for (const [kind, fd, label] of joinFds) {
            sys.setns(fd, NAMESPACES[kind], label);
            changed.push(kind);
        }
        for (const kind of Object.keys(NAMESPACES)) {
            if (kind !== 'user' && kind !== 'cgroup' && (createFlags & NAMESPACES[kind]) !== 0)
                changed.push(kind);
        }
        if (createFlags !== 0)
            sys.unshare(createFlags);
        const stdio = [...opts.stdio, childEnd, ...(opts.extraFds ?? [])];
        const start = Date.now();
        const argv = [...(opts.launcher ?? []), process.execPath, INIT_PATH];
        child = spawn(argv[0], argv.slice(1), { stdio, detached: opts.newSession, env: {} });
        // A failed spawn is reported as an 'error' event; unhandled, it would take the daemon down.
        child.on('error', () => undefined);
        emitTrace({ time: start, kind: 'syscall', name: 'clone', args: `${opts.launcher ? `${opts.launcher.join(' ')} ` : ''}node init.js (inherits ${changed.join(', ') || 'no'} namespaces)`, result: String(child.pid ?? -1), durationMs: Date.now() - start });
    }
    finally {
        for (const kind of changed)
            sys.setns(own.get(kind), NAMESPACES[kind], `/proc/${process.pid}/ns/${kind}`);
        for (const [, fd] of joinFds)
            sys.closeFd(fd);
        sys.closeFd(childEnd);
    }
    const sync = new Socket({ fd: parentEnd, readable: true, writable: true });
    return { child, sync };
}
/** Sends the config and collects the init's answers until it execs (the socket closes) or fails. */
export function releaseInit(init, config, onTrace) {
    return new Promise((resolve, reject) => {
        let buffered = '';
        let outcome;
        init.sync.setEncoding('utf8');
        init.sync.on('data', (chunk) => {
            buffered += chunk;
            let nl;
            while ((nl = buffered.indexOf('\n')) >= 0) {
                const line = buffered.slice(0, nl);
                buffered = buffered.slice(nl + 1);
                if (!line)
                    continue;
                const msg = JSON.parse(line);
                if (msg.type === 'trace')
                    onTrace(msg);
                else
                    outcome = msg;
            }
        });
        init.sync.on('error', () => undefined);
        init.sync.on('close', () => {
            if (outcome?.type === 'exec')
                resolve();
            else if (outcome?.type === 'error')
                reject(new InitFailure(outcome.message, outcome.exitCode));
            else
                reject(new InitFailure('container init exited before it could start the command', 125));
        });
        init.sync.write(`${JSON.stringify(config)}\n`);
    });
}
export class InitFailure extends Error {
    exitCode;
    constructor(message, exitCode) {
        super(message);
        this.exitCode = exitCode;
        this.name = 'InitFailure';
    }
}
//# sourceMappingURL=spawn.js.map