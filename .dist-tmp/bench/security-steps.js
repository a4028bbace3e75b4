/**
 * Helper of bench/security-costs.ts: runs the init-side security steps in a fresh process, in the order the
 * container init uses, timing each one, and prints the timings as JSON. Plan (JSON) in BOXLAB_BENCH_PLAN;
 * BOXLAB_BENCH_PATHS=1 also masks/read-onlies the paths (run it inside `unshare -m --mount-proc`).
 */
import { setNoNewPrivs } from '../engine/sys/index.js';
import { applyBoundingSet, applyCapabilities, applyMaskedPaths, applyReadonlyPaths, keepCapabilitiesAcrossSetuid, loadSeccompProgram, } from '../engine/security/index.js';
const plan = JSON.parse(process.env.BOXLAB_BENCH_PLAN ?? '{}');
const times = {};
function step(name, fn) {
    const t = process.hrtime.bigint();
    fn();
    times[name] = Number(process.hrtime.bigint() - t) / 1e6;
}
if (process.env.BOXLAB_BENCH_PATHS === '1') {
    step('masked paths', () => applyMaskedPaths('', plan.maskedPaths));
    step('read-only paths', () => applyReadonlyPaths('', plan.readonlyPaths));
}
step('bounding set', () => applyBoundingSet(plan.capabilities));
step('keepcaps', () => keepCapabilitiesAcrossSetuid(true));
step('capset + ambient', () => applyCapabilities(plan.capabilities, { uid: 0 }));
step('no_new_privs', () => setNoNewPrivs());
if (plan.seccomp.mode === 'filter') {
    const bpf = Buffer.from(plan.seccomp.bpf, 'base64');
    step('seccomp load', () => loadSeccompProgram(bpf));
}
process.stdout.write(`${JSON.stringify(times)}\n`);
//# sourceMappingURL=security-steps.js.map