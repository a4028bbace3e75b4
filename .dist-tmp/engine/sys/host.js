import { execa, execaSync } from 'execa';
import { emitTrace } from './trace.js';
function quote(arg) {
    return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
/** The command line as a learner would type it. */
export function commandLine(file, args) {
    return [file, ...args].map(quote).join(' ');
}
/** Error from a host command: names the command line and what it said on stderr. */
export class HostCommandError extends Error {
    exitCode;
    stderr;
    constructor(line, exitCode, stderr) {
        const said = stderr.trim().split('\n').pop() ?? '';
        super(`${line}: exit ${exitCode}${said ? `: ${said}` : ''}`);
        this.name = 'HostCommandError';
        this.exitCode = exitCode;
        this.stderr = stderr;
    }
}
function execaOptions(opts) {
    return {
        reject: false,
        stripFinalNewline: true,
        ...(opts.input !== undefined && { input: opts.input }),
        ...(opts.env !== undefined && { env: opts.env }),
        ...(opts.cwd !== undefined && { cwd: opts.cwd }),
        ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs }),
    };
}
function finish(file, args, start, startHr, r, opts) {
    const durationMs = Number(process.hrtime.bigint() - startHr) / 1e6;
    const exitCode = r.exitCode ?? -1;
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    const stderr = typeof r.stderr === 'string' ? r.stderr : (r.exitCode === undefined ? (r.message ?? '') : '');
    const line = commandLine(file, args);
    const args0 = line.slice(quote(file).length + 1);
    if (exitCode === 0)
        emitTrace({ time: start, kind: 'command', name: file, args: args0, result: 'exit 0', durationMs });
    else
        emitTrace({ time: start, kind: 'command', name: file, args: args0, error: `exit ${exitCode}`, durationMs });
    if (exitCode !== 0 && !opts.allowFailure)
        throw new HostCommandError(line, exitCode, stderr);
    return { stdout, stderr, exitCode };
}
/** Runs a host tool (`ip`, `iptables`, `lsns` ...) and records it in the trace. Throws on failure. */
export async function host(file, args, opts = {}) {
    const start = Date.now();
    const startHr = process.hrtime.bigint();
    const r = await execa(file, args, execaOptions(opts));
    return finish(file, args, start, startHr, r, opts);
}
/** Synchronous twin of {@link host}, for the few places that must not yield (namespace switching). */
export function hostSync(file, args, opts = {}) {
    const start = Date.now();
    const startHr = process.hrtime.bigint();
    const r = execaSync(file, args, execaOptions(opts));
    return finish(file, args, start, startHr, r, opts);
}
//# sourceMappingURL=host.js.map