import { connect } from '../engine/client/daemon-start.js';
import { ApiError, DaemonUnreachable } from '../engine/client/client.js';
import { UserError } from '../engine/sys/errors.js';
import { formatTrace } from '../engine/sys/trace.js';
export const DEFAULT_SOCKET = '/run/boxlab/boxlab.sock';
export const DEFAULT_ROOT = '/var/lib/boxlab';
/** Where the daemon is: flags first, then BOXLAB_SOCKET / BOXLAB_ROOT / BOXLAB_CGROUP_PARENT, then defaults. */
export function location(program) {
    const o = program.opts();
    const loc = {
        socket: o.socket ?? process.env.BOXLAB_SOCKET ?? DEFAULT_SOCKET,
        root: o.root ?? process.env.BOXLAB_ROOT ?? DEFAULT_ROOT,
    };
    if (process.env.BOXLAB_CGROUP_PARENT)
        loc.cgroupParent = process.env.BOXLAB_CGROUP_PARENT;
    return loc;
}
let traceStop;
/**
 * A client for the daemon (started on demand). With `--trace`, subscribes to the daemon's trace stream
 * first, so every syscall and host command of the command that follows is printed to stderr.
 */
export async function client(program) {
    const c = await connect(location(program));
    if (program.opts().trace && !traceStop)
        traceStop = await printTrace(c);
    return c;
}
async function printTrace(c) {
    const res = await c.stream('GET', '/events', { query: { type: 'trace' } });
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line)
                process.stderr.write(`\x1b[2m${formatTrace(JSON.parse(line))}\x1b[0m\n`);
        }
    });
    return async () => {
        // Events of the last request may still be in flight on the other connection.
        await new Promise((r) => setTimeout(r, 50));
        res.destroy();
    };
}
export async function finishTrace() {
    if (traceStop)
        await traceStop();
    traceStop = undefined;
}
/** docker's exit codes for a failed start: 127 not found, 126 not executable, 125 anything else. */
export function startExitCode(message) {
    if (/executable file not found|no such file or directory/.test(message))
        return 127;
    if (/permission denied|not a directory|exec format error/i.test(message))
        return 126;
    return 125;
}
/** Prints one line for an error and returns the exit code to use. */
export function reportError(e) {
    if (e instanceof ApiError) {
        process.stderr.write(`Error response from daemon: ${e.message}\n`);
        return e.status === 404 ? 1 : 125;
    }
    if (e instanceof UserError) {
        process.stderr.write(`boxlab: ${e.message}\n`);
        return e.exitCode;
    }
    if (e instanceof DaemonUnreachable) {
        process.stderr.write(`boxlab: ${e.message}\n`);
        return 1;
    }
    process.stderr.write(`boxlab: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
}
export class ExitCode extends Error {
    code;
    constructor(code) {
        super(`exit ${code}`);
        this.code = code;
    }
}
/** Runs `action` for every name, printing the name on success like docker; exit 1 if any failed. */
export async function eachName(names, action) {
    let failed = false;
    for (const name of names) {
        try {
            await action(name);
            process.stdout.write(`${name}\n`);
        }
        catch (e) {
            failed = true;
            process.stderr.write(`Error response from daemon: ${e.message}\n`);
        }
    }
    if (failed)
        throw new ExitCode(1);
}
//# sourceMappingURL=context.js.map