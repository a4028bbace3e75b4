import { readFileSync } from 'node:fs';
import { hostSync, traceNote, UserError } from '../sys/index.js';
import { CAPABILITY_NAMES, lastCap, resolveCapabilities } from './capabilities.js';
import { assertUserNamespacesAvailable } from './userns.js';
import { probeIdmap } from './idmap.js';
import { compileSeccomp, defaultSeccompProfile, parseSeccompProfile } from './seccomp.js';
import { defaultMaskedPaths, DOCKER_READONLY_PATHS } from './paths.js';
export * from './capabilities.js';
export * from './seccomp.js';
export * from './paths.js';
export * from './idranges.js';
export * from './userns.js';
export * from './idmap.js';
export * from './remap.js';
/**
 * `--security-opt` values as docker takes them: `seccomp=unconfined`, `seccomp=builtin`, `seccomp=<JSON text>` (the docker CLI
 * sends the file's content), `seccomp=/path/profile.json` (boxlab's CLI and daemon share the host, so a path
 * works too), `no-new-privileges[=true|false]`, `systempaths=unconfined`; `:` works for `=` (old syntax).
 * apparmor/label options are accepted and ignored (boxlab has no LSM profiles). Anything else → UserError.
 */
export function parseSecurityOpts(opts) {
    const out = { noNewPrivileges: false, systemPathsUnconfined: false };
    for (const opt of opts) {
        const m = /^([a-z-]+)(?:[=:]([\s\S]*))?$/.exec(opt.trim());
        const key = m?.[1];
        const value = m?.[2];
        if (key === 'seccomp' && value)
            out.seccomp = value === 'builtin' ? undefined : value;
        else if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === ''))
            out.noNewPrivileges = true;
        else if (key === 'no-new-privileges' && value === 'false')
            out.noNewPrivileges = false;
        else if (key === 'systempaths' && value === 'unconfined')
            out.systemPathsUnconfined = true;
        else if ((key === 'apparmor' || key === 'label') && value !== undefined)
            traceNote('security', `--security-opt ${key}: ignored (no LSM in boxlab)`);
        else
            throw new UserError(`invalid --security-opt "${opt.slice(0, 60)}": use seccomp=unconfined|PROFILE.json, no-new-privileges or systempaths=unconfined`);
    }
    return out;
}
function loadProfileText(value) {
    if (value.trimStart().startsWith('{'))
        return { text: value, source: 'seccomp profile' };
    try {
        return { text: readFileSync(value, 'utf8'), source: `seccomp profile ${value}` };
    }
    catch (e) {
        throw new UserError(`cannot read seccomp profile ${value}: ${e.code ?? e.message}`);
    }
}
const defaultCompiled = new Map();
/**
 * Daemon side, before anything is created: resolves capabilities, parses and COMPILES the seccomp profile
 * (so a bad profile fails here, with nothing to undo), picks the masked/read-only paths.
 * Privileged = all capabilities, no seccomp, no masked/read-only paths (docker).
 */
export function securityPlan(hc) {
    const privileged = hc.Privileged === true;
    const capabilities = resolveCapabilities({ capAdd: hc.CapAdd, capDrop: hc.CapDrop, privileged });
    const opts = parseSecurityOpts(hc.SecurityOpt ?? []);
    let seccomp = { mode: 'unconfined' };
    if (!privileged && opts.seccomp !== 'unconfined') {
        const { profile, source } = opts.seccomp === undefined
            ? { profile: defaultSeccompProfile(), source: 'default' }
            : (() => { const t = loadProfileText(opts.seccomp); return { profile: parseSeccompProfile(t.text, t.source), source: t.source }; })();
        // the default profile is compiled once per capability set; a user profile (a path may change) every time
        const key = opts.seccomp === undefined ? capabilities.join(',') : undefined;
        let bpf = key === undefined ? undefined : defaultCompiled.get(key);
        if (bpf === undefined) {
            bpf = compileSeccomp(profile, { caps: capabilities, source: source === 'default' ? 'docker default profile' : source }).bpf.toString('base64');
            if (key !== undefined)
                defaultCompiled.set(key, bpf);
        }
        seccomp = { mode: 'filter', profile: source, bpf };
    }
    const paths = !privileged && !opts.systemPathsUnconfined;
    return {
        privileged,
        capabilities,
        noNewPrivileges: opts.noNewPrivileges,
        seccomp,
        maskedPaths: paths ? defaultMaskedPaths() : [],
        readonlyPaths: paths ? [...DOCKER_READONLY_PATHS] : [],
    };
}
// The init-side steps live in process.ts: the init imports that file alone (no execa, no libseccomp).
export { applyPathSecurity, becomeNamespaceRoot, finishProcessSecurity, prepareProcessSecurity } from './process.js';
/** For `inspect`: the four lines of /proc/PID/status that describe a process's confinement. */
export function describeConfinement(pid) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => new RegExp(`^${k}:\\s+(\\S+)`, 'm').exec(status)?.[1] ?? '';
    return {
        capEff: get('CapEff'),
        capBnd: get('CapBnd'),
        noNewPrivs: get('NoNewPrivs') === '1',
        seccomp: ['disabled', 'strict', 'filter'][Number(get('Seccomp'))] ?? get('Seccomp'),
    };
}
/** `boxlab doctor` lines for this area: user namespaces, idmapped mounts on the layer store, seccomp, caps. */
export async function securityDoctor(layerStore = '/var/lib/boxlab') {
    const items = [];
    try {
        assertUserNamespacesAvailable();
        const keepCaps = hostSync('unshare', ['--help'], { allowFailure: true }).stdout.includes('--keep-caps');
        items.push({ name: 'user namespaces', ok: keepCaps, detail: keepCaps ? 'available (--userns remap)' : 'util-linux unshare lacks --keep-caps: upgrade util-linux (≥ 2.35)' });
        const idmap = await probeIdmap(layerStore);
        items.push({ name: 'idmapped layers', ok: true, detail: idmap === 'idmapped' ? `idmapped mounts on ${layerStore}` : `not supported on ${layerStore}: layers are copied and chowned once per uid range` });
    }
    catch (e) {
        items.push({ name: 'user namespaces', ok: false, detail: e.message });
    }
    try {
        compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }, { caps: [] });
        const filterMode = /^Seccomp:/m.test(readFileSync('/proc/self/status', 'utf8'));
        items.push({ name: 'seccomp', ok: filterMode, detail: filterMode ? 'libseccomp loaded; kernel has seccomp filters' : 'kernel built without CONFIG_SECCOMP_FILTER' });
    }
    catch (e) {
        items.push({ name: 'seccomp', ok: false, detail: e.message });
    }
    items.push({ name: 'capabilities', ok: true, detail: `cap_last_cap ${lastCap()} (${CAPABILITY_NAMES[lastCap()]})` });
    return items;
}
//# sourceMappingURL=index.js.map