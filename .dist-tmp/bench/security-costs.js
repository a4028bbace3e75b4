/**
 * What each security feature costs a container start, measured step by step, with runc given the same options
 * for comparison. Medians over N runs (default 20).
 *
 *   npm run build && node dist/bench/security-costs.js [iterations]
 *
 * 1. daemon side: resolving capabilities and compiling docker's default seccomp profile (cold and cached),
 *    allocating a uid range, creating/mapping a user namespace, one idmapped layer mount;
 * 2. init side (fresh processes): bounding set, capset, no_new_privs, seccomp load, masked + read-only paths;
 * 3. launch: spawn → program exits, for the namespace launcher without and with a user namespace (maps
 *    written, one idmapped layer, init adopted), which is the difference `--userns remap` adds to `run`;
 * 4. runc 1.1 (if installed): `runc run` of busybox `true`, plain / + docker's default seccomp / + userns.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, readFileSync, writeSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { MNT, setChildSubreaper, umount2 } from '../engine/sys/index.js';
import { allocateRange, compileSeccomp, createUserNamespace, defaultSeccompProfile, idmapMount, ownedPipe, releaseRange, resolveCapabilities, securityPlan, startRemapped, userNamespaceSpawnArgs, } from '../engine/security/index.js';
const N = Number(process.argv[2] ?? 20);
const waitpid = koffi.load('libc.so.6').func('int waitpid(int pid, _Out_ int *status, int options)');
setChildSubreaper(); // startRemapped adopts the init; we reap it by pid
const here = fileURLToPath(new URL('.', import.meta.url));
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const fmt = (ms) => `${ms.toFixed(ms < 1 ? 3 : 2)} ms`;
async function timed(fn) {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
}
async function medianOf(fn, n = N) {
    const xs = [];
    for (let i = 0; i < n; i++)
        xs.push(await timed(fn));
    return median(xs);
}
function row(name, ms, note = '') {
    console.log(`${name.padEnd(52)} ${fmt(ms).padStart(10)}  ${note}`);
}
async function waitExit(child) {
    await new Promise((r) => child.on('close', r));
}
const scratch = mkdtempSync('/var/tmp/boxlab-bench-security-');
chmodSync(scratch, 0o755);
try {
    console.log(`# boxlab security costs, median of ${N}\n`);
    console.log('## daemon side');
    row('securityPlan(default) first call (libseccomp + compile)', await timed(() => securityPlan({})));
    row('securityPlan(default), cached BPF', await medianOf(() => securityPlan({})));
    const caps = resolveCapabilities();
    row('compileSeccomp(docker default) uncached', await medianOf(() => compileSeccomp(defaultSeccompProfile(), { caps })));
    row('resolveCapabilities(--cap-add NET_ADMIN)', await medianOf(() => resolveCapabilities({ capAdd: ['NET_ADMIN'] })));
    const ranges = { stateRoot: join(scratch, 'state'), subuidFile: '/dev/null', subgidFile: '/dev/null' };
    row('allocateRange + releaseRange (locked, fsync-free)', await medianOf(() => { allocateRange('b', ranges); releaseRange('b', ranges.stateRoot); }));
    const alloc = allocateRange('bench', ranges);
    row('createUserNamespace (holder unshare --user cat)', await medianOf(async () => (await createUserNamespace(alloc)).close()));
    const layer = join(scratch, 'layer');
    const lower = join(scratch, 'lower');
    mkdirSync(join(layer, 'etc'), { recursive: true });
    mkdirSync(lower);
    {
        const ns = await createUserNamespace(alloc);
        row('idmapMount of one layer + umount', await medianOf(() => { idmapMount(layer, lower, ns.fd); umount2(lower, MNT.DETACH); }));
        ns.close();
    }
    console.log('\n## init side (fresh node processes)');
    const plan = securityPlan({});
    const steps = {};
    for (let i = 0; i < N; i++) {
        const r = spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', process.execPath, join(here, 'security-steps.js')], {
            env: { BOXLAB_BENCH_PLAN: JSON.stringify(plan), BOXLAB_BENCH_PATHS: '1' }, encoding: 'utf8',
        });
        if (r.status !== 0)
            throw new Error(`security-steps failed: ${r.stderr}`);
        for (const [k, v] of Object.entries(JSON.parse(r.stdout)))
            (steps[k] ??= []).push(v);
    }
    for (const [k, v] of Object.entries(steps))
        row(k, median(v));
    row('total init-side security', median(Object.values(steps).reduce((acc, v) => acc.map((x, i) => x + v[i]), Array(N).fill(0))));
    console.log('\n## launch: spawn → exit, what --userns remap adds');
    const kinds = ['uts', 'ipc', 'net', 'pid'];
    const plain = await medianOf(async () => {
        const c = spawn('unshare', ['--uts', '--ipc', '--net', '--pid', '--fork', '--', '/bin/sh', '-c', 'read x'], { stdio: ['pipe', 'ignore', 'ignore'] });
        c.stdin.end('go\n');
        await waitExit(c);
    });
    row('unshare --uts --ipc --net --pid --fork sh (no userns)', plain);
    const remap = await medianOf(async () => {
        const [file, ...args] = [...userNamespaceSpawnArgs([...kinds]), '/bin/sh', '-c', 'read x'];
        const [stdinRead, stdinWrite] = ownedPipe();
        const c = spawn(file, args, { stdio: [stdinRead, 'ignore', 'ignore'] });
        closeSync(stdinRead);
        const r = await startRemapped({ launcherPid: c.pid, forked: true, allocation: alloc, lowerdirs: [layer], mountDir: join(scratch, 'idmap'), stateRoot: ranges.stateRoot, how: 'idmapped' });
        writeSync(stdinWrite, 'go\n');
        closeSync(stdinWrite);
        r.release();
        while (existsSync(`/proc/${r.initPid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${r.initPid}/status`, 'utf8')))
            await new Promise((res) => setTimeout(res, 0.2));
        waitpid(r.initPid, new Int32Array(1), 0);
    });
    row('same + userns: startRemapped (maps, 1 idmapped layer, adopt)', remap, `(+${fmt(remap - plain)})`);
    const runc = spawnSync('runc', ['--version']).status === 0;
    if (runc) {
        console.log('\n## runc 1.1, `runc run` busybox true');
        const bundle = join(scratch, 'bundle');
        const rootfs = join(bundle, 'rootfs');
        for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp'])
            mkdirSync(join(rootfs, d), { recursive: true });
        cpSync('/bin/busybox', join(rootfs, 'bin/busybox'));
        for (const l of ['sh', 'true', 'unshare'])
            symlinkSync('busybox', join(rootfs, 'bin', l));
        spawnSync('runc', ['spec'], { cwd: bundle });
        const base = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
        base.process.terminal = false;
        base.process.args = ['/bin/true'];
        const variant = (name, tweak) => {
            const c = JSON.parse(JSON.stringify(base));
            tweak(c);
            writeFileSync(join(bundle, 'config.json'), JSON.stringify(c));
            let i = 0;
            return medianOf(() => {
                const r = spawnSync('runc', ['run', '-b', bundle, `boxlab-bench-${process.pid}-${name}-${i++}`], { stdio: 'ignore' });
                if (r.status !== 0)
                    throw new Error(`runc run (${name}) failed`);
            });
        };
        const rPlain = await variant('plain', () => undefined);
        row('runc run', rPlain);
        const rSeccomp = await variant('seccomp', (c) => { c.linux.seccomp = ociSeccomp(defaultSeccompProfile(), caps); });
        row('runc run + docker default seccomp', rSeccomp, `(+${fmt(rSeccomp - rPlain)})`);
        const rUserns = await variant('userns', (c) => {
            c.linux.namespaces.push({ type: 'user' });
            c.linux.uidMappings = [{ containerID: 0, hostID: alloc.uid.start, size: alloc.uid.count }];
            c.linux.gidMappings = [{ containerID: 0, hostID: alloc.gid.start, size: alloc.gid.count }];
        });
        row('runc run + userns (0 → 100000)', rUserns, `(+${fmt(rUserns - rPlain)})`);
    }
    releaseRange('bench', ranges.stateRoot);
}
finally {
    rmSync(scratch, { recursive: true, force: true });
}
/** Docker's profile → the OCI runtime-spec `linux.seccomp` runc takes (the includes/excludes already applied). */
function ociSeccomp(p, bounding) {
    const arch = process.arch === 'x64' ? 'SCMP_ARCH_X86_64' : 'SCMP_ARCH_AARCH64';
    const archMap = p.archMap?.find((m) => m.architecture === arch);
    const nativeName = process.arch === 'x64' ? 'amd64' : 'arm64';
    const syscalls = (p.syscalls ?? []).filter((r) => {
        if (r.excludes?.arches?.includes(nativeName) || r.excludes?.caps?.some((c) => bounding.includes(c)))
            return false;
        if (r.includes?.arches?.length && !r.includes.arches.includes(nativeName))
            return false;
        if (r.includes?.caps?.length && !r.includes.caps.every((c) => bounding.includes(c)))
            return false;
        return true;
    }).map((r) => ({ names: r.names, action: r.action, ...(r.errnoRet !== undefined && { errnoRet: r.errnoRet }), ...(r.args && { args: r.args }) }));
    return { defaultAction: p.defaultAction, defaultErrnoRet: p.defaultErrnoRet, architectures: archMap ? [arch, ...(archMap.subArchitectures ?? [])] : [arch], syscalls };
}
//# sourceMappingURL=security-costs.js.map