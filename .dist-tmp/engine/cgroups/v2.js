import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { SysError, UserError } from '../sys/index.js';
import { effectiveMemorySwap, maxValue, memorySwapToSwapMax, nanoCpusToCpuMax, parseKeyed, parseLimit, sharesToWeight, } from './convert.js';
import { killUntilEmpty, mkdirCg, readCg, readPids, rmdirCg, sigkillEach, subdirs, subtreeBottomUp, tryReadCg, waitUntil, writeCg, } from './fsio.js';
import { checkCgroupPath } from './paths.js';
import { hostCpus, validateResources } from './validate.js';
/** Controllers boxlab enables for its subtree, when the kernel offers them (cgroup.controllers). */
export const V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
/** The words of a space-separated cgroup file (cgroup.controllers, cgroup.subtree_control). */
function words(path) {
    return (tryReadCg(path) ?? '').split(/\s+/).filter(Boolean);
}
/**
 * cgroup v2: one hierarchy (/sys/fs/cgroup/boxlab/<id>). A controller works in a cgroup only when its parent
 * lists it in cgroup.subtree_control, and a cgroup that hands controllers down may not hold processes itself
 * ("no internal processes"): processes go only into leaves. Freezing needs no controller (cgroup.freeze).
 */
export class V2Manager {
    version = 2;
    name;
    root;
    leaf;
    constructor(opts) {
        const parent = checkCgroupPath('parent', opts.parent);
        this.name = `${parent}/${checkCgroupPath('name', opts.name)}`;
        this.root = opts.root;
        this.leaf = join(this.root, this.name);
    }
    dirs() {
        return { unified: this.leaf };
    }
    file(name) {
        return join(this.leaf, name);
    }
    create() {
        const made = [];
        try {
            let dir = this.root;
            for (const part of this.name.split('/')) {
                this.enableControllers(dir);
                dir = join(dir, part);
                if (mkdirCg(dir))
                    made.push(dir);
            }
        }
        catch (err) {
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
    /**
     * Hands the controllers we want (and the kernel has) down from `dir` to its children. A refusal is not fatal
     * here: EBUSY means `dir` holds processes itself (only the root may, on v2), and a controller that cannot be
     * enabled only matters if a limit needs it — set() then names the missing controller.
     */
    enableControllers(dir) {
        const available = words(join(dir, 'cgroup.controllers'));
        const enabled = words(join(dir, 'cgroup.subtree_control'));
        for (const c of V2_CONTROLLERS) {
            if (!available.includes(c) || enabled.includes(c))
                continue;
            try {
                writeCg(join(dir, 'cgroup.subtree_control'), `+${c}`);
            }
            catch (err) {
                if (!(err instanceof SysError))
                    throw err;
            }
        }
    }
    apply(pid) {
        writeCg(this.file('cgroup.procs'), String(pid));
    }
    need(file, flag, controller) {
        const path = this.file(file);
        if (!existsSync(path)) {
            throw new UserError(`${flag} needs the cgroup v2 "${controller}" controller, which is not enabled for ${this.leaf}: see cgroup.subtree_control of its parents (a parent that holds processes itself cannot enable it)`);
        }
        return path;
    }
    set(r) {
        validateResources(r, hostCpus());
        if (r.Memory !== undefined || r.MemorySwap !== undefined) {
            const memMax = this.need('memory.max', '--memory', 'memory');
            const swapFile = this.file('memory.swap.max');
            const swapAccounting = existsSync(swapFile);
            if (r.Memory !== undefined)
                writeCg(memMax, maxValue(r.Memory));
            const total = effectiveMemorySwap(r, swapAccounting);
            if (total !== undefined && swapAccounting) {
                const memory = r.Memory ?? parseLimit(readCg(memMax)) ?? 0;
                writeCg(swapFile, total === -1 || memory <= 0 ? 'max' : memorySwapToSwapMax(total, memory));
            }
        }
        if (r.CpuShares !== undefined && r.CpuShares > 0) {
            writeCg(this.need('cpu.weight', '--cpu-shares', 'cpu'), String(sharesToWeight(r.CpuShares)));
        }
        if (r.NanoCpus !== undefined)
            writeCg(this.need('cpu.max', '--cpus', 'cpu'), nanoCpusToCpuMax(r.NanoCpus));
        if (r.CpusetMems)
            writeCg(this.need('cpuset.mems', '--cpuset-mems', 'cpuset'), r.CpusetMems);
        if (r.CpusetCpus)
            writeCg(this.need('cpuset.cpus', '--cpuset-cpus', 'cpuset'), r.CpusetCpus);
        if (r.PidsLimit !== undefined)
            writeCg(this.need('pids.max', '--pids-limit', 'pids'), maxValue(r.PidsLimit));
    }
    stats() {
        const keyed = (file) => parseKeyed(tryReadCg(this.file(file)) ?? '');
        const num = (file) => {
            const t = tryReadCg(this.file(file));
            return t === undefined ? undefined : Number(t);
        };
        const events = keyed('memory.events');
        const cpu = keyed('cpu.stat');
        const peak = num('memory.peak'); // kernel >= 5.19
        return {
            memory: {
                usage: num('memory.current') ?? 0,
                limit: parseLimit(tryReadCg(this.file('memory.max')) ?? '') ?? totalmem(),
                ...(peak !== undefined && { maxUsage: peak }),
                oomKills: events.oom_kill ?? 0,
                // "max": how often usage hit memory.max — the closest thing to v1's failcnt
                ...(events.max !== undefined && { failcnt: events.max }),
            },
            cpu: {
                usageNs: (cpu.usage_usec ?? 0) * 1000,
                periods: cpu.nr_periods ?? 0,
                throttledPeriods: cpu.nr_throttled ?? 0,
                throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000,
            },
            pids: {
                current: num('pids.current') ?? this.procs().length,
                limit: parseLimit(tryReadCg(this.file('pids.max')) ?? '') ?? 0,
            },
        };
    }
    frozen() {
        return parseKeyed(tryReadCg(this.file('cgroup.events')) ?? '').frozen === 1;
    }
    freeze() {
        writeCg(this.file('cgroup.freeze'), '1');
        // The write only requests it; cgroup.events says "frozen 1" once every task has stopped.
        if (!waitUntil(() => this.frozen(), 5000)) {
            writeCg(this.file('cgroup.freeze'), '0');
            throw new Error(`could not freeze ${this.name}: cgroup.events did not report "frozen 1" within 5 s`);
        }
    }
    thaw() {
        writeCg(this.file('cgroup.freeze'), '0');
        if (!waitUntil(() => !this.frozen(), 5000))
            throw new Error(`could not thaw ${this.name}`);
    }
    oomKilled() {
        return this.stats().memory.oomKills > 0;
    }
    procs() {
        const pids = subtreeBottomUp(this.leaf).flatMap((d) => readPids(join(d, 'cgroup.procs')));
        return [...new Set(pids)].sort((a, b) => a - b);
    }
    destroy() {
        if (!existsSync(this.leaf))
            return;
        if ((tryReadCg(this.file('cgroup.freeze')) ?? '0') !== '0')
            this.thaw();
        // cgroup.kill (kernel >= 5.14) kills the whole subtree at once, racing no fork; else signal each pid.
        const killFile = this.file('cgroup.kill');
        const killAll = existsSync(killFile) ? () => writeCg(killFile, '1') : sigkillEach;
        killUntilEmpty(this.name, () => this.procs(), killAll);
        for (const d of subtreeBottomUp(this.leaf))
            rmdirCg(d);
    }
}
export function removeV2Parent(parent, root) {
    const dir = join(root, checkCgroupPath('parent', parent));
    if (subdirs(dir).length === 0)
        rmdirCg(dir);
}
export function listV2Children(parent, root) {
    return subdirs(join(root, checkCgroupPath('parent', parent)));
}
//# sourceMappingURL=v2.js.map