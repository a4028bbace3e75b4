import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { detectCgroupMode } from '../engine/cgroups/index.js';

// The cgroup lessons (and lesson 07, whose checks read the cgroup writes in the trace) run headless (`boxlab check`) on cgroup v2 hosts — in practice the qemu guest of
// vm/test-in-vm.sh, the only place their `cgroup=v2` blocks meet a v2 kernel. On v1/hybrid hosts
// `boxlab check --all` in CI already runs them, so this file skips there.

const LESSONS = ['10-cgroups-basics', '11-memory-and-oom', '12-cpu', '13-cpuset', '14-pids', '15-freezer-and-states'];
const V2 = detectCgroupMode() === 'v2';
let d: TestDaemon;

describe.skipIf(!V2)('cgroup lessons on cgroup v2', () => {
  let state: string;
  beforeAll(async () => {
    // progress of these headless runs goes to a throwaway store, not the learner's
    state = mkdtempSync(join(tmpdir(), 'boxlab-cg-lessons-'));
    process.env.BOXLAB_STATE = state;
    d = await startDaemon();
  });

  afterAll(async () => {
    await d?.stop();
    delete process.env.BOXLAB_STATE;
    rmSync(state, { recursive: true, force: true });
  });

  it.each(LESSONS)('boxlab check %s', async (lesson) => {
    const r = await d.cli(['check', lesson], { timeoutMs: 600_000 });
    if (r.exitCode !== 0) console.log(r.stdout, r.stderr);
    expect(r.stdout).toMatch(/PASS: \d+\/\d+ checks passed/);
    expect(r.exitCode).toBe(0);
  }, 600_000);
});
