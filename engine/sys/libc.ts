import koffi from 'koffi';
import { SysError } from './errors.js';
import { emitTrace } from './trace.js';
import { syscallNumbers } from './flags.js';

/**
 * Raw libc bindings. Every wrapper in calls.ts goes through {@link sys}, which reads errno on the very next
 * statement (any synchronous Node call in between overwrites it; see docs/architecture.md, "Namespaces from Node") and records a trace event.
 */
const lib = koffi.load('libc.so.6');

export const raw = {
  unshare: lib.func('int unshare(int flags)'),
  setns: lib.func('int setns(int fd, int nstype)'),
  mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: lib.func('int umount2(const char *target, int flags)'),
  syscall: lib.func('long syscall(long number, ...)'),
  sethostname: lib.func('int sethostname(const char *name, size_t len)'),
  chdir: lib.func('int chdir(const char *path)'),
  chroot: lib.func('int chroot(const char *path)'),
  execve: lib.func('int execve(const char *path, const char **argv, const char **envp)'),
  mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
  setsid: lib.func('int setsid()'),
  ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)'),
  prctl: lib.func('int prctl(int option, ...)'),
  setuid: lib.func('int setuid(uint32_t uid)'),
  setgid: lib.func('int setgid(uint32_t gid)'),
  setgroups: lib.func('int setgroups(size_t size, const uint32_t *list)'),
  fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
  open: lib.func('int open(const char *path, int flags, ...)'),
  close: lib.func('int close(int fd)'),
  closeRange: lib.func('int close_range(unsigned int first, unsigned int last, int flags)'),
  socketpair: lib.func('int socketpair(int domain, int type, int protocol, _Out_ int *sv)'),
  socket: lib.func('int socket(int domain, int type, int protocol)'),
  posixOpenpt: lib.func('int posix_openpt(int flags)'),
  grantpt: lib.func('int grantpt(int fd)'),
  unlockpt: lib.func('int unlockpt(int fd)'),
  ptsname: lib.func('char *ptsname(int fd)'),
  kill: lib.func('int kill(int pid, int sig)'),
  signal: lib.func('void *signal(int sig, void *handler)'),
  sigprocmask: lib.func('int sigprocmask(int how, const uint8_t *set, uint8_t *oldset)'),
  umask: lib.func('uint32_t umask(uint32_t mask)'),
  getpid: lib.func('int getpid()'),
  waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
  flock: lib.func('int flock(int fd, int operation)'),
  pipe2: lib.func('int pipe2(_Out_ int *fds, int flags)'),
  memfdCreate: lib.func('int memfd_create(const char *name, unsigned int flags)'),
  capget: lib.func('int capget(void *header, void *data)'),
  capset: lib.func('int capset(void *header, void *data)'),
  lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
  lgetxattr: lib.func('long lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)'),
};

/** The address of a buffer's memory, for structs that hold a pointer (e.g. seccomp's sock_fprog). */
export function addressOf(buf: Buffer): bigint {
  return koffi.address(buf);
}

export const nr = syscallNumbers();

export interface SysOptions {
  /** failures that are expected and should not be traced as errors, e.g. EEXIST */
  quiet?: boolean;
}

/**
 * Runs one libc call: measures it, turns -1 into a {@link SysError} naming the call and errno, and emits a
 * trace event. `args` is the human-readable argument list shown in the trace.
 */
export function sys<T extends number | bigint>(name: string, args: string, call: () => T, opts: SysOptions = {}): T {
  const time = Date.now();
  const start = process.hrtime.bigint();
  const result = call();
  const failed = Number(result) === -1;
  const errno = failed ? koffi.errno() : 0;
  const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (failed) {
    const err = new SysError(name, args, errno);
    if (!opts.quiet) emitTrace({ time, kind: 'syscall', name, args, error: err.code, durationMs });
    throw err;
  }
  emitTrace({ time, kind: 'syscall', name, args, result: String(result), durationMs });
  return result;
}
