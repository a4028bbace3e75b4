import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroupVersion } from '../course/env.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

// The cgroup lessons' tasks on cgroup v2: run it on a v2 host (`npx vitest run test/tasks-v2`, or
// `bash vm/test-in-vm.sh test/tasks-v2`); seen passing in the guest (217 s on a busy host), left out of CI's guest for time.
// On v1 the host's course-tasks test solves all of them. The guest is ~15x slower, so it gets the four whose v2 files
// differ most from v1 (memory.max, cpu.max found from /proc/PID/cgroup, cpuset, cgroup.freeze); 10 and 14
// write cgroup.procs and pids.max in the same unified directory as 11 does.
describe.skipIf(detectCgroupVersion() !== 'v2')('cgroup tasks on cgroup v2', () => {
  let daemon: TestDaemon;
  beforeAll(async () => { daemon = await startDaemon(); }, 120_000);
  afterAll(async () => { await daemon?.stop(); });

  it('the tasks of lessons 11, 12, 13 and 15 fail untouched and are solved by their solutions', async () => {
    const ids = ['11-memory-and-oom', '12-cpu', '13-cpuset', '15-freezer-and-states'];
    const r = await daemon.cli(['check', '--tasks', ...ids, '--json'], { timeoutMs: 600_000 });
    const report = JSON.parse(r.stdout) as { cgroup: string; tasks: number; preSolved: number; solved: number; verdicts: { lesson: string; ok: boolean; error?: string; preSolved: string[] }[] };
    expect(report.verdicts.filter((v) => !v.ok).map((v) => `${v.lesson}: ${v.error ?? v.preSolved.join('; ')}`)).toEqual([]);
    expect(report.cgroup).toBe('v2');
    expect(report.tasks).toBeGreaterThanOrEqual(4);
    expect(report.preSolved).toBe(0);
    expect(report.solved).toBe(report.tasks);
  }, 600_000);
});
