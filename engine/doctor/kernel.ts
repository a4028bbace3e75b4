import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { NAMESPACE_TYPES, type DoctorCheck, type DoctorFacts, type NamespaceType } from './types.js';
import { readKernelFile, succeeds } from './probes.js';
import { langFromEnv, messages } from '../../i18n/index.js';
/** doctor speaks the learner's language (--lang, BOXLAB_LANG, the locale) */
const m = () => messages(langFromEnv());

const MIN_KERNEL: [number, number] = [5, 4];

export function kernelCheck(kernel = release()): DoctorCheck {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map((n) => Number.parseInt(n, 10));
  const okVersion = major > MIN_KERNEL[0] || (major === MIN_KERNEL[0] && minor >= MIN_KERNEL[1]);
  return {
    id: 'kernel', title: m().drKernelTitle, essential: true,
    status: okVersion ? 'ok' : 'warn',
    detail: `${kernel}${okVersion ? '' : m().drKernelOld(MIN_KERNEL.join('.'))}`,
    ...(!okVersion && { fix: m().drKernelFix }),
  };
}

// util-linux unshare(1) creates the namespace in a child, so the doctor itself stays where it is.
const UNSHARE_ARGS: Record<NamespaceType, string[]> = {
  mnt: ['--mount'], uts: ['--uts'], ipc: ['--ipc'], net: ['--net'], pid: ['--pid', '--fork'],
  user: ['--user'], cgroup: ['--cgroup'], time: ['--time'],
};
const KCONFIG: Record<NamespaceType, string> = {
  mnt: 'CONFIG_NAMESPACES', uts: 'CONFIG_UTS_NS', ipc: 'CONFIG_IPC_NS', net: 'CONFIG_NET_NS', pid: 'CONFIG_PID_NS',
  user: 'CONFIG_USER_NS', cgroup: 'CONFIG_CGROUPS', time: 'CONFIG_TIME_NS',
};
// The lessons cannot run without these; the others are used by one lesson each.
const ESSENTIAL_NS = new Set<NamespaceType>(['mnt', 'uts', 'ipc', 'net', 'pid']);

export async function probeNamespaces(root: boolean): Promise<Record<NamespaceType, boolean>> {
  const results = await Promise.all(NAMESPACE_TYPES.map(async (ns) => {
    const listed = existsSync(`/proc/self/ns/${ns}`);
    // Unprivileged, creating most namespaces fails with EPERM whatever the kernel can do: trust /proc then.
    return [ns, listed && (!root || await succeeds('unshare', [...UNSHARE_ARGS[ns], 'true']))] as const;
  }));
  return Object.fromEntries(results) as Record<NamespaceType, boolean>;
}

export function namespaceChecks(ns: Record<NamespaceType, boolean>): DoctorCheck[] {
  return NAMESPACE_TYPES.map((t) => ({
    id: `ns.${t}`, title: m().drNsTitle(t), essential: ESSENTIAL_NS.has(t),
    status: ns[t] ? 'ok' : ESSENTIAL_NS.has(t) ? 'fail' : 'warn',
    detail: ns[t] ? m().drNsOk : m().drNsFail(UNSHARE_ARGS[t].join(' ')),
    ...(!ns[t] && { fix: m().drNsFix(KCONFIG[t]) }),
  }));
}

const USERNS_SYSCTLS = [
  '/proc/sys/user/max_user_namespaces',
  '/proc/sys/kernel/unprivileged_userns_clone', // Debian's patch, absent on most kernels
  '/proc/sys/kernel/apparmor_restrict_unprivileged_userns', // Ubuntu 23.10+
];

export async function probeUserns(root: boolean): Promise<DoctorFacts['userns']> {
  const sysctls: Record<string, string> = {};
  for (const p of USERNS_SYSCTLS) {
    const v = readKernelFile(p);
    if (v !== null) sysctls[p.slice('/proc/sys/'.length).replaceAll('/', '.')] = v;
  }
  const asRoot = root && await succeeds('unshare', ['--user', 'true']);
  // What a rootless lesson needs: an ordinary user making a user namespace and mapping itself to root in it.
  const unprivileged = root
    ? await succeeds('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '--user', '--map-root-user', 'true'])
    : await succeeds('unshare', ['--user', '--map-root-user', 'true']);
  return { sysctls, root: asRoot, unprivileged };
}

export function usernsCheck(u: DoctorFacts['userns']): DoctorCheck {
  const shown = Object.entries(u.sysctls).map(([k, v]) => `${k}=${v}`).join(', ');
  const base = { id: 'userns', title: m().drUsernsTitle, essential: false } as const;
  if (u.sysctls['user.max_user_namespaces'] === '0') {
    return { ...base, status: 'warn', detail: m().drUsernsDisabled(shown), fix: 'sysctl -w user.max_user_namespaces=15000' };
  }
  if (u.unprivileged === false) {
    const fix = u.sysctls['kernel.unprivileged_userns_clone'] === '0' ? 'sysctl -w kernel.unprivileged_userns_clone=1'
      : u.sysctls['kernel.apparmor_restrict_unprivileged_userns'] === '1' ? 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'
        : m().drUsernsAllowFix;
    return { ...base, status: 'warn', detail: m().drUsernsRootOnly(shown), fix };
  }
  return { ...base, status: 'ok', detail: m().drUsernsOk(shown) };
}
