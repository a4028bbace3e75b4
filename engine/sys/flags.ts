/** Kernel constants (x86_64 / arm64 share these values) and decoders that turn a bitmask into names. */

export const CLONE = {
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
  FS: 0x00000200,
  FILES: 0x00000400,
} as const;

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  REMOUNT: 32,
  NOATIME: 1024,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  STRICTATIME: 1 << 24,
} as const;

export const MNT = { FORCE: 1, DETACH: 2, EXPIRE: 4 } as const;

export const PR = { SET_PDEATHSIG: 1, SET_NAME: 15, SET_CHILD_SUBREAPER: 36, SET_NO_NEW_PRIVS: 38 } as const;

export const O = { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, NOCTTY: 0o400, CLOEXEC: 0o2000000, DIRECTORY: 0o200000, PATH: 0o10000000 } as const;

export const F = { GETFD: 1, SETFD: 2, FD_CLOEXEC: 1 } as const;

export const S_IFCHR = 0o020000;

export const TIOCSCTTY = 0x540e;
export const TIOCSWINSZ = 0x5414;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const IFF_UP = 0x1;
export const SIOCSIFADDR = 0x8916;
export const SIOCSIFNETMASK = 0x891c;
export const SIOCADDRT = 0x890b;
/** rtentry.rt_flags: the route is usable, and goes through a gateway */
export const RTF_UP = 0x1;
export const RTF_GATEWAY = 0x2;

/** Namespace kinds as /proc/<pid>/ns names them, with their clone flag. */
export const NAMESPACES = {
  mnt: CLONE.NEWNS,
  uts: CLONE.NEWUTS,
  ipc: CLONE.NEWIPC,
  pid: CLONE.NEWPID,
  net: CLONE.NEWNET,
  cgroup: CLONE.NEWCGROUP,
  user: CLONE.NEWUSER,
} as const;
export type NamespaceKind = keyof typeof NAMESPACES;

function decode(table: Record<string, number>, prefix: string, value: number): string {
  if (value === 0) return '0';
  const names: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(table)) {
    if (bit !== 0 && (rest & bit) === bit) {
      names.push(prefix + name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.join('|');
}

export const decodeClone = (v: number): string => decode(CLONE, 'CLONE_', v);
export const decodeMount = (v: number): string => decode(MS, 'MS_', v);
export const decodeUmount = (v: number): string => decode(MNT, 'MNT_', v);

/** Syscall numbers not wrapped by glibc. */
export function syscallNumbers(): { pivotRoot: number; gettid: number; pidfdOpen: number } {
  switch (process.arch) {
    case 'x64':
      return { pivotRoot: 155, gettid: 186, pidfdOpen: 434 };
    case 'arm64':
      return { pivotRoot: 41, gettid: 178, pidfdOpen: 434 };
    default:
      throw new Error(`boxlab supports x86_64 and arm64 hosts, not ${process.arch}`);
  }
}
