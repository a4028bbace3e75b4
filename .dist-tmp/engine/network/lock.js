import koffi from 'koffi';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { sys } from '../sys/libc.js';
/**
 * A cross-process exclusive lock on a file: flock(2) on a lock file opened with O_CREAT.
 * Why flock and not an atomic mkdir lock: the kernel drops a flock when its holder dies, so a daemon that
 * crashes mid-allocation leaves no stale lock to detect or break. Locks belong to the open file description,
 * so two callers in one process conflict too; callers keep the critical section synchronous (read the
 * bitmap, flip bits, write it) so the event loop never awaits while holding the lock and can never
 * deadlock against itself.
 */
const libc = koffi.load('libc.so.6');
const flockRaw = libc.func('int flock(int fd, int operation)');
const LOCK_EX = 2;
export function withFileLock(path, fn) {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a', 0o600);
    try {
        sys('flock', `${JSON.stringify(path)}, LOCK_EX`, () => flockRaw(fd, LOCK_EX));
        return fn();
    }
    finally {
        closeSync(fd); // closing the only fd of the description releases the lock
    }
}
//# sourceMappingURL=lock.js.map