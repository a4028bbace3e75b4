import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { host } from '../sys/index.js';
import { existingAncestor, readKernelFile } from './probes.js';
// Mounted inside a private mount namespace that dies with the shell: the host never sees the mount.
const MOUNT_SCRIPT = 'cd "$1" && mkdir l u w m && echo hi > l/f'
    + ' && mount -t overlay overlay -o "lowerdir=$1/l,upperdir=$1/u,workdir=$1/w" m'
    + ' && echo changed > m/f && test "$(cat u/f)" = changed && test "$(cat l/f)" = hi';
/**
 * Overlay support, and whether an overlay can sit on the state root's file system: an upper directory on
 * overlayfs itself (docker-in-docker) or on some network file systems is refused by the kernel.
 */
export async function probeOverlay(stateRoot, root) {
    const listed = /\toverlay$/m.test(readKernelFile('/proc/filesystems') ?? '');
    if (!root)
        return { listed, mountable: null };
    const dir = mkdtempSync(join(existingAncestor(stateRoot), '.boxlab-doctor-'));
    try {
        const r = await host('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', MOUNT_SCRIPT, 'sh', dir], { allowFailure: true, timeoutMs: 10_000 });
        return r.exitCode === 0 ? { listed, mountable: true } : { listed, mountable: false, error: r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}` };
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
export function overlayCheck(o, stateRoot) {
    const base = { id: 'overlay', title: 'overlayfs', essential: true };
    if (!o.listed && !o.mountable) {
        return { ...base, status: 'fail', detail: 'not in /proc/filesystems', fix: 'modprobe overlay (and add "overlay" to /etc/modules)' };
    }
    if (o.mountable === false) {
        return { ...base, status: 'fail', detail: `cannot mount an overlay under ${existingAncestor(stateRoot)}: ${o.error ?? ''}`, fix: 'put the state root on ext4/xfs (boxlab --root DIR), not on overlayfs or a network file system' };
    }
    return { ...base, status: 'ok', detail: o.mountable ? `mounts under ${existingAncestor(stateRoot)}` : 'listed in /proc/filesystems (mount not tried: not root)' };
}
//# sourceMappingURL=overlay.js.map