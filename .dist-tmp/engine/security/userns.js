import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { closeFd, emitTrace, openPath, UserError } from '../sys/index.js';
import { mapLine } from './idranges.js';
/**
 * Creating a container's user namespace from a threaded Node daemon.
 *
 * Node cannot unshare(CLONE_NEWUSER) (EINVAL: the process has threads) nor setns() into a user namespace
 * (DESIGN §4). The single-threaded work is done by util-linux's unshare(1)/nsenter(1), on every Debian/Ubuntu.
 *
 * `run` (one spawn, the recommended path):
 *  1. spawn  `unshare --user --keep-caps --uts --ipc --net --cgroup --pid --fork -- node init.js`
 *     ({@link userNamespaceSpawnArgs}). unshare(1) creates the user namespace FIRST and the others in the same
 *     call, so they are owned by it (root inside may then sethostname, mount /proc, configure its own net).
 *     --keep-caps raises the ambient set so node keeps a full capability set in the namespace across exec,
 *     although its uid (host 0) is not mapped yet. No --kill-child: see 3.
 *  2. the daemon waits until the launcher is in its new namespace, writes /proc/PID/uid_map and gid_map
 *     ({@link mapUserNamespace}), opens /proc/PID/ns/user (for idmapped mounts) — while the init blocks on fd 3.
 *  3. {@link adoptInit}: with --pid, unshare(1) forks and waits for the init; it cannot pass on a SIGKILL death
 *     ("sigprocmask unblock failed", exit 1), so the daemon SIGKILLs the launcher once the init exists: the
 *     init is re-parented to the daemon (PR_SET_CHILD_SUBREAPER), which then sees its real exit status.
 *  4. the init, on reading its config: setgroups([]), setgid(0), setuid(0) — now root of the namespace
 *     (host 100000) — then unshare(CLONE_NEWNS) itself: its mount namespace is copied only now, after the
 *     daemon has put the idmapped layer mounts in place, and it is owned by the user namespace.
 * `exec`: `nsenter --user=/proc/<init pid>/ns/user -- node init.js` ({@link userNamespaceJoin}).
 * {@link createUserNamespace} (a short-lived holder `unshare --user -- cat`) makes a mapped namespace with no
 * container at all: `doctor`'s idmap probe uses it, and a daemon could pre-create a namespace with it.
 *
 * setgroups: since Linux 3.19, /proc/PID/setgroups must be "deny" before gid_map is written only when the writer
 * lacks CAP_SETGID in the parent namespace (an unprivileged user could otherwise drop a group to get past a
 * "negative" group permission). boxlabd is root, so it leaves "allow" and `-u user` can set supplementary groups.
 */
/** Absolute path of a util-linux tool: the daemon spawns its inits with an empty environment (no PATH). */
function tool(name) {
    return ['/usr/bin/', '/bin/', '/usr/sbin/', '/sbin/'].map((d) => d + name).find((p) => existsSync(p)) ?? name;
}
export { becomeNamespaceRoot } from './process.js';
/** Docker's HostConfig.UsernsMode ("" = daemon default, "host") plus boxlab's "remap". */
export function resolveUsernsMode(mode, daemonDefault = 'host', opts = {}) {
    const m = (mode ?? '').trim();
    if (m !== '' && m !== 'host' && m !== 'remap') {
        throw new UserError(`--userns "${m}" is not supported: use --userns remap (own uid range) or --userns host`);
    }
    const resolved = m === '' ? daemonDefault : m;
    if (resolved === 'remap' && opts.privileged) {
        // docker refuses the same combination: a privileged container needs the host's root to mean anything
        throw new UserError('--privileged does not work with user namespaces: add --userns host');
    }
    return resolved;
}
/** Throws a UserError saying how to enable user namespaces when this kernel forbids them. */
export function assertUserNamespacesAvailable() {
    if (!existsSync('/proc/self/ns/user')) {
        throw new UserError('--userns remap: this kernel has no user namespaces (CONFIG_USER_NS is off): use --userns host or a kernel built with CONFIG_USER_NS=y');
    }
    const max = Number.parseInt(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8'), 10);
    if (max === 0) {
        throw new UserError('--userns remap: user namespaces are disabled (user.max_user_namespaces = 0): enable them with `sysctl -w user.max_user_namespaces=15000` (and in /etc/sysctl.d/ to keep it)');
    }
}
function nsLink(pid) {
    return readlinkSync(`/proc/${pid}/ns/user`);
}
/** Waits until `pid` is in a user namespace other than ours (it has run unshare(CLONE_NEWUSER)). */
async function waitUnshared(pid, exitedEarly, describe, timeoutMs = 10_000) {
    const ours = nsLink('self');
    const started = Date.now();
    for (let i = 0;; i++) {
        let link = ours;
        try {
            link = nsLink(pid);
        }
        catch { /* gone: the check below says why */ }
        if (link !== ours)
            return;
        if (exitedEarly() || Date.now() - started > timeoutMs) {
            throw new UserError(`--userns remap: could not create a user namespace (unshare --user: ${describe() || 'timed out'}): check user.max_user_namespaces and that util-linux is installed`);
        }
        // spin on the event loop for the first ~2 ms (the usual case), then poll every millisecond
        await new Promise((r) => (i < 200 ? setImmediate(r) : setTimeout(r, 1)));
    }
}
/**
 * Writes the maps of the user namespace `pid` has just created and opens it. Only the first writes of
 * uid_map/gid_map count; the process must still be in the namespace.
 */
export async function mapUserNamespace(pid, allocation, opts = {}) {
    const start = Date.now();
    const t0 = process.hrtime.bigint();
    await waitUnshared(pid, opts.exited ?? (() => false), () => '');
    writeFileSync(`/proc/${pid}/uid_map`, mapLine(allocation.uid));
    writeFileSync(`/proc/${pid}/gid_map`, mapLine(allocation.gid));
    const fd = openPath(`/proc/${pid}/ns/user`);
    const inode = nsLink(pid);
    emitTrace({
        time: start, kind: 'note', name: 'userns',
        args: `${inode} of pid ${pid}: uid_map "${mapLine(allocation.uid).trim()}", gid_map "${mapLine(allocation.gid).trim()}"`,
        result: inode, durationMs: Number(process.hrtime.bigint() - t0) / 1e6,
    });
    return { fd, inode, allocation, path: `/proc/${process.pid}/fd/${fd}`, close: () => closeFd(fd) };
}
/** A mapped user namespace with no container: a holder `unshare --user -- cat` that exits once the fd is open. */
export async function createUserNamespace(allocation) {
    assertUserNamespacesAvailable();
    const holder = spawn(tool('unshare'), ['--user', '--', 'cat'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    holder.stderr.on('data', (d) => { stderr += d.toString(); });
    const exited = new Promise((resolve) => holder.on('close', () => resolve()));
    const failed = new Promise((_, reject) => holder.on('error', (e) => reject(new UserError(`--userns remap: cannot run unshare (${e.message}): install util-linux`))));
    try {
        if (holder.pid === undefined)
            await failed;
        return await mapUserNamespace(holder.pid, allocation, { exited: () => holder.exitCode !== null || stderr !== '' });
    }
    catch (e) {
        if (e instanceof UserError && stderr)
            throw new UserError(e.message.replace('timed out', stderr.trim()));
        throw e;
    }
    finally {
        holder.stdin.end();
        await exited;
    }
}
const UNSHARE_FLAG = {
    uts: '--uts', ipc: '--ipc', net: '--net', pid: '--pid', cgroup: '--cgroup',
};
/**
 * argv prefix of the `run` launcher: `[...userNamespaceSpawnArgs(kinds), process.execPath, 'dist/…/init.js']`.
 * No mount namespace here on purpose: the init unshares it after becoming root inside (module comment, 4).
 * Inherited fds (the init's fd 3) pass through unshare(1) untouched.
 */
export function userNamespaceSpawnArgs(kinds) {
    const argv = [tool('unshare'), '--user', '--keep-caps', ...kinds.map((k) => UNSHARE_FLAG[k])];
    if (kinds.includes('pid'))
        argv.push('--fork');
    argv.push('--');
    return argv;
}
/** argv prefix that starts a program in an existing namespace (from {@link createUserNamespace}) as its root. */
export function userNamespaceEnterArgs(userns, kinds = []) {
    const argv = [tool('nsenter'), `--user=${userns.path}`, '--'];
    if (kinds.length === 0)
        return argv;
    argv.push(tool('unshare'), ...kinds.map((k) => UNSHARE_FLAG[k]));
    if (kinds.includes('pid'))
        argv.push('--fork');
    argv.push('--');
    return argv;
}
/**
 * argv prefix for `exec` into a remapped container: nsenter joins the init's user namespace and becomes its
 * root (setgroups, setgid(0), setuid(0)); then `node init.js` runs as before. The daemon may still setns()
 * into the container's other namespaces itself before spawning: it is root in the initial user namespace,
 * an ancestor of the container's, so it holds CAP_SYS_ADMIN over them.
 */
export function userNamespaceJoin(initPid) {
    return [tool('nsenter'), `--user=/proc/${initPid}/ns/user`, '--'];
}
/** The host pid of the first child of `pid`, once it exists. */
export async function firstChild(pid, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        let children;
        try {
            children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
        }
        catch {
            throw new Error(`userns launcher ${pid} exited before starting the init`);
        }
        if (children)
            return Number.parseInt(children.split(' ')[0], 10);
        if (Date.now() > deadline)
            throw new Error(`userns launcher ${pid} did not fork the init within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 1));
    }
}
/**
 * With a pid namespace the launcher forks: returns the init's host pid after SIGKILLing the launcher, so the
 * init is re-parented to the (subreaper) daemon, which must then reap it itself (waitpid on that pid or a
 * pidfd; never waitpid(-1)). Without a pid namespace the launcher has exec'd into the init: same pid.
 */
export async function adoptInit(launcherPid, forked) {
    if (!forked)
        return launcherPid;
    const init = await firstChild(launcherPid);
    process.kill(launcherPid, 'SIGKILL');
    // re-parenting happens when the launcher is really gone; until then waitpid(init) would say ECHILD
    const ppid = () => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${init}/status`, 'utf8'))?.[1] ?? 0);
    for (let i = 0; ppid() === launcherPid; i++) {
        if (i > 5000)
            throw new Error(`userns launcher ${launcherPid} did not die`);
        await new Promise((r) => setImmediate(r));
    }
    return init;
}
/** What `inspect` and lessons show: the Uid/Gid lines and uid_map of a process, seen from the host. */
export function describeUserMapping(pid) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = (key) => /^(\S+):\s+(.*)$/m.exec(status.split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2] ?? '';
    return {
        uidMap: readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().replace(/\s+/g, ' '),
        gidMap: readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().replace(/\s+/g, ' '),
        uid: line('Uid'),
        gid: line('Gid'),
        userns: nsLink(pid),
    };
}
//# sourceMappingURL=userns.js.map