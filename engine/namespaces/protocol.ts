/**
 * What the parent (boxlabd) tells the init stage over the sync socket (fd 3), and what the init answers.
 * runc splits setup the same way: the parent prepares (namespaces, cgroup, network), the init finishes
 * inside the namespaces (mounts, pivot_root, hostname, user) and then execs the container's program.
 */
export interface BindMount {
  /** host path */
  source: string;
  /** path inside the container */
  target: string;
  readonly?: boolean;
  /** a tmpfs (with these mount options) instead of a bind of `source` */
  tmpfs?: string;
}

export interface RootfsSpec {
  /** overlay lower dirs, top first */
  lowerdirs: string[];
  upper: string;
  work: string;
  merged: string;
}

export interface InterfaceConfig {
  ifname: string;
  address: string;
  prefixLen: number;
  gateway?: string;
}

export interface InitConfig {
  mode: 'run' | 'exec';
  containerId: string;
  /** run only: the rootfs to build and pivot into */
  rootfs?: RootfsSpec;
  /** run only: files and dirs bind-mounted into the rootfs (hostname, hosts, resolv.conf, volumes) */
  binds?: BindMount[];
  /** run only: --read-only, the root filesystem remounted read-only (volumes stay writable) */
  readonlyRoot?: boolean;
  /** run only: mount a fresh /proc (false when the pid namespace is shared with the host) */
  mountProc?: boolean;
  /** run only: sysfs is mounted read-only; with a host network namespace it is bind-mounted instead */
  newNetNs?: boolean;
  /**
   * run only: bridge endpoints the init addresses itself (ioctls, no `ip` process), after `lo`: the daemon has
   * already made the veth and put its peer, down and unaddressed, into the init's namespace under `ifname`.
   * `gateway` set: the default route goes through it (the first network's, as docker does).
   */
  interfaces?: InterfaceConfig[];
  /** run only: set when the container has its own UTS namespace */
  hostname?: string;
  /**
   * exec only: the mount namespace to enter (the init does it: node itself lives outside the container), as a
   * path or as "fd:N", an fd the daemon opened and the init inherited (a remapped init may not open the path)
   */
  joinMountNs?: string;
  /**
   * run only: the init was started inside a new user namespace (--userns remap): it becomes root there and
   * makes its own mount namespace, owned by that user namespace; device nodes are bind-mounted (mknod is
   * refused in a user namespace).
   */
  userns?: boolean;
  /** unshare(CLONE_NEWCGROUP) once the parent has placed the init in its cgroup */
  newCgroupNs?: boolean;
  args: string[];
  env: string[];
  cwd: string;
  /** docker's -u: "uid", "uid:gid", "name", "name:group" or "" (root) */
  user: string;
  /** docker's --group-add: extra supplementary groups (gids or names in the image's /etc/group) */
  groupAdd?: string[];
  tty: boolean;
  /** capabilities, seccomp, no_new_privs and masked/read-only paths, decided by the daemon */
  security?: import('../security/plan-types.js').SecurityPlan;
}

/** Lines the init writes back: trace events, then exactly one of `exec` (about to execve) or `error`. */
export type InitMessage =
  | { type: 'trace'; event: import('../sys/trace.js').TraceEvent }
  | { type: 'exec' }
  | { type: 'error'; message: string; exitCode: number };

/**
 * The container's program could not be started. Thrown inside the init (then sent to the parent as an `error`
 * message) and rethrown by the parent from that message; `exitCode` is docker's: 127 not found, 126 not
 * executable, 125 anything else.
 */
export class InitFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'InitFailure';
  }
}

/** fd number of the sync socket in the init process */
export const SYNC_FD = 3;
