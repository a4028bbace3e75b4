import { fstatSync, readSync, closeSync } from 'node:fs';
import { release } from 'node:os';
import koffi from 'koffi';
import { emitTrace, traceNote } from '../sys/trace.js';
import { SysError, UserError } from '../sys/errors.js';
import { sys } from '../sys/libc.js';
import defaultProfileData from './default-seccomp.json' with { type: 'json' };
export function defaultSeccompProfile() {
    return defaultProfileData;
}
/** Parses and shape-checks a user profile (the text of `seccomp=PROFILE.json`). */
export function parseSeccompProfile(text, source = 'seccomp profile') {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (e) {
        throw new UserError(`${source} is not valid JSON (${e.message}): give docker's seccomp profile format`);
    }
    const bad = (what) => { throw new UserError(`${source}: ${what}`); };
    if (typeof data !== 'object' || data === null || Array.isArray(data))
        bad('expected a JSON object with "defaultAction"');
    const p = data;
    if (typeof p.defaultAction !== 'string')
        bad('"defaultAction" is missing (e.g. "SCMP_ACT_ERRNO")');
    if (p.syscalls !== undefined && p.syscalls !== null && !Array.isArray(p.syscalls))
        bad('"syscalls" must be a list');
    if (p.architectures !== undefined && p.archMap !== undefined && p.architectures?.length && p.archMap?.length) {
        bad('both "architectures" and "archMap" are given: use one of them');
    }
    for (const [i, r] of (p.syscalls ?? []).entries()) {
        const rule = r;
        if (typeof rule !== 'object' || rule === null)
            bad(`syscalls[${i}] must be an object`);
        if (typeof rule.action !== 'string')
            bad(`syscalls[${i}] has no "action"`);
        if (rule.name !== undefined && rule.names !== undefined)
            bad(`syscalls[${i}] has both "name" and "names": use one`);
        const names = rule.names ?? (rule.name !== undefined ? [rule.name] : undefined);
        if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
            bad(`syscalls[${i}] needs "names": a list of syscall names`);
    }
    return p;
}
// ---- libseccomp ------------------------------------------------------------------------------------------
let seccompLib;
function bindLibseccomp() {
    const lib = koffi.load('libseccomp.so.2');
    const libc = koffi.load('libc.so.6');
    return {
        init: lib.func('void *seccomp_init(uint32_t def_action)'),
        release: lib.func('void seccomp_release(void *ctx)'),
        archAdd: lib.func('int seccomp_arch_add(void *ctx, uint32_t arch)'),
        archNative: lib.func('uint32_t seccomp_arch_native()'),
        archResolve: lib.func('uint32_t seccomp_arch_resolve_name(const char *name)'),
        resolveArch: lib.func('int seccomp_syscall_resolve_name_arch(uint32_t arch, const char *name)'),
        resolve: lib.func('int seccomp_syscall_resolve_name(const char *name)'),
        ruleAdd: lib.func('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int cnt, void *args)'),
        attrSet: lib.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
        exportBpf: lib.func('int seccomp_export_bpf(void *ctx, int fd)'),
        load: lib.func('int seccomp_load(void *ctx)'),
        memfdCreate: libc.func('int memfd_create(const char *name, unsigned int flags)'),
    };
}
function libseccomp() {
    try {
        seccompLib ??= bindLibseccomp();
    }
    catch (e) {
        throw new UserError(`seccomp profiles need libseccomp (${e.message}): install libseccomp2 (apt-get install libseccomp2), or run with --security-opt seccomp=unconfined`);
    }
    return seccompLib;
}
/** libseccomp returns -errno rather than setting errno. */
function scmp(name, args, call) {
    const time = Date.now();
    const start = process.hrtime.bigint();
    const rc = call();
    const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (rc < 0) {
        const err = new SysError(name, args, -rc);
        emitTrace({ time, kind: 'syscall', name, args, error: err.code, durationMs });
        throw err;
    }
    emitTrace({ time, kind: 'syscall', name, args, result: String(rc), durationMs });
    return rc;
}
const ACT = {
    KILL_PROCESS: 0x80000000,
    KILL_THREAD: 0x00000000,
    TRAP: 0x00030000,
    ERRNO: 0x00050000,
    TRACE: 0x7ff00000,
    LOG: 0x7ffc0000,
    ALLOW: 0x7fff0000,
};
const EPERM = 1;
function actionValue(action, errnoRet, where) {
    const data = (n, dflt) => ((n ?? dflt) & 0xffff) >>> 0;
    switch (action) {
        case 'SCMP_ACT_KILL':
        case 'SCMP_ACT_KILL_THREAD': return ACT.KILL_THREAD;
        case 'SCMP_ACT_KILL_PROCESS': return ACT.KILL_PROCESS;
        case 'SCMP_ACT_TRAP': return ACT.TRAP;
        case 'SCMP_ACT_ERRNO': return (ACT.ERRNO | data(errnoRet, EPERM)) >>> 0;
        case 'SCMP_ACT_TRACE': return (ACT.TRACE | data(errnoRet, EPERM)) >>> 0;
        case 'SCMP_ACT_LOG': return ACT.LOG;
        case 'SCMP_ACT_ALLOW': return ACT.ALLOW;
        case 'SCMP_ACT_NOTIFY':
            throw new UserError(`${where}: SCMP_ACT_NOTIFY needs a seccomp agent, which boxlab does not run: use SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_LOG or SCMP_ACT_ALLOW`);
        default:
            throw new UserError(`${where}: unknown action "${action}": use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG`);
    }
}
const CMP = {
    SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
};
/** Node's process.arch → the names docker's profiles use in includes/excludes "arches". */
function nativeArchName() {
    return { x64: 'amd64', arm64: 'arm64', ia32: 'x86', arm: 'arm' }[process.arch] ?? process.arch;
}
const NATIVE_SCMP_ARCH = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64' };
/** Arches whose syscall tables we consult to tell a typo from a syscall that merely is not on this arch. */
const KNOWN_ARCHES = ['x86_64', 'x86', 'x32', 'aarch64', 'arm', 'riscv64', 's390x', 'ppc64le'];
function kernelAtLeast(version) {
    const have = release().split(/[.-]/).map((x) => Number.parseInt(x, 10));
    const want = version.split('.').map((x) => Number.parseInt(x, 10));
    for (let i = 0; i < want.length; i++) {
        const h = have[i] ?? 0;
        const w = want[i] ?? 0;
        if (h !== w)
            return h > w;
    }
    return true;
}
/** Docker's includes/excludes filtering (moby/profiles setupSeccomp): caps are checked against the bounding set. */
function ruleApplies(rule, caps) {
    const arch = nativeArchName();
    const ex = rule.excludes;
    if (ex) {
        if (ex.arches?.includes(arch))
            return false;
        if (ex.caps?.some((c) => caps.includes(c)))
            return false;
        if (ex.minKernel && kernelAtLeast(ex.minKernel))
            return false;
    }
    const inc = rule.includes;
    if (inc) {
        if (inc.arches?.length && !inc.arches.includes(arch))
            return false;
        if (inc.caps?.length && !inc.caps.every((c) => caps.includes(c)))
            return false;
        if (inc.minKernel && !kernelAtLeast(inc.minKernel))
            return false;
    }
    return true;
}
function scmpArchToken(name, source) {
    const token = libseccomp().archResolve(name.replace(/^SCMP_ARCH_/, '').toLowerCase());
    if (!token)
        throw new UserError(`${source}: unknown architecture "${name}" (e.g. SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64)`);
    return token;
}
let defaultNames;
function knownToDocker(name) {
    defaultNames ??= new Set((defaultSeccompProfile().syscalls ?? []).flatMap((r) => r.names ?? []));
    return defaultNames.has(name);
}
function knownAnywhere(name) {
    const lib = libseccomp();
    for (const a of KNOWN_ARCHES) {
        const token = lib.archResolve(a);
        if (token && lib.resolveArch(token, name) !== -1)
            return true;
    }
    return false;
}
function argBuffer(conds) {
    if (conds.length === 0)
        return null;
    const buf = Buffer.alloc(24 * conds.length); // struct scmp_arg_cmp { uint arg; enum op; u64 a; u64 b; }
    conds.forEach((c, i) => {
        buf.writeUInt32LE(c.arg, i * 24);
        buf.writeUInt32LE(c.op, i * 24 + 4);
        buf.writeBigUInt64LE(c.a, i * 24 + 8);
        buf.writeBigUInt64LE(c.b, i * 24 + 16);
    });
    return buf;
}
/**
 * Builds the filter with libseccomp and exports it as BPF. Unknown syscall names: a name libseccomp knows on
 * some architecture but not this one (`open` on arm64), or one docker's own default profile lists but this
 * libseccomp predates (`cachestat`), is skipped like docker does; any other name is a typo → UserError.
 */
export function compileSeccomp(profile, opts) {
    const source = opts.source ?? 'seccomp profile';
    const lib = libseccomp();
    const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet, `${source} defaultAction`);
    const ctx = lib.init(defaultAction);
    if (!ctx)
        throw new Error('seccomp_init failed');
    try {
        // 0 = do not set no_new_privs on load: NNP is its own option (--security-opt no-new-privileges), as in docker
        scmp('seccomp_attr_set', 'SCMP_FLTATR_CTL_NNP, 0', () => lib.attrSet(ctx, 3, 0));
        const arches = profile.architectures?.length ? profile.architectures
            : (profile.archMap ?? []).filter((m) => m.architecture === NATIVE_SCMP_ARCH[nativeArchName()])
                .flatMap((m) => [m.architecture, ...(m.subArchitectures ?? [])]);
        for (const a of arches) {
            const token = scmpArchToken(a, source);
            const rc = lib.archAdd(ctx, token);
            if (rc < 0 && rc !== -17 /* EEXIST: the native arch is already in */)
                throw new SysError('seccomp_arch_add', a, -rc);
        }
        const skipped = [];
        let rules = 0;
        for (const [i, rule] of (profile.syscalls ?? []).entries()) {
            const where = `${source} syscalls[${i}]`;
            const action = actionValue(rule.action, rule.errnoRet, where);
            const names = rule.names ?? (rule.name !== undefined ? [rule.name] : []);
            const conds = (rule.args ?? []).map((arg, j) => {
                const op = CMP[arg.op];
                if (op === undefined)
                    throw new UserError(`${where}.args[${j}]: unknown operator "${arg.op}" (SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ)`);
                if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5)
                    throw new UserError(`${where}.args[${j}]: "index" must be 0..5`);
                return { arg: arg.index, op, a: BigInt.asUintN(64, BigInt(arg.value)), b: BigInt.asUintN(64, BigInt(arg.valueTwo ?? 0)) };
            });
            // a typo is an error even when the rule does not apply to this container
            for (const name of names) {
                if (!knownAnywhere(name) && !knownToDocker(name)) {
                    throw new UserError(`${where}: unknown syscall "${name}": check the spelling (names as in syscalls(2), e.g. "unshare")`);
                }
            }
            if (!ruleApplies(rule, opts.caps))
                continue;
            if (action === defaultAction)
                continue; // libseccomp refuses rules equal to the default; they change nothing
            // several conditions on the same argument cannot be ANDed in one libseccomp rule: add one rule each (runc)
            const repeated = new Set(conds.map((c) => c.arg)).size !== conds.length;
            const groups = repeated ? conds.map((c) => [c]) : [conds];
            for (const name of names) {
                const nr = lib.resolve(name);
                if (nr === -1) {
                    skipped.push(name);
                    continue;
                }
                for (const group of groups) {
                    const rc = lib.ruleAdd(ctx, action, nr, group.length, argBuffer(group));
                    if (rc < 0)
                        throw new UserError(`${where}: libseccomp refused the rule for "${name}" (${new SysError('seccomp_rule_add', name, -rc).code})`);
                    rules++;
                }
            }
        }
        const bpf = exportBpf(ctx);
        traceNote('seccomp', `compiled ${source}: ${rules} rules, ${bpf.length / 8} BPF instructions${skipped.length ? `, skipped ${skipped.join(' ')}` : ''}`);
        return { bpf, skipped, rules };
    }
    finally {
        lib.release(ctx);
    }
}
function exportBpf(ctx) {
    const lib = libseccomp();
    const fd = sys('memfd_create', '"seccomp-bpf", MFD_CLOEXEC', () => lib.memfdCreate('seccomp-bpf', 1));
    try {
        scmp('seccomp_export_bpf', `ctx, ${fd}`, () => lib.exportBpf(ctx, fd));
        const size = fstatSync(fd).size;
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, 0);
        return buf;
    }
    finally {
        closeSync(fd);
    }
}
// ---- init side --------------------------------------------------------------------------------------------
const libc = koffi.load('libc.so.6');
const rawSyscall = libc.func('long syscall(long number, ...)');
const SECCOMP_SET_MODE_FILTER = 1;
const SECCOMP_NR = { x64: 317, arm64: 277 };
/**
 * Installs a compiled filter on the calling thread (and what it execve's). Needs no_new_privs or
 * CAP_SYS_ADMIN in the effective set. Everything the caller does afterwards — the rest of the init and the
 * execve itself — must be allowed by the profile (docker's default allows capset, prctl, execve).
 */
export function loadSeccompProgram(bpf) {
    if (bpf.length === 0 || bpf.length % 8 !== 0)
        throw new Error(`seccomp: a BPF program is a multiple of 8 bytes, got ${bpf.length}`);
    const nr = SECCOMP_NR[process.arch];
    if (nr === undefined)
        throw new Error(`seccomp: unsupported arch ${process.arch}`);
    // struct sock_fprog { unsigned short len; /* pad */ struct sock_filter *filter; }
    const prog = Buffer.alloc(16);
    prog.writeUInt16LE(bpf.length / 8, 0);
    prog.writeBigUInt64LE(koffi.address(bpf), 8);
    sys('seccomp', `SECCOMP_SET_MODE_FILTER, 0, {len=${bpf.length / 8}}`, () => rawSyscall(nr, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', 0, 'void *', prog));
}
/** Compile and load in one go (tests, tools). The init should get `bpf` from the daemon instead. */
export function loadSeccomp(profile, opts) {
    const compiled = compileSeccomp(profile, opts);
    loadSeccompProgram(compiled.bpf);
    return compiled;
}
/** The `Seccomp:` line of /proc/PID/status: 0 disabled, 1 strict, 2 filter. */
export function seccompModeName(mode) {
    return ['disabled', 'strict', 'filter'][mode] ?? String(mode);
}
//# sourceMappingURL=seccomp.js.map