import type { CgroupMode, DoctorCheck, DoctorFacts } from './types.js';
import { readKernelFile } from './probes.js';
import { langFromEnv, messages } from '../../i18n/index.js';
/** doctor speaks the learner's language (--lang, BOXLAB_LANG, the locale) */
const m = () => messages(langFromEnv());

interface MountEntry { target: string; fstype: string; options: string }

function mounts(): MountEntry[] {
  return (readKernelFile('/proc/self/mounts') ?? '').split('\n').map((l) => {
    const f = l.split(' ');
    return { target: f[1] ?? '', fstype: f[2] ?? '', options: f[3] ?? '' };
  });
}

/**
 * v2: cgroup2 is mounted at /sys/fs/cgroup itself. hybrid: v1 hierarchies there plus a cgroup2 mount
 * (systemd's /sys/fs/cgroup/unified) that carries no controllers. v1: no cgroup2 at all.
 */
export function probeCgroups(): DoctorFacts['cgroup'] {
  const all = mounts();
  const v2 = all.find((m) => m.fstype === 'cgroup2');
  const v1 = all.filter((m) => m.fstype === 'cgroup');
  const mode: CgroupMode = v2?.target === '/sys/fs/cgroup' || (v2 && v1.length === 0) ? 'v2' : v2 ? 'hybrid' : 'v1';
  let controllers: string[];
  if (mode === 'v2') {
    controllers = (readKernelFile(`${v2!.target}/cgroup.controllers`) ?? '').split(/\s+/).filter(Boolean);
  } else {
    // Controllers that are enabled and bound to a mounted v1 hierarchy (a name= hierarchy has none).
    const mounted = new Set(v1.flatMap((m) => m.options.split(',')));
    controllers = (readKernelFile('/proc/cgroups') ?? '').split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.split('\t'))
      .filter((f) => f[3] === '1' && mounted.has(f[0]!))
      .map((f) => f[0]!);
  }
  return { mode, v2Mount: v2?.target ?? null, controllers: controllers.sort() };
}

const NEEDED = ['cpu', 'memory', 'pids'];

export function cgroupCheck(c: DoctorFacts['cgroup']): DoctorCheck {
  const missing = NEEDED.filter((n) => !c.controllers.includes(n));
  const where = c.mode === 'v2' ? m().drCgroupV2(c.v2Mount ?? '') : c.mode === 'hybrid' ? m().drCgroupHybrid(c.v2Mount ?? '') : 'v1';
  const base = { id: 'cgroups', title: 'cgroups', essential: true } as const;
  if (missing.length > 0) {
    const fix = missing.includes('memory')
      ? m().drCgroupMemoryFix
      : m().drCgroupEnableFix(missing.join(', '));
    return { ...base, status: 'fail', detail: m().drCgroupMissing(where, missing.join(', '), c.controllers.join(' ')), fix };
  }
  return { ...base, status: 'ok', detail: m().drCgroupOk(where, c.controllers.join(' ')) };
}
