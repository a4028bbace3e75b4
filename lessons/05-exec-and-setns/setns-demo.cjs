// Tries setns(CLONE_NEWNS) into the mount namespace of process $1 from this Node process, which is
// multithreaded (libuv's pool, V8's helpers). With "unshare-fs" it first calls unshare(CLONE_FS) — the
// trick boxlabd uses. Prints one line; the kernel's verdict is in the return value and errno.
'use strict';
const fs = require('node:fs');
const koffi = require('koffi');

const libc = koffi.load('libc.so.6');
const setns = libc.func('int setns(int fd, int nstype)');
const unshare = libc.func('int unshare(int flags)');
const CLONE_NEWNS = 0x00020000;
const CLONE_FS = 0x00000200;

const [pid, mode = 'plain'] = process.argv.slice(2);
const threads = /Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1];
const fd = fs.openSync(`/proc/${pid}/ns/mnt`, 'r');
let prefix = '';
if (mode === 'unshare-fs') {
  const u = unshare(CLONE_FS);
  prefix = `unshare(CLONE_FS) = ${u}; `;
}
const r = setns(fd, CLONE_NEWNS);
const errno = koffi.errno(); // read at once: any other call may overwrite it
const outcome = r === 0 ? '0' : `-1 ${errno === 22 ? 'EINVAL' : `errno ${errno}`}`;
console.log(`${threads} threads: ${prefix}setns(fd, CLONE_NEWNS) = ${outcome}`);
