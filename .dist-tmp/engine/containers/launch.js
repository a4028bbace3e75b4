import { ReadStream } from 'node:tty';
import { write } from 'node:fs';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import * as sys from '../sys/calls.js';
import { emitTrace } from '../sys/trace.js';
import { spawnInit, releaseInit } from '../namespaces/spawn.js';
import { isFreshPlan } from '../namespaces/pool.js';
import { constants } from 'node:os';
const sysSignals = constants.signals;
/** Writes keystrokes to a non-blocking pty master, retrying when the kernel's buffer is full. */
function ptyWriter(fd) {
    return new Writable({
        write(chunk, _enc, done) {
            const attempt = (offset) => {
                write(fd, chunk, offset, chunk.length - offset, null, (err, n) => {
                    if (err && err.code === 'EAGAIN')
                        setTimeout(() => attempt(offset), 5);
                    else if (err)
                        done(err);
                    else if (offset + n < chunk.length)
                        attempt(offset + n);
                    else
                        done();
                });
            };
            attempt(0);
        },
    });
}
/**
 * Starts one process through the init stage: spawn into the namespaces, let `prepare` place it, release it
 * with its config and wait for the execve. On failure the half-started process is killed and reaped before
 * the error propagates, so the caller only has to undo what `prepare` did.
 */
/**
 * The exit of an init the daemon adopted (re-parented to it as subreaper, so not libuv's child): polled with
 * waitpid(pid, WNOHANG), never waitpid(-1), which would steal libuv's own children.
 */
function adoptedExit(pid) {
    return new Promise((resolve) => {
        const timer = setInterval(() => {
            let code;
            try {
                code = sys.waitpidNoHang(pid);
            }
            catch {
                code = 255;
            }
            if (code === undefined)
                return;
            clearInterval(timer);
            resolve(code);
        }, 20);
    });
}
export async function launch(opts) {
    const { io } = opts;
    let pty;
    let stdio;
    if (opts.tty) {
        pty = sys.openPty();
        if (opts.consoleSize)
            sys.setWindowSize(pty.master, opts.consoleSize[0], opts.consoleSize[1]);
        stdio = [pty.slave, pty.slave, pty.slave];
    }
    else {
        stdio = [opts.stdinFd?.read ?? (opts.openStdin ? 'pipe' : 'ignore'), 'pipe', 'pipe'];
    }
    let init = !opts.tty && !opts.launcher && opts.pool && isFreshPlan(opts.plan) ? opts.pool.take() : undefined;
    if (init && !opts.openStdin)
        init.child.stdin?.end(); // like docker's /dev/null: reads see end of file
    try {
        init ??= spawnInit({ plan: opts.plan, stdio, newSession: opts.tty, ...(opts.launcher && { launcher: opts.launcher }),
            ...(opts.extraFds && { extraFds: opts.extraFds }) });
    }
    finally {
        for (const fd of opts.extraFds ?? [])
            sys.closeFd(fd);
        // The child holds its own copy of the slave; ours would keep the terminal open after it exits.
        if (pty)
            sys.closeFd(pty.slave);
        if (opts.stdinFd)
            sys.closeFd(opts.stdinFd.read);
    }
    const { child } = init;
    const pid = child.pid;
    if (pid === undefined) {
        if (pty)
            sys.closeFd(pty.master);
        throw new Error('could not start the container init process');
    }
    let outputDone;
    if (pty) {
        io.ptyMaster = pty.master;
        const master = new ReadStream(pty.master);
        io.stdin = ptyWriter(pty.master);
        outputDone = new Promise((resolve) => {
            master.on('data', (chunk) => io.push('stdout', chunk));
            // EIO on the master means the last slave fd closed: the terminal's end of file.
            master.on('error', () => resolve());
            master.on('end', () => resolve());
            master.on('close', () => resolve());
        }).then(() => {
            master.destroy();
        });
    }
    else {
        if (opts.stdinFd) {
            const sock = new Socket({ fd: opts.stdinFd.write, readable: false, writable: true });
            sock.on('error', () => undefined);
            io.stdin = sock;
        }
        else if (child.stdin)
            io.stdin = child.stdin;
        child.stdin?.on('error', () => undefined);
        const drain = (stream, name) => new Promise((resolve) => {
            if (!stream)
                return resolve();
            stream.on('data', (chunk) => io.push(name, chunk));
            stream.on('end', resolve);
            stream.on('error', () => resolve());
        });
        outputDone = Promise.all([drain(child.stdout, 'stdout'), drain(child.stderr, 'stderr')]).then(() => undefined);
    }
    const childExit = new Promise((resolve) => {
        child.on('exit', (code, signal) => {
            const signo = signal ? (sysSignals[signal] ?? 0) : 0;
            resolve({ exitCode: code ?? 128 + signo, signal });
        });
    });
    let initPid = pid;
    const drained = async (status) => {
        // Output still buffered in the pipe/pty is drained before the exit is reported; a stray process holding
        // the terminal open must not hold the exit back forever.
        await Promise.race([outputDone, new Promise((r) => setTimeout(r, 2000))]);
        io.finish();
        return status;
    };
    let exited;
    try {
        const prepared = (await opts.prepare(pid)) ?? {};
        if (prepared.pid !== undefined && prepared.pid !== pid)
            initPid = prepared.pid;
        await releaseInit(init, { ...opts.config, ...prepared.config }, (m) => emitTrace(m.event));
    }
    catch (e) {
        for (const p of new Set([pid, initPid])) {
            try {
                process.kill(p, 'SIGKILL');
            }
            catch {
                // already gone
            }
        }
        await childExit;
        if (initPid !== pid)
            await adoptedExit(initPid);
        await drained(undefined);
        throw e;
    }
    exited = initPid === pid ? childExit.then(drained) : adoptedExit(initPid).then((exitCode) => drained({ exitCode, signal: null }));
    return { child, pid: initPid, io, exited };
}
//# sourceMappingURL=launch.js.map