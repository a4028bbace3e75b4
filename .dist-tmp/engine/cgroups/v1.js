import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { SysError, UserError } from '../sys/index.js';
import { effectiveMemorySwap, nanoCpusToQuota, CPU_PERIOD_US, parseKeyed, parseLimit } from './convert.js';
import { killUntilEmpty, mkdirCg, readCg, readPids, rmdirCg, sigkillEach, subdirs, subtreeBottomUp, tryReadCg, waitUntil, writeCg, } from './fsio.js';
import { V1_CONTROLLERS } from './mode.js';
import { checkCgroupPath } from './paths.js';
import { hostCpus, validateResources } from './validate.js';
/** Controller -> hierarchy mount point, for the controllers boxlab uses that are mounted here. */
export function v1Roots(mounts) {
    const roots = new Map();
    for (const c of V1_CONTROLLERS) {
        const root = mounts.v1.get(c);
        if (root !== undefined)
            roots.set(c, root);
    }
    return roots;
}
/**
 * A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and the kernel refuses to put a task
 * into it (ENOSPC, "no space left on device"). Copy the parent's values down — mems first, the notes' rule.
 */
function fillCpuset(dir) {
    for (const file of ['cpuset.mems', 'cpuset.cpus']) {
        if (readCg(join(dir, file)) === '')
            writeCg(join(dir, file), readCg(join(dir, '..', file)));
    }
}
/**
 * cgroup v1: one directory per controller hierarchy (/sys/fs/cgroup/memory/boxlab/<id>,
 * /sys/fs/cgroup/cpu/boxlab/<id>, ...). Co-mounted controllers (cpu,cpuacct) share one directory.
 */
export class V1Manager {
    version = 1;
    name;
    parent;
    roots;
    constructor(opts) {
        this.parent = checkCgroupPath('parent', opts.parent);
        this.name = `${this.parent}/${checkCgroupPath('name', opts.name)}`;
        this.roots = v1Roots(opts.mounts);
        if (this.roots.size === 0)
            throw new Error('no cgroup v1 controllers are mounted');
    }
    dirs() {
        const out = {};
        for (const [c, root] of this.roots)
            out[c] = join(root, this.name);
        return out;
    }
    dir(controller) {
        const root = this.roots.get(controller);
        return root === undefined ? undefined : join(root, this.name);
    }
    need(controller, what) {
        const d = this.dir(controller);
        if (d === undefined)
            throw new UserError(`${what} needs the cgroup v1 "${controller}" controller, which is not mounted on this machine`);
        return d;
    }
    /** One directory per hierarchy (co-mounted controllers appear once). */
    uniqueDirs() {
        return [...new Set(Object.values(this.dirs()))];
    }
    create() {
        const made = [];
        try {
            for (const [controller, root] of this.roots) {
                let dir = root;
                for (const part of this.name.split('/')) {
                    dir = join(dir, part);
                    if (mkdirCg(dir))
                        made.push(dir);
                    if (controller === 'cpuset')
                        fillCpuset(dir);
                }
            }
        }
        catch (err) {
            // No half-made state: remove what this call made, deepest first.
            for (const dir of made.reverse()) {
                try {
                    rmdirCg(dir);
                }
                catch {
                    // best effort; the original error matters more
                }
            }
            throw err;
        }
    }
    apply(pid) {
        for (const dir of this.uniqueDirs())
            writeCg(join(dir, 'cgroup.procs'), String(pid));
    }
    set(r) {
        validateResources(r, hostCpus());
        this.setMemory(r);
        if (r.CpuShares !== undefined && r.CpuShares > 0) {
            writeCg(join(this.need('cpu', '--cpu-shares'), 'cpu.shares'), String(r.CpuShares));
        }
        if (r.NanoCpus !== undefined) {
            const cpu = this.need('cpu', '--cpus');
            writeCg(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
            writeCg(join(cpu, 'cpu.cfs_quota_us'), String(nanoCpusToQuota(r.NanoCpus)));
        }
        // mems before cpus: the order the notes learned the hard way (a cpuset without mems refuses tasks).
        if (r.CpusetMems)
            writeCg(join(this.need('cpuset', '--cpuset-mems'), 'cpuset.mems'), r.CpusetMems);
        if (r.CpusetCpus)
            writeCg(join(this.need('cpuset', '--cpuset-cpus'), 'cpuset.cpus'), r.CpusetCpus);
        if (r.PidsLimit !== undefined) {
            writeCg(join(this.need('pids', '--pids-limit'), 'pids.max'), r.PidsLimit > 0 ? String(r.PidsLimit) : 'max');
        }
    }
    /**
     * The kernel insists memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every moment, so the order of
     * the two writes depends on whether the limits grow or shrink (what runc does).
     */
    setMemory(r) {
        if (r.Memory === undefined && r.MemorySwap === undefined)
            return;
        const dir = this.need('memory', '--memory');
        const memsw = join(dir, 'memory.memsw.limit_in_bytes');
        const swapAccounting = tryReadCg(memsw) !== undefined;
        const total = effectiveMemorySwap(r, swapAccounting);
        const mem = r.Memory === undefined ? undefined : String(r.Memory > 0 ? r.Memory : -1);
        const writeMem = () => {
            if (mem !== undefined)
                this.writeLimit(join(dir, 'memory.limit_in_bytes'), mem, '--memory');
        };
        if (total === undefined || !swapAccounting) {
            writeMem();
            return;
        }
        const current = parseLimit(readCg(join(dir, 'memory.limit_in_bytes'))) ?? Infinity;
        const growing = total === -1 || total > current;
        if (growing) {
            this.writeLimit(memsw, String(total), '--memory-swap');
            writeMem();
        }
        else {
            writeMem();
            this.writeLimit(memsw, String(total), '--memory-swap');
        }
    }
    writeLimit(path, value, flag) {
        try {
            writeCg(path, value);
        }
        catch (err) {
            if (err instanceof SysError && err.code === 'EBUSY') {
                throw new UserError(`${flag}: the kernel refused ${value} bytes (EBUSY): the container already uses more than that and nothing can be reclaimed`);
            }
            throw err;
        }
    }
    stats() {
        const mem = this.dir('memory');
        const cpu = this.dir('cpu');
        const acct = this.dir('cpuacct');
        const pids = this.dir('pids');
        const num = (dir, file) => {
            const t = dir === undefined ? undefined : tryReadCg(join(dir, file));
            return t === undefined ? undefined : Number(t);
        };
        const oom = mem === undefined ? {} : parseKeyed(tryReadCg(join(mem, 'memory.oom_control')) ?? '');
        const cpuStat = cpu === undefined ? {} : parseKeyed(tryReadCg(join(cpu, 'cpu.stat')) ?? '');
        const memLimit = mem === undefined ? undefined : parseLimit(tryReadCg(join(mem, 'memory.limit_in_bytes')) ?? '');
        const pidsLimit = pids === undefined ? undefined : parseLimit(tryReadCg(join(pids, 'pids.max')) ?? '');
        const maxUsage = num(mem, 'memory.max_usage_in_bytes');
        const failcnt = num(mem, 'memory.failcnt');
        return {
            memory: {
                usage: num(mem, 'memory.usage_in_bytes') ?? 0,
                limit: memLimit ?? totalmem(),
                ...(maxUsage !== undefined && { maxUsage }),
                oomKills: oom.oom_kill ?? 0,
                ...(failcnt !== undefined && { failcnt }),
            },
            cpu: {
                usageNs: num(acct, 'cpuacct.usage') ?? 0,
                periods: cpuStat.nr_periods ?? 0,
                throttledPeriods: cpuStat.nr_throttled ?? 0,
                throttledTimeNs: cpuStat.throttled_time ?? 0, // v1 reports nanoseconds
            },
            pids: { current: num(pids, 'pids.current') ?? this.procs().length, limit: pidsLimit ?? 0 },
        };
    }
    freeze() {
        const state = join(this.need('freezer', 'pause'), 'freezer.state');
        // FREEZING means some task has not stopped yet; rewriting FROZEN makes the kernel try again (runc does so).
        const frozen = waitUntil(() => {
            writeCg(state, 'FROZEN');
            return readCg(state) === 'FROZEN';
        }, 5000, 50);
        if (!frozen) {
            writeCg(state, 'THAWED');
            throw new Error(`could not freeze ${this.name}: ${state} stayed FREEZING for 5 s`);
        }
    }
    thaw() {
        const state = join(this.need('freezer', 'unpause'), 'freezer.state');
        writeCg(state, 'THAWED');
        if (!waitUntil(() => readCg(state) === 'THAWED', 5000))
            throw new Error(`could not thaw ${this.name}`);
    }
    oomKilled() {
        return this.stats().memory.oomKills > 0;
    }
    /** Processes in this cgroup and the cgroups below it, from every hierarchy (they should agree). */
    procs() {
        const pids = new Set();
        for (const dir of this.uniqueDirs()) {
            for (const d of subtreeBottomUp(dir))
                for (const p of readPids(join(d, 'cgroup.procs')))
                    pids.add(p);
        }
        return [...pids].sort((a, b) => a - b);
    }
    destroy() {
        const freezer = this.dir('freezer');
        // A v1-frozen task cannot act on SIGKILL until thawed.
        if (freezer !== undefined && (tryReadCg(join(freezer, 'freezer.state')) ?? 'THAWED') !== 'THAWED')
            this.thaw();
        // v1 has no cgroup.kill. A fork bomb can fork between our read of cgroup.procs and the kill, so do what runc
        // does: freeze, SIGKILL everything listed (the frozen cannot fork), thaw so the signals are acted on.
        if (freezer !== undefined && existsSync(freezer) && this.procs().length > 0) {
            try {
                this.freeze();
                sigkillEach(this.procs());
            }
            catch {
                // could not freeze (a task stuck in the kernel): fall back to killing until empty, below
            }
            finally {
                try {
                    this.thaw();
                }
                catch {
                    // killUntilEmpty reports what survives
                }
            }
        }
        killUntilEmpty(this.name, () => this.procs(), sigkillEach);
        for (const dir of this.uniqueDirs())
            for (const d of subtreeBottomUp(dir))
                rmdirCg(d);
    }
}
/** Removes `parent` from every v1 hierarchy where it is empty; leaves it where children remain. */
export function removeV1Parent(parent, mounts) {
    checkCgroupPath('parent', parent);
    for (const root of new Set(v1Roots(mounts).values())) {
        const dir = join(root, parent);
        if (subdirs(dir).length === 0)
            rmdirCg(dir);
    }
}
export function listV1Children(parent, mounts) {
    checkCgroupPath('parent', parent);
    const names = new Set();
    for (const root of new Set(v1Roots(mounts).values()))
        for (const n of subdirs(join(root, parent)))
            names.add(n);
    return [...names].sort();
}
//# sourceMappingURL=v1.js.map