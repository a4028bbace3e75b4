import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { closeFd, emitTrace, openPath, UserError } from '../sys/index.js';
import { mapLine, type Allocation } from './idranges.js';

/**
 * Creating a container's user namespace from a threaded Node daemon.
 *
 * Node cannot unshare(CLONE_NEWUSER) (EINVAL: the process has threads) nor setns() into a user namespace
 * (DESIGN §4). The single-threaded work is done by util-linux, which every Debian/Ubuntu has:
 *
 *  1. {@link createUserNamespace}: spawn a HOLDER `unshare --user -- cat` (a C program, single-threaded),
 *     wait until it is in its new user namespace, write /proc/H/uid_map and gid_map from the daemon (root in
 *     the initial namespace, so no newuidmap and no "deny" in /proc/H/setgroups needed), open /proc/H/ns/user
 *     — that fd now keeps the namespace alive — and let the holder exit (close its stdin).
 *     Why a holder first rather than `unshare --user … node init.js` directly: the namespace then exists,
 *     mapped, BEFORE the init starts, so the daemon can make idmapped mounts of the image layers with its fd
 *     (mount_setattr needs the userns fd) and have them in place when the init's mount namespace is copied.
 *  2. {@link userNamespaceLauncher}: the init is started as
 *       nsenter --user=/proc/<daemon>/fd/<fd> -- unshare --mount --uts --ipc --net --pid --cgroup --fork --kill-child -- node init.js
 *     nsenter joins the namespace and becomes uid/gid 0 inside it (setgroups, setgid(0), setuid(0)), so the exec'd
 *     programs keep a full capability set in the namespace; unshare then creates the other namespaces, which are
 *     therefore OWNED by the user namespace — otherwise root inside could not sethostname, mount /proc, or
 *     configure its own network. With --pid, unshare forks: the init is its child and PID 1.
 *  3. `exec`: `nsenter --target <init pid> --all -- …` joins every namespace of the init, the user one first.
 *
 * setgroups: since Linux 3.19, /proc/PID/setgroups must be "deny" before gid_map is written only when the writer
 * lacks CAP_SETGID in the parent namespace (an unprivileged user could otherwise drop a group to get past a
 * "negative" group permission). boxlabd is root, so it leaves "allow" and `-u user` can set supplementary groups.
 */

export type UsernsMode = 'host' | 'remap';

/** Docker's HostConfig.UsernsMode ("" = daemon default, "host") plus boxlab's "remap". */
export function resolveUsernsMode(mode: string | undefined | null, daemonDefault: UsernsMode = 'host'): UsernsMode {
  const m = (mode ?? '').trim();
  if (m === '') return daemonDefault;
  if (m === 'host' || m === 'remap') return m;
  throw new UserError(`--userns "${m}" is not supported: use --userns remap (own uid range) or --userns host`);
}

/** Throws a UserError saying how to enable user namespaces when this kernel forbids them. */
export function assertUserNamespacesAvailable(): void {
  if (!existsSync('/proc/self/ns/user')) {
    throw new UserError('--userns remap: this kernel has no user namespaces (CONFIG_USER_NS is off): use --userns host or a kernel built with CONFIG_USER_NS=y');
  }
  const max = Number.parseInt(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8'), 10);
  if (max === 0) {
    throw new UserError('--userns remap: user namespaces are disabled (user.max_user_namespaces = 0): enable them with `sysctl -w user.max_user_namespaces=15000` (and in /etc/sysctl.d/ to keep it)');
  }
}

export interface UserNamespace {
  /** an O_CLOEXEC fd on the namespace; keeps it alive while open */
  fd: number;
  /** a path any process of this host can open to reach the namespace (nsenter --user=PATH) */
  path: string;
  /** the inode, as `readlink /proc/PID/ns/user` shows it: user:[4026532…] */
  inode: string;
  allocation: Allocation;
  close(): void;
}

function nsLink(pid: number | 'self'): string {
  return readlinkSync(`/proc/${pid}/ns/user`);
}

/** Creates a user namespace mapped to `allocation` (see the module comment). ~2–3 ms. */
export async function createUserNamespace(allocation: Allocation): Promise<UserNamespace> {
  assertUserNamespacesAvailable();
  const start = Date.now();
  const t0 = process.hrtime.bigint();
  const holder = spawn('unshare', ['--user', '--', 'cat'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  holder.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => holder.on('close', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => holder.on('error', reject));
  const pid = holder.pid;
  try {
    if (pid === undefined) await spawnError;
    const ours = nsLink('self');
    // the holder is in its namespace once its link differs from ours (it execs unshare(1), which unshares, then cat)
    for (let i = 0; ; i++) {
      let link: string;
      try {
        link = nsLink(pid!);
      } catch {
        link = ours; // exited already: the exit code below says why
      }
      if (link !== ours) break;
      if (holder.exitCode !== null || i > 2000) {
        await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
        throw new UserError(`--userns remap: could not create a user namespace (unshare --user: ${stderr.trim() || 'timed out'}): check user.max_user_namespaces and that util-linux is installed`);
      }
      await new Promise((r) => setImmediate(r));
    }
    writeFileSync(`/proc/${pid}/uid_map`, mapLine(allocation.uid));
    writeFileSync(`/proc/${pid}/gid_map`, mapLine(allocation.gid));
    const fd = openPath(`/proc/${pid}/ns/user`);
    const inode = nsLink(pid!);
    emitTrace({
      time: start, kind: 'command', name: 'unshare', args: `--user -- cat  (+ uid_map "${mapLine(allocation.uid).trim()}", gid_map "${mapLine(allocation.gid).trim()}")`,
      result: inode, durationMs: Number(process.hrtime.bigint() - t0) / 1e6,
    });
    return {
      fd, inode, allocation,
      path: `/proc/${process.pid}/fd/${fd}`,
      close: () => closeFd(fd),
    };
  } finally {
    holder.stdin!.end();
    await exited;
  }
}

export type NamespaceKind = 'mnt' | 'uts' | 'ipc' | 'net' | 'pid' | 'cgroup';

const UNSHARE_FLAG: Record<NamespaceKind, string> = {
  mnt: '--mount', uts: '--uts', ipc: '--ipc', net: '--net', pid: '--pid', cgroup: '--cgroup',
};

/**
 * The argv prefix that starts a program inside `userns` with new namespaces of `kinds` owned by it:
 * `[...userNamespaceLauncher(ns, kinds), process.execPath, 'dist/engine/namespaces/init.js']`.
 * Inherited fds (the init's fd 3) pass through nsenter and unshare untouched.
 */
export function userNamespaceLauncher(userns: Pick<UserNamespace, 'path'>, kinds: readonly NamespaceKind[]): string[] {
  const argv = ['nsenter', `--user=${userns.path}`, '--'];
  if (kinds.length === 0) return argv;
  argv.push('unshare', ...kinds.map((k) => UNSHARE_FLAG[k]));
  if (kinds.includes('pid')) argv.push('--fork', '--kill-child');
  argv.push('--');
  return argv;
}

/** argv prefix for `exec`: join every namespace of the container's init, the user namespace first. */
export function userNamespaceJoin(initPid: number): string[] {
  return ['nsenter', '--target', String(initPid), '--all', '--'];
}

/**
 * With --pid the launcher forks: the init is the child of the unshare(1) process. Returns its host pid once it
 * exists (polls /proc/<launcher>/task/<launcher>/children, then follows through the nsenter→unshare exec).
 */
export async function findInitPid(launcherPid: number, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const children = readFileSync(`/proc/${launcherPid}/task/${launcherPid}/children`, 'utf8').trim();
      if (children) return Number.parseInt(children.split(' ')[0]!, 10);
    } catch {
      throw new Error(`userns launcher ${launcherPid} exited before starting the init`);
    }
    if (Date.now() > deadline) throw new Error(`userns launcher ${launcherPid} did not fork the init within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** What `inspect` and lessons show: the Uid/Gid lines and uid_map of a process, seen from the host. */
export function describeUserMapping(pid: number): { uidMap: string; gidMap: string; uid: string; gid: string; userns: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = (key: string): string => /^(\S+):\s+(.*)$/m.exec(status.split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2] ?? '';
  return {
    uidMap: readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().replace(/\s+/g, ' '),
    gidMap: readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().replace(/\s+/g, ' '),
    uid: line('Uid'),
    gid: line('Gid'),
    userns: nsLink(pid),
  };
}
