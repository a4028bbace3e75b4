import { host } from '../engine/sys/host.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export interface ExecOptions {
  env: Record<string, string>;
  timeoutMs: number;
  cwd?: string;
}

/** Runs one lesson command line. Pluggable so tests can script results without a runtime. */
export interface Executor {
  run(command: string, opts: ExecOptions): Promise<ExecResult>;
}

/** The real executor: `sh -c LINE` through engine/sys host(), so the command is traced like any host tool. */
export const shellExecutor: Executor = {
  async run(command, opts) {
    const t0 = performance.now();
    const r = await host('sh', ['-c', command], {
      allowFailure: true, env: opts.env, timeoutMs: opts.timeoutMs, ...(opts.cwd !== undefined && { cwd: opts.cwd }),
    });
    return { ...r, durationMs: performance.now() - t0 };
  },
};
