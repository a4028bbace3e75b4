import { readdirSync, readFileSync } from 'node:fs';
import { emitTrace } from '../sys/trace.js';
import { waitpidNoHang } from '../sys/calls.js';
function zombieChildren(parent) {
    const out = [];
    for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name))
            continue;
        try {
            const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            if (fields[0] === 'Z' && Number(fields[1]) === parent)
                out.push(Number(name));
        }
        catch {
            // gone meanwhile
        }
    }
    return out;
}
/**
 * As a child subreaper the daemon inherits orphans — e.g. a process left behind by a container that shares
 * the host's pid namespace — and must reap them, or they stay zombies. libuv reaps only the children it
 * spawned, and waitpid(-1) would steal those (their exit events would never fire), so this reaps by pid, and
 * only zombies seen on two scans in a row: libuv collects its own within milliseconds of SIGCHLD.
 */
export function startReaper(intervalMs = 5000) {
    let seen = new Set();
    const timer = setInterval(() => {
        const now = new Set(zombieChildren(process.pid));
        for (const pid of now) {
            if (!seen.has(pid))
                continue;
            if (waitpidNoHang(pid) !== undefined) {
                emitTrace({ time: Date.now(), kind: 'syscall', name: 'waitpid', args: `${pid}, WNOHANG (orphan re-parented to boxlabd)`, result: String(pid), durationMs: 0 });
                now.delete(pid);
            }
        }
        seen = now;
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
}
//# sourceMappingURL=reaper.js.map