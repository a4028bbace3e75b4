/**
 * The init side of engine/security, called by the container's init stage in this order: applyPathSecurity
 * (after pivot_root, /proc mounted), prepareProcessSecurity (before setgroups/setgid/setuid),
 * finishProcessSecurity (after setuid, the last thing before execve). Kept apart from index.ts so the init
 * loads only what it runs.
 */
import { setgid, setgroups, setNoNewPrivs, setuid } from '../sys/calls.js';
import { applyBoundingSet, applyCapabilities, keepCapabilitiesAcrossSetuid, raiseEffective } from './capabilities.js';
import { loadSeccompProgram } from './seccomp.js';
import { applyMaskedPaths, applyReadonlyPaths } from './paths.js';
/**
 * Step 1 (init, still root, after /proc and /sys are mounted in the container — after pivot_root, so
 * `rootPrefix` is ''): hide the masked paths, make the read-only ones read-only.
 */
export function applyPathSecurity(plan, rootPrefix = '') {
    applyMaskedPaths(rootPrefix, plan.maskedPaths);
    applyReadonlyPaths(rootPrefix, plan.readonlyPaths);
}
/**
 * Step 2 (init, still root, right BEFORE setgroups/setgid/setuid for `-u`): shrink the bounding set (needs
 * CAP_SETPCAP, which a later setuid would take away) and set PR_SET_KEEPCAPS so the permitted set survives
 * setuid — step 3 needs CAP_SYS_ADMIN once more to load seccomp without no_new_privs.
 */
export function prepareProcessSecurity(plan) {
    applyBoundingSet(plan.capabilities);
    keepCapabilitiesAcrossSetuid(true);
}
/**
 * Step 3 (init, after setuid, the last thing before execve): capabilities, no_new_privs, seccomp.
 * With no_new_privs the filter is loaded last (it needs no privilege then), as runc does. Without it the kernel
 * wants CAP_SYS_ADMIN to install a filter, so CAP_SYS_ADMIN is raised from the kept permitted set, the filter
 * is loaded, and only then are the capabilities cut to the container's set — the profile must therefore
 * allow capset and prctl (docker's does), and execve in every case.
 */
export function finishProcessSecurity(plan, opts) {
    const filter = plan.seccomp.mode === 'filter' ? Buffer.from(plan.seccomp.bpf, 'base64') : null;
    if (filter && !plan.noNewPrivileges) {
        raiseEffective();
        loadSeccompProgram(filter);
        applyCapabilities(plan.capabilities, opts);
        return;
    }
    applyCapabilities(plan.capabilities, opts);
    if (plan.noNewPrivileges)
        setNoNewPrivs();
    if (filter)
        loadSeccompProgram(filter);
}
/**
 * Init side, first thing after the config arrived in a remapped container (`--userns remap`): become root OF
 * the user namespace (host uid/gid = the range's first id). Until then the init runs as host uid 0, which the
 * namespace cannot map (it shows as 65534); its capabilities come from `unshare --keep-caps`. Then the init
 * unshares its own mount namespace (engine/security/userns.ts explains why there).
 */
export function becomeNamespaceRoot() {
    setgroups([]);
    setgid(0);
    setuid(0);
}
//# sourceMappingURL=process.js.map