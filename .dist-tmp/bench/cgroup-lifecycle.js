/**
 * Cost of one container's cgroup: create + set(limits) + apply(pid) + stats + freeze/thaw + destroy through the
 * engine's manager, next to the same kernel work typed as a plain shell script (mkdir, echo > file, rmdir),
 * and the parts on their own. Runs on the host's cgroup version; cleans up after itself.
 *
 *   npm run build && node dist/bench/cgroup-lifecycle.js [iterations]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cgroupManager, detectCgroupMode, removeParent } from '../engine/cgroups/index.js';
const N = Number(process.argv[2] ?? 30);
const PARENT = `boxlab-bench-${process.pid}`;
const MODE = detectCgroupMode();
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function timed(fn) {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
}
/** The same files written by hand: what `mkdir` + `echo` in a shell costs, for comparison. */
function shellScript(dirs, pid) {
    const all = [...new Set(Object.values(dirs))].map((d) => d.replace(/\/[^/]+$/, '/sh-bench'));
    const byCtl = (c) => (dirs[c] ?? dirs.unified ?? '').replace(/\/[^/]+$/, '/sh-bench');
    const lines = all.map((d) => `mkdir ${d}`);
    if (MODE === 'v2') {
        lines.push(`echo 33554432 > ${byCtl('memory')}/memory.max`, `echo '50000 100000' > ${byCtl('cpu')}/cpu.max`, `echo 20 > ${byCtl('pids')}/pids.max`);
    }
    else {
        const cs = byCtl('cpuset');
        lines.push(`cat ${cs}/../cpuset.mems > ${cs}/cpuset.mems`, `cat ${cs}/../cpuset.cpus > ${cs}/cpuset.cpus`);
        lines.push(`echo 33554432 > ${byCtl('memory')}/memory.limit_in_bytes`, `echo 50000 > ${byCtl('cpu')}/cpu.cfs_quota_us`, `echo 20 > ${byCtl('pids')}/pids.max`);
    }
    for (const d of all)
        lines.push(`echo ${pid} > ${d}/cgroup.procs`);
    // move it back out so the dirs can go
    for (const d of all)
        lines.push(`echo ${pid} > ${d}/../../cgroup.procs`);
    for (const d of all)
        lines.push(`rmdir ${d}`);
    return lines.join('\n');
}
function main() {
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    const pid = sleeper.pid;
    const t = { full: [], create: [], set: [], apply: [], stats: [], freeze: [], destroy: [], shell: [] };
    let last;
    try {
        for (let i = 0; i < N; i++) {
            const cg = cgroupManager({ parent: PARENT, name: `c${i}` });
            last = cg;
            const start = process.hrtime.bigint();
            t.create.push(timed(() => cg.create()));
            t.set.push(timed(() => cg.set({ Memory: 32 * 2 ** 20, NanoCpus: 0.5e9, PidsLimit: 20 })));
            t.apply.push(timed(() => cg.apply(pid)));
            t.stats.push(timed(() => cg.stats()));
            t.freeze.push(timed(() => {
                cg.freeze();
                cg.thaw();
            }));
            // destroy would SIGKILL the sleeper: move it out first, then time the removal of an empty cgroup
            const out = cgroupManager({ parent: PARENT, name: 'hold' });
            out.create();
            out.apply(pid);
            t.destroy.push(timed(() => cg.destroy()));
            t.full.push(Number(process.hrtime.bigint() - start) / 1e6);
            // the shell twin, from the hold cgroup (its parent dirs exist)
            const dirs = out.dirs();
            const script = shellScript(dirs, pid);
            t.shell.push(timed(() => spawnSync('sh', ['-ec', script], { stdio: 'inherit' })));
            // back to the hold cgroup's parent level for the next round
            for (const d of new Set(Object.values(dirs)))
                spawnSync('sh', ['-c', `echo ${pid} > ${d}/../../cgroup.procs`]);
            out.destroy();
        }
    }
    finally {
        last?.destroy();
        sleeper.kill('SIGKILL');
        removeParent(PARENT);
    }
    const f = (xs) => `${median(xs).toFixed(2)} ms`.padStart(10);
    console.log(`cgroup ${MODE}, ${N} iterations, medians`);
    console.log(`  engine: create+set+apply+stats+freeze/thaw+destroy ${f(t.full)}`);
    console.log(`    create ${f(t.create)}  set ${f(t.set)}  apply ${f(t.apply)}  stats ${f(t.stats)}  freeze+thaw ${f(t.freeze)}  destroy ${f(t.destroy)}`);
    console.log(`  shell twin (sh -ec: mkdir, echo limits, echo pid, rmdir; includes sh start) ${f(t.shell)}`);
}
main();
//# sourceMappingURL=cgroup-lifecycle.js.map