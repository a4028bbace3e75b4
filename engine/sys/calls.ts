import { raw, nr, sys } from './libc.js';
import {
  F, O, PR, S_IFCHR, TIOCSCTTY, TIOCSWINSZ, SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP,
  SIOCSIFADDR, SIOCSIFNETMASK, SIOCADDRT, RTF_UP, RTF_GATEWAY,
  decodeClone, decodeMount, decodeUmount,
} from './flags.js';

const q = (s: string | null): string => (s === null ? 'NULL' : JSON.stringify(s));

export function unshare(flags: number): void {
  sys('unshare', decodeClone(flags), () => raw.unshare(flags));
}

export function setns(fd: number, nstype: number, label = `fd ${fd}`): void {
  sys('setns', `${label}, ${decodeClone(nstype)}`, () => raw.setns(fd, nstype));
}

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
  const args = `${q(source)}, ${q(target)}, ${q(fstype)}, ${decodeMount(flags)}${data !== null ? `, ${q(data)}` : ''}`;
  sys('mount', args, () => raw.mount(source, target, fstype, flags, data));
}

export function umount2(target: string, flags: number): void {
  sys('umount2', `${q(target)}, ${decodeUmount(flags)}`, () => raw.umount2(target, flags));
}

export function pivotRoot(newRoot: string, putOld: string): void {
  sys('pivot_root', `${q(newRoot)}, ${q(putOld)}`, () => raw.syscall(nr.pivotRoot, 'str', newRoot, 'str', putOld));
}

export function sethostname(name: string): void {
  sys('sethostname', q(name), () => raw.sethostname(name, Buffer.byteLength(name)));
}

export function chdir(path: string): void {
  sys('chdir', q(path), () => raw.chdir(path));
}

export function chroot(path: string): void {
  sys('chroot', q(path), () => raw.chroot(path));
}

export function mknodChar(path: string, mode: number, major: number, minor: number): void {
  // glibc's makedev for small numbers: (major << 8) | minor
  const dev = (major << 8) | minor;
  sys('mknod', `${q(path)}, S_IFCHR|0${mode.toString(8)}, makedev(${major}, ${minor})`, () => raw.mknod(path, S_IFCHR | mode, dev));
}

export function setsid(): number {
  return sys('setsid', '', () => raw.setsid());
}

export function setControllingTerminal(fd: number): void {
  sys('ioctl', `${fd}, TIOCSCTTY, 0`, () => raw.ioctl(fd, TIOCSCTTY, 'int', 0));
}

export function setWindowSize(fd: number, rows: number, cols: number): void {
  const winsize = new Uint16Array([rows, cols, 0, 0]);
  sys('ioctl', `${fd}, TIOCSWINSZ, {rows=${rows}, cols=${cols}}`, () => raw.ioctl(fd, TIOCSWINSZ, 'uint16_t *', winsize));
}

/**
 * Bytes written to a socket that its peer has not read yet (ioctl TIOCOUTQ, which is SIOCOUTQ on sockets);
 * -1 when the kernel will not say. Untraced: the daemon polls it (see daemon/server.ts afterHeadersRead).
 */
export function unreadBytes(fd: number): number {
  const out = new Int32Array(1);
  return raw.ioctl(fd, 0x5411 /* TIOCOUTQ */, 'int32_t *', out) === 0 ? out[0]! : -1;
}

export function setChildSubreaper(): void {
  sys('prctl', 'PR_SET_CHILD_SUBREAPER, 1', () => raw.prctl(PR.SET_CHILD_SUBREAPER, 'unsigned long', 1));
}

export function setNoNewPrivs(): void {
  sys('prctl', 'PR_SET_NO_NEW_PRIVS, 1', () => raw.prctl(PR.SET_NO_NEW_PRIVS, 'unsigned long', 1, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0));
}

export function setgroups(groups: number[]): void {
  sys('setgroups', `${groups.length}, [${groups.join(', ')}]`, () => raw.setgroups(groups.length, groups.length ? new Uint32Array(groups) : null));
}

export function setgid(gid: number): void {
  sys('setgid', String(gid), () => raw.setgid(gid));
}

export function setuid(uid: number): void {
  sys('setuid', String(uid), () => raw.setuid(uid));
}

export function setCloexec(fd: number, on: boolean): void {
  sys('fcntl', `${fd}, F_SETFD, ${on ? 'FD_CLOEXEC' : '0'}`, () => raw.fcntl(fd, F.SETFD, 'int', on ? F.FD_CLOEXEC : 0));
}

/** Opens a namespace file (or any path) read-only with O_CLOEXEC; the fd is for setns. */
export function openPath(path: string, flags: number = O.RDONLY | O.CLOEXEC): number {
  return sys('open', `${q(path)}, O_RDONLY|O_CLOEXEC`, () => raw.open(path, flags, 'int', 0));
}

export function closeFd(fd: number): void {
  raw.close(fd);
}

/** AF_UNIX stream socketpair with close-on-exec, the init stage's sync channel. */
export function socketpair(): [number, number] {
  const sv = new Int32Array(2);
  sys('socketpair', 'AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0', () => raw.socketpair(1, 1 | O.CLOEXEC, 0, sv));
  return [sv[0]!, sv[1]!];
}

export interface Pty {
  master: number;
  slave: number;
  slavePath: string;
}

/** A new pseudo-terminal pair; both fds close-on-exec (libuv dup2s the slave into the child's stdio). */
export function openPty(): Pty {
  const master = sys('posix_openpt', 'O_RDWR|O_NOCTTY|O_CLOEXEC', () => raw.posixOpenpt(O.RDWR | O.NOCTTY | O.CLOEXEC));
  sys('grantpt', String(master), () => raw.grantpt(master));
  sys('unlockpt', String(master), () => raw.unlockpt(master));
  const slavePath = raw.ptsname(master) as string | null;
  if (slavePath === null) throw new Error('ptsname returned NULL');
  const slave = sys('open', `${q(slavePath)}, O_RDWR|O_NOCTTY|O_CLOEXEC`, () => raw.open(slavePath, O.RDWR | O.NOCTTY | O.CLOEXEC, 'int', 0));
  return { master, slave, slavePath };
}

export function kill(pid: number, signal: number): void {
  sys('kill', `${pid}, ${signal}`, () => raw.kill(pid, signal));
}

export function gettid(): number {
  return Number(raw.syscall(nr.gettid));
}

export function pidfdOpen(pid: number): number {
  return Number(sys('pidfd_open', `${pid}, 0`, () => raw.syscall(nr.pidfdOpen, 'int', pid, 'unsigned int', 0)));
}

/** An AF_INET sockaddr_in (16 bytes) at `offset` of `buf`: family, port 0, the address in network order. */
function writeSockaddrIn(buf: Buffer, offset: number, ipv4: string): void {
  const octets = ipv4.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`invalid IPv4 address "${ipv4}"`);
  buf.writeUInt16LE(2 /* AF_INET */, offset);
  buf.set(octets, offset + 4);
}

function withInetSocket<T>(use: (fd: number) => T): T {
  const fd = sys('socket', 'AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0', () => raw.socket(2, 2 | O.CLOEXEC, 0));
  try {
    return use(fd);
  } finally {
    raw.close(fd);
  }
}

/**
 * Gives an interface of the caller's network namespace an IPv4 address and brings it up: what
 * `ip addr add <address>/<prefixLen> dev <name> && ip link set dev <name> up` does, with the old ioctls
 * (ifconfig's) so the init needs no `ip` process. SIOCSIFADDR picks a classful mask; SIOCSIFNETMASK corrects it.
 */
export function addressInterface(name: string, address: string, prefixLen: number): void {
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  const maskText = [24, 16, 8, 0].map((s) => (mask >>> s) & 0xff).join('.');
  withInetSocket((fd) => {
    const ifreq = Buffer.alloc(40);
    ifreq.write(name, 0, 15, 'latin1');
    writeSockaddrIn(ifreq, 16, address);
    sys('ioctl', `${fd}, SIOCSIFADDR, {ifr_name=${q(name)}, ifr_addr=${address}}`, () => raw.ioctl(fd, SIOCSIFADDR, 'void *', ifreq));
    writeSockaddrIn(ifreq, 16, maskText);
    sys('ioctl', `${fd}, SIOCSIFNETMASK, {ifr_name=${q(name)}, ifr_netmask=${maskText}}`, () => raw.ioctl(fd, SIOCSIFNETMASK, 'void *', ifreq));
  });
  interfaceUp(name);
}

/**
 * `ip route add default via <gateway>`: SIOCADDRT with a struct rtentry (the LP64 layout of x86_64 and arm64:
 * rt_dst at 8, rt_gateway at 24, rt_genmask at 40, rt_flags at 56; 120 bytes). No device: the kernel finds it
 * from the gateway, which must already be on a connected subnet (addressInterface first).
 */
export function addDefaultRoute(gateway: string): void {
  withInetSocket((fd) => {
    const rtentry = Buffer.alloc(120);
    writeSockaddrIn(rtentry, 8, '0.0.0.0');
    writeSockaddrIn(rtentry, 24, gateway);
    writeSockaddrIn(rtentry, 40, '0.0.0.0');
    rtentry.writeUInt16LE(RTF_UP | RTF_GATEWAY, 56);
    sys('ioctl', `${fd}, SIOCADDRT, {rt_dst=0.0.0.0/0, rt_gateway=${gateway}, rt_flags=RTF_UP|RTF_GATEWAY}`, () => raw.ioctl(fd, SIOCADDRT, 'void *', rtentry));
  });
}

/** Sets IFF_UP on an interface of the caller's network namespace (what `ip link set lo up` does). */
export function interfaceUp(name: string): void {
  const fd = sys('socket', 'AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0', () => raw.socket(2, 2 | O.CLOEXEC, 0));
  try {
    const ifreq = Buffer.alloc(40);
    ifreq.write(name, 0, 15, 'latin1');
    sys('ioctl', `${fd}, SIOCGIFFLAGS, {ifr_name=${q(name)}}`, () => raw.ioctl(fd, SIOCGIFFLAGS, 'void *', ifreq));
    const flags = ifreq.readUInt16LE(16) | IFF_UP;
    ifreq.writeUInt16LE(flags, 16);
    sys('ioctl', `${fd}, SIOCSIFFLAGS, {ifr_name=${q(name)}, ifr_flags|=IFF_UP}`, () => raw.ioctl(fd, SIOCSIFFLAGS, 'void *', ifreq));
  } finally {
    raw.close(fd);
  }
}

/**
 * Replaces the process image. Node marks fds 0–2 close-on-exec and ignores SIGPIPE/SIGXFSZ, and both survive
 * execve (docs/architecture.md, "Namespaces from Node"): clear the flag, restore default dispositions and an empty signal mask first.
 * Returns only on failure (throws the SysError).
 */
export function execve(path: string, argv: string[], env: string[]): never {
  for (const fd of [0, 1, 2]) raw.fcntl(fd, F.SETFD, 'int', 0);
  // Whatever else is open (an fd the daemon's own parent leaked to it, libuv's) must not reach the container's
  // program: close-on-exec from 3 up, as runc does (close_range(2), CLOSE_RANGE_CLOEXEC = 4).
  raw.closeRange(3, 0xffffffff, 4);
  for (const sig of [13 /* SIGPIPE */, 25 /* SIGXFSZ */]) raw.signal(sig, null);
  raw.sigprocmask(2 /* SIG_SETMASK */, Buffer.alloc(128), null);
  sys('execve', `${q(path)}, [${argv.map((a) => q(a)).join(', ')}], [${env.length} vars]`,
    () => raw.execve(path, [...argv, null] as unknown as string[], [...env, null] as unknown as string[]));
  throw new Error('execve returned without an error');
}


/**
 * waitpid(pid, WNOHANG) for one known child that libuv did not spawn (an init re-parented to the daemon):
 * the exit code as a shell reports it (128 + signal when killed), or undefined while it runs.
 */
export function waitpidNoHang(pid: number): number | undefined {
  const status = new Int32Array(1);
  const r = raw.waitpid(pid, status, 1 /* WNOHANG */);
  if (r !== pid) return undefined;
  const s = status[0]!;
  const signal = s & 0x7f;
  return signal === 0 ? (s >> 8) & 0xff : 128 + signal;
}
