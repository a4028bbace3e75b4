import { host } from '../engine/sys/host.js';
/** The real executor: `sh -c LINE` through engine/sys host(), so the command is traced like any host tool. */
export const shellExecutor = {
    async run(command, opts) {
        const t0 = performance.now();
        const r = await host('sh', ['-c', command], {
            allowFailure: true, env: opts.env, timeoutMs: opts.timeoutMs, ...(opts.cwd !== undefined && { cwd: opts.cwd }),
        });
        return { ...r, durationMs: performance.now() - t0 };
    },
};
//# sourceMappingURL=exec.js.map