/**
 * The init stage: the first process inside a container's new namespaces (or an exec'd process joining them).
 * boxlabd spawns this file with the sync socket on fd 3, puts it in its cgroup (and network), then sends the
 * config. Everything here runs synchronously: the process exists only to finish setup and execve.
 *
 * Imports stay minimal (no execa, no zod): every millisecond here is container start time.
 */
import { readSync, writeSync, mkdirSync, existsSync, writeFileSync, symlinkSync, statSync, accessSync, constants, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from '../sys/calls.js';
import { CLONE, MS, MNT } from '../sys/flags.js';
import { SysError } from '../sys/errors.js';
import { onTrace, type TraceEvent } from '../sys/trace.js';
import { raw } from '../sys/libc.js';
import { resolveUser } from './user.js';
import { applyPathSecurity, prepareProcessSecurity, finishProcessSecurity, becomeNamespaceRoot } from '../security/process.js';
import { InitFailure, SYNC_FD, type InitConfig, type InitMessage, type RootfsSpec, type BindMount } from './protocol.js';

function send(message: InitMessage): void {
  const line = `${JSON.stringify(message)}\n`;
  writeSync(SYNC_FD, line);
}

function readConfig(): InitConfig {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n: number;
    try {
      n = readSync(SYNC_FD, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
    if (n === 0) throw new Error('boxlabd closed the sync socket before sending the config');
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf[n - 1] === 0x0a) break;
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as InitConfig;
}

const DEVICES: [name: string, major: number, minor: number][] = [
  ['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0],
];

function ensureFile(path: string): void {
  if (!existsSync(path)) writeFileSync(path, '');
}

function mountDev(dev: string, tty: boolean, userns: boolean): void {
  sys.mount('tmpfs', dev, 'tmpfs', MS.NOSUID | MS.STRICTATIME, 'mode=755,size=65536k');
  for (const [name, major, minor] of DEVICES) {
    if (!userns) {
      sys.mknodChar(join(dev, name), 0o666, major, minor);
      continue;
    }
    // The kernel refuses mknod inside a user namespace; the host's node bind-mounted in works the same.
    ensureFile(join(dev, name));
    sys.mount(`/dev/${name}`, join(dev, name), null, MS.BIND);
  }
  for (const [link, target] of [['fd', '/proc/self/fd'], ['stdin', '/proc/self/fd/0'], ['stdout', '/proc/self/fd/1'],
    ['stderr', '/proc/self/fd/2'], ['ptmx', 'pts/ptmx'], ['core', '/proc/kcore']] as const) {
    symlinkSync(target, join(dev, link));
  }
  for (const d of ['pts', 'shm', 'mqueue']) mkdirSync(join(dev, d));
  sys.mount('devpts', join(dev, 'pts'), 'devpts', MS.NOSUID | MS.NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5');
  sys.mount('shm', join(dev, 'shm'), 'tmpfs', MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=1777,size=65536k');
  sys.mount('mqueue', join(dev, 'mqueue'), 'mqueue', MS.NOSUID | MS.NODEV | MS.NOEXEC);
  if (tty) {
    // The container's console is the pty slave it was given on fd 0 (as runc does).
    const console = join(dev, 'console');
    ensureFile(console);
    sys.mount(readlinkSync('/proc/self/fd/0'), console, null, MS.BIND);
  }
}

function bindInto(merged: string, b: BindMount): void {
  const target = join(merged, b.target);
  if (b.tmpfs !== undefined) {
    mkdirSync(target, { recursive: true });
    sys.mount('tmpfs', target, 'tmpfs', MS.NOSUID | MS.NODEV | (b.readonly ? MS.RDONLY : 0), b.tmpfs || null);
    return;
  }
  if (!existsSync(target)) {
    if (statSync(b.source).isDirectory()) mkdirSync(target, { recursive: true });
    else {
      mkdirSync(join(target, '..'), { recursive: true });
      ensureFile(target);
    }
  }
  sys.mount(b.source, target, null, MS.BIND | MS.REC);
  if (b.readonly) sys.mount(null, target, null, MS.BIND | MS.REMOUNT | MS.RDONLY);
}

function buildRootfs(config: InitConfig, rootfs: RootfsSpec): void {
  // Without this the mounts below would propagate back to the host's shared mounts: a container's /proc
  // mount would cover the host's own /proc (docs/architecture.md, "Namespaces from Node").
  sys.mount(null, '/', null, MS.REC | MS.PRIVATE);
  const { merged } = rootfs;
  sys.mount('overlay', merged, 'overlay', 0,
    `lowerdir=${rootfs.lowerdirs.join(':')},upperdir=${rootfs.upper},workdir=${rootfs.work}`);
  for (const b of config.binds ?? []) bindInto(merged, b);
  for (const d of ['proc', 'sys', 'dev']) mkdirSync(join(merged, d), { recursive: true });
  if (config.mountProc !== false) {
    sys.mount('proc', join(merged, 'proc'), 'proc', MS.NOSUID | MS.NODEV | MS.NOEXEC);
  } else {
    sys.mount('/proc', join(merged, 'proc'), null, MS.BIND | MS.REC);
  }
  if (config.newNetNs !== false) {
    sys.mount('sysfs', join(merged, 'sys'), 'sysfs', MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RDONLY);
  } else {
    // sysfs shows the network devices of the mounter's netns; with the host's netns, reuse the host's view.
    sys.mount('/sys', join(merged, 'sys'), null, MS.BIND | MS.REC);
    sys.mount(null, join(merged, 'sys'), null, MS.BIND | MS.REMOUNT | MS.RDONLY);
  }
  mountDev(join(merged, 'dev'), config.tty, config.userns === true);
  // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then drops it, so no
  // put_old directory has to exist in the image (runc's trick).
  sys.chdir(merged);
  sys.pivotRoot('.', '.');
  sys.umount2('.', MNT.DETACH);
  sys.chdir('/');
  // A bind remount touches only the root mount itself: volumes and tmpfs mounted below stay writable.
  if (config.readonlyRoot) sys.mount(null, '/', null, MS.BIND | MS.REMOUNT | MS.RDONLY);
}

function findExecutable(file: string, env: string[]): string {
  const isExec = (p: string): boolean => {
    try {
      if (!statSync(p).isFile()) return false;
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (file.includes('/')) {
    if (!existsSync(file)) throw new InitFailure(`exec: "${file}": stat ${file}: no such file or directory`, 127);
    if (!isExec(file)) throw new InitFailure(`exec: "${file}": permission denied`, 126);
    return file;
  }
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5)
    ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  for (const dir of pathVar.split(':')) {
    const candidate = join(dir || '.', file);
    if (isExec(candidate)) return candidate;
  }
  throw new InitFailure(`exec: "${file}": executable file not found in $PATH`, 127);
}

function finish(config: InitConfig): never {
  const user = resolveUser(config.user, '', config.groupAdd);
  const env = [...config.env];
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  if (config.tty) {
    sys.setControllingTerminal(0);
    if (!env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  }
  // The bounding set needs CAP_SETPCAP, which the setuid below may take away: shrink it first.
  if (config.security) prepareProcessSecurity(config.security);
  sys.setgroups(user.groups);
  sys.setgid(user.gid);
  sys.setuid(user.uid);
  if (config.cwd && config.cwd !== '/') {
    if (!existsSync(config.cwd)) mkdirSync(config.cwd, { recursive: true });
    sys.chdir(config.cwd);
  }
  if (config.args.length === 0) throw new InitFailure('no command specified', 125);
  const path = findExecutable(config.args[0]!, env);
  send({ type: 'exec' });
  try {
    // Last: capabilities cut, no_new_privs, the seccomp filter (it must still allow execve).
    if (config.security) finishProcessSecurity(config.security, { uid: user.uid });
    return sys.execve(path, config.args, env);
  } catch (e) {
    const code = e instanceof SysError && (e.code === 'EACCES' || e.code === 'ENOEXEC') ? 126 : 127;
    throw new InitFailure(`exec: "${config.args[0]}": ${(e as Error).message}`, code);
  }
}

function main(): void {
  sys.setCloexec(SYNC_FD, true);
  let config: InitConfig;
  try {
    config = readConfig();
  } catch {
    process.exit(1);
  }
  const forward = (event: TraceEvent): void => send({ type: 'trace', event: { ...event, container: config.containerId } });
  onTrace(forward);
  try {
    raw.umask(0o022);
    if (config.userns) {
      // uid 0 of the new user namespace (the host's remapped uid), then a mount namespace owned by it: the
      // daemon's idmapped layer mounts exist by now, so the copy includes them.
      becomeNamespaceRoot();
      sys.unshare(CLONE.NEWNS);
    }
    if (config.newCgroupNs) sys.unshare(CLONE.NEWCGROUP);
    if (config.joinMountNs) {
      // setns(CLONE_NEWNS) refuses a thread that shares its fs_struct with libuv's threads (EINVAL);
      // unsharing CLONE_FS first gives this thread its own root and cwd to switch
      // (docs/architecture.md, "Namespaces from Node").
      sys.unshare(CLONE.FS);
      const inherited = /^fd:(\d+)$/.exec(config.joinMountNs);
      const fd = inherited ? Number(inherited[1]) : sys.openPath(config.joinMountNs);
      sys.setns(fd, CLONE.NEWNS, config.joinMountNs);
      sys.closeFd(fd);
    }
    if (config.mode === 'run') {
      if (!config.rootfs) throw new InitFailure('run without a rootfs', 125);
      buildRootfs(config, config.rootfs);
      if (config.security) applyPathSecurity(config.security);
      if (config.hostname !== undefined) sys.sethostname(config.hostname);
      if (config.newNetNs !== false) sys.interfaceUp('lo');
      for (const i of config.interfaces ?? []) sys.addressInterface(i.ifname, i.address, i.prefixLen);
      const gateway = config.interfaces?.find((i) => i.gateway)?.gateway;
      if (gateway) sys.addDefaultRoute(gateway);
    }
    finish(config);
  } catch (e) {
    const exitCode = e instanceof InitFailure ? e.exitCode : 125;
    try {
      send({ type: 'error', message: (e as Error).message, exitCode });
    } catch {
      // parent gone
    }
    process.exit(exitCode);
  }
}

main();
