import { findTool, freeBytes, existingAncestor, isDynamicElf } from './probes.js';
/** The host tools the lessons run, the Debian/Ubuntu package that has each, and whether lessons need it. */
export const TOOLS = {
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
export function probeTools() {
    return Object.fromEntries(Object.keys(TOOLS).map((t) => [t, findTool(t)]));
}
export function toolChecks(tools) {
    return Object.entries(TOOLS).map(([name, { pkg, essential }]) => {
        const path = tools[name] ?? null;
        const base = { id: `tool.${name}`, title: name, essential };
        if (!path)
            return { ...base, status: essential ? 'fail' : 'warn', detail: 'not found', fix: `apt-get install ${pkg}` };
        // The base image is busybox alone, with no libc beside it: only a static busybox runs there.
        if (name === 'busybox' && isDynamicElf(path)) {
            return { ...base, status: 'fail', detail: `${path} is dynamically linked`, fix: 'apt-get install busybox-static' };
        }
        return { ...base, status: 'ok', detail: path };
    });
}
const GB = 1024 ** 3;
export function probeDisk(stateRoot) {
    const path = existingAncestor(stateRoot);
    return { path, freeBytes: freeBytes(path) };
}
export function diskCheck(d) {
    const free = `${(d.freeBytes / GB).toFixed(1)} GB free under ${d.path}`;
    const base = { id: 'disk', title: 'free disk', essential: true };
    if (d.freeBytes < 0.5 * GB)
        return { ...base, status: 'fail', detail: free, fix: `free some space on ${d.path}, or give boxlab another state root (--root DIR)` };
    if (d.freeBytes < 2 * GB)
        return { ...base, status: 'warn', detail: free, fix: `images and layers need ~2 GB: free some space on ${d.path}` };
    return { ...base, status: 'ok', detail: free };
}
//# sourceMappingURL=tools.js.map