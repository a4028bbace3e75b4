import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { host } from '../sys/index.js';
import type { DoctorCheck, DoctorFacts } from './types.js';
import { existingAncestor, readKernelFile } from './probes.js';
import { langFromEnv, messages } from '../../i18n/index.js';
/** doctor speaks the learner's language (--lang, BOXLAB_LANG, the locale) */
const m = () => messages(langFromEnv());

// Mounted inside a private mount namespace that dies with the shell: the host never sees the mount.
const MOUNT_SCRIPT = 'cd "$1" && mkdir l u w m && echo hi > l/f'
  + ' && mount -t overlay overlay -o "lowerdir=$1/l,upperdir=$1/u,workdir=$1/w" m'
  + ' && echo changed > m/f && test "$(cat u/f)" = changed && test "$(cat l/f)" = hi';

/**
 * Overlay support, and whether an overlay can sit on the state root's file system: an upper directory on
 * overlayfs itself (docker-in-docker) or on some network file systems is refused by the kernel.
 */
export async function probeOverlay(stateRoot: string, root: boolean): Promise<DoctorFacts['overlay']> {
  const listed = /\toverlay$/m.test(readKernelFile('/proc/filesystems') ?? '');
  if (!root) return { listed, mountable: null };
  const dir = mkdtempSync(join(existingAncestor(stateRoot), '.boxlab-doctor-'));
  try {
    const r = await host('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', MOUNT_SCRIPT, 'sh', dir], { allowFailure: true, timeoutMs: 10_000 });
    return r.exitCode === 0 ? { listed, mountable: true } : { listed, mountable: false, error: r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function overlayCheck(o: DoctorFacts['overlay'], stateRoot: string): DoctorCheck {
  const base = { id: 'overlay', title: 'overlayfs', essential: true } as const;
  if (!o.listed && !o.mountable) {
    return { ...base, status: 'fail', detail: m().drOverlayUnlisted, fix: m().drOverlayModprobe };
  }
  if (o.mountable === false) {
    return { ...base, status: 'fail', detail: m().drOverlayCannot(existingAncestor(stateRoot), o.error ?? ''), fix: m().drOverlayRootFix };
  }
  return { ...base, status: 'ok', detail: o.mountable ? m().drOverlayMounts(existingAncestor(stateRoot)) : m().drOverlayListed };
}
