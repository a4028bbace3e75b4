import type { DoctorCheck, DoctorFacts } from './types.js';
import { findTool, freeBytes, existingAncestor, isDynamicElf } from './probes.js';
import { langFromEnv, messages } from '../../i18n/index.js';
/** doctor speaks the learner's language (--lang, BOXLAB_LANG, the locale) */
const m = () => messages(langFromEnv());

/** The host tools the lessons run, the Debian/Ubuntu package that has each, and whether lessons need it. */
export const TOOLS: Record<string, { pkg: string; essential: boolean }> = {
  ip: { pkg: 'iproute2', essential: true },
  iptables: { pkg: 'iptables', essential: true },
  lsns: { pkg: 'util-linux', essential: false },
  ipcs: { pkg: 'util-linux', essential: false },
  nsenter: { pkg: 'util-linux', essential: true },
  unshare: { pkg: 'util-linux', essential: true },
  busybox: { pkg: 'busybox-static', essential: true },
  tmux: { pkg: 'tmux', essential: false },
  curl: { pkg: 'curl', essential: false },
};

export function probeTools(): Record<string, string | null> {
  return Object.fromEntries(Object.keys(TOOLS).map((t) => [t, findTool(t)]));
}

export function toolChecks(tools: Record<string, string | null>): DoctorCheck[] {
  return Object.entries(TOOLS).map(([name, { pkg, essential }]) => {
    const path = tools[name] ?? null;
    const base = { id: `tool.${name}`, title: name, essential } as const;
    if (!path) return { ...base, status: essential ? 'fail' : 'warn', detail: m().drToolNotFound, fix: `apt-get install ${pkg}` } satisfies DoctorCheck;
    // The base image is busybox alone, with no libc beside it: only a static busybox runs there.
    if (name === 'busybox' && isDynamicElf(path)) {
      return { ...base, status: 'fail', detail: m().drToolDynamic(path), fix: 'apt-get install busybox-static' } satisfies DoctorCheck;
    }
    return { ...base, status: 'ok', detail: path } satisfies DoctorCheck;
  });
}

const GB = 1024 ** 3;

export function probeDisk(stateRoot: string): DoctorFacts['disk'] {
  const path = existingAncestor(stateRoot);
  return { path, freeBytes: freeBytes(path) };
}

export function diskCheck(d: DoctorFacts['disk']): DoctorCheck {
  const free = m().drDiskFree((d.freeBytes / GB).toFixed(1), d.path);
  const base = { id: 'disk', title: m().drDiskTitle, essential: true } as const;
  if (d.freeBytes < 0.5 * GB) return { ...base, status: 'fail', detail: free, fix: m().drDiskFailFix(d.path) };
  if (d.freeBytes < 2 * GB) return { ...base, status: 'warn', detail: free, fix: m().drDiskWarnFix(d.path) };
  return { ...base, status: 'ok', detail: free };
}
