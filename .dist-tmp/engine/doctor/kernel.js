import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { NAMESPACE_TYPES } from './types.js';
import { readKernelFile, succeeds } from './probes.js';
const MIN_KERNEL = [5, 4];
export function kernelCheck(kernel = release()) {
    const [major = 0, minor = 0] = kernel.split(/[.-]/).map((n) => Number.parseInt(n, 10));
    const okVersion = major > MIN_KERNEL[0] || (major === MIN_KERNEL[0] && minor >= MIN_KERNEL[1]);
    return {
        id: 'kernel', title: 'kernel', essential: true,
        status: okVersion ? 'ok' : 'warn',
        detail: `${kernel}${okVersion ? '' : ` (older than ${MIN_KERNEL.join('.')}; lessons are tested on 6.1+)`}`,
        ...(!okVersion && { fix: 'use a current distribution kernel: Debian 12 / Ubuntu 22.04 or newer (the Vagrant VM has one)' }),
    };
}
// util-linux unshare(1) creates the namespace in a child, so the doctor itself stays where it is.
const UNSHARE_ARGS = {
    mnt: ['--mount'], uts: ['--uts'], ipc: ['--ipc'], net: ['--net'], pid: ['--pid', '--fork'],
    user: ['--user'], cgroup: ['--cgroup'], time: ['--time'],
};
const KCONFIG = {
    mnt: 'CONFIG_NAMESPACES', uts: 'CONFIG_UTS_NS', ipc: 'CONFIG_IPC_NS', net: 'CONFIG_NET_NS', pid: 'CONFIG_PID_NS',
    user: 'CONFIG_USER_NS', cgroup: 'CONFIG_CGROUPS', time: 'CONFIG_TIME_NS',
};
// The lessons cannot run without these; the others are used by one lesson each.
const ESSENTIAL_NS = new Set(['mnt', 'uts', 'ipc', 'net', 'pid']);
export async function probeNamespaces(root) {
    const results = await Promise.all(NAMESPACE_TYPES.map(async (ns) => {
        const listed = existsSync(`/proc/self/ns/${ns}`);
        // Unprivileged, creating most namespaces fails with EPERM whatever the kernel can do: trust /proc then.
        return [ns, listed && (!root || await succeeds('unshare', [...UNSHARE_ARGS[ns], 'true']))];
    }));
    return Object.fromEntries(results);
}
export function namespaceChecks(ns) {
    return NAMESPACE_TYPES.map((t) => ({
        id: `ns.${t}`, title: `${t} namespace`, essential: ESSENTIAL_NS.has(t),
        status: ns[t] ? 'ok' : ESSENTIAL_NS.has(t) ? 'fail' : 'warn',
        detail: ns[t] ? 'can be created' : `cannot be created (unshare ${UNSHARE_ARGS[t].join(' ')} failed)`,
        ...(!ns[t] && { fix: `the kernel lacks ${KCONFIG[t]} or a sandbox forbids it: run in the boxlab VM (vagrant up)` }),
    }));
}
const USERNS_SYSCTLS = [
    '/proc/sys/user/max_user_namespaces',
    '/proc/sys/kernel/unprivileged_userns_clone', // Debian's patch, absent on most kernels
    '/proc/sys/kernel/apparmor_restrict_unprivileged_userns', // Ubuntu 23.10+
];
export async function probeUserns(root) {
    const sysctls = {};
    for (const p of USERNS_SYSCTLS) {
        const v = readKernelFile(p);
        if (v !== null)
            sysctls[p.slice('/proc/sys/'.length).replaceAll('/', '.')] = v;
    }
    const asRoot = root && await succeeds('unshare', ['--user', 'true']);
    // What a rootless lesson needs: an ordinary user making a user namespace and mapping itself to root in it.
    const unprivileged = root
        ? await succeeds('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '--user', '--map-root-user', 'true'])
        : await succeeds('unshare', ['--user', '--map-root-user', 'true']);
    return { sysctls, root: asRoot, unprivileged };
}
export function usernsCheck(u) {
    const shown = Object.entries(u.sysctls).map(([k, v]) => `${k}=${v}`).join(', ');
    const base = { id: 'userns', title: 'rootless user ns', essential: false };
    if (u.sysctls['user.max_user_namespaces'] === '0') {
        return { ...base, status: 'warn', detail: `disabled (${shown})`, fix: 'sysctl -w user.max_user_namespaces=15000' };
    }
    if (u.unprivileged === false) {
        const fix = u.sysctls['kernel.unprivileged_userns_clone'] === '0' ? 'sysctl -w kernel.unprivileged_userns_clone=1'
            : u.sysctls['kernel.apparmor_restrict_unprivileged_userns'] === '1' ? 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0'
                : 'allow unprivileged user namespaces (see the sysctls shown)';
        return { ...base, status: 'warn', detail: `root only; an ordinary user cannot make one (${shown})`, fix };
    }
    return { ...base, status: 'ok', detail: `allowed, also unprivileged${shown ? ` (${shown})` : ''}` };
}
//# sourceMappingURL=kernel.js.map