import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from './client.js';
const CLI_MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
function lastLines(path, n) {
    if (!existsSync(path))
        return '';
    return readFileSync(path, 'utf8').trim().split('\n').slice(-n).join(' | ');
}
/**
 * Returns a client for a running daemon, starting one in the background when the socket does not answer
 * (docker needs the daemon started by hand; boxlab does it for the learner).
 */
export async function connect(loc, opts = {}) {
    const client = new Client(loc.socket);
    if (await client.ping())
        return client;
    if (opts.autostart === false)
        throw new Error(`boxlabd is not running on ${loc.socket}: start it with \`boxlab daemon\``);
    if (process.getuid?.() !== 0) {
        throw new Error(`boxlabd is not running on ${loc.socket} and only root can start it: run boxlab with sudo`);
    }
    try {
        mkdirSync(loc.root, { recursive: true });
    }
    catch (e) {
        throw new Error(`boxlabd is not running on ${loc.socket} and cannot start: its state root ${loc.root} cannot be created (${e.code ?? e.message}); pick another with --root`);
    }
    const logPath = join(loc.root, 'boxlabd.log');
    const out = openSync(logPath, 'a');
    const args = [CLI_MAIN, '--root', loc.root, '--socket', loc.socket, 'daemon'];
    if (loc.cgroupParent)
        args.push('--cgroup-parent', loc.cgroupParent);
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    let exited = null;
    child.on('exit', (code) => (exited = code ?? 1));
    child.unref();
    for (let i = 0; i < 100; i++) {
        if (await client.ping())
            return client;
        if (exited !== null)
            break;
        await new Promise((r) => setTimeout(r, 50));
    }
    const why = lastLines(logPath, 2) || 'no output';
    throw new Error(`boxlabd did not start (${why}); its log is ${logPath}`);
}
//# sourceMappingURL=daemon-start.js.map