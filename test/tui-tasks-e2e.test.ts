import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startDaemon, type TestDaemon } from './helpers/daemon.js';
import { hasTmux, tmuxSession } from './helpers/tui-tmux.js';

// A learner solves a task by hand: lesson 01 in a real terminal (tmux), `t` opens its task, `r` sets the
// scene, `h` opens the host shell where the fix is typed, and ⏎ back in the TUI checks it on the kernel.
const { keys, waitFor, start, close } = tmuxSession('boxlab-tasks');

describe.skipIf(!hasTmux)('a task solved by hand in the TUI (tmux)', () => {
  let daemon: TestDaemon;
  let state: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    state = mkdtempSync(join(tmpdir(), 'boxlab-tasks-e2e-'));
    const env = Object.entries({ ...daemon.env, BOXLAB_STATE: state, TERM: 'xterm-256color', SHELL: '/bin/sh', PS1: 'host$ ' }).map(([k, v]) => `${k}=${v}`).join(' ');
    // CI=true would make ink render only its last frame; the learner's terminal is not CI
    const r = await start(`cd ${REPO} && env -u CI ${env} bin/boxlab learn 01-uts; sleep 300`, 120, 40);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await close();
    await daemon?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('t shows the task, the learner fixes it in the host shell, ⏎ checks it: ✗ before, ✓ after, recorded', async () => {
    await waitFor(/boxlab · UTS: a hostname of its own/, 90_000);
    await keys('t');
    const goal = await waitFor(/your values: name=(\S+)\s+host=(\S+)/);
    const [, name, host] = /your values: name=(\S+)\s+host=(\S+)/.exec(goal)!;
    await keys('r');
    await waitFor(/ready — h opens a host shell/, 60_000);
    await keys('Enter');
    const failed = await waitFor(/Checks: 0\/1/, 60_000);
    expect(failed).toMatch(/✗ .*\n\s+looked at: boxlab exec \S+ hostname\n\s+found: /);

    await keys('h');
    await waitFor(/^host\$/m);
    await keys('-l', `nsenter -t $(boxlab inspect -f '{{.State.Pid}}' ${name}) -u hostname ${host}`);
    await keys('Enter');
    await keys('-l', 'exit');
    await keys('Enter');
    await waitFor(/back from the host shell/);
    await keys('Enter');
    const solved = await waitFor(/✓ solved: 1\/1 checks pass/, 60_000);
    expect(solved).toMatch(/Checks: 1\/1/);

    const progress = JSON.parse(readFileSync(join(state, 'progress.json'), 'utf8')) as { tasks: Record<string, Record<string, { attempts: number; solvedAt?: string; solutionShownAt?: string }>> };
    const rec = progress.tasks['01-uts']!['A new hostname without a restart']!;
    expect(rec.attempts).toBe(2);
    expect(rec.solvedAt).toBeDefined();
    expect(rec.solutionShownAt).toBeUndefined();
    expect((await daemon.cli(['exec', name!, 'hostname'])).stdout.trim()).toBe(host);

    await keys('q');
    await waitFor(/boxlab · UTS: a hostname of its own/);
    await daemon.cli(['rm', '-f', name!]);
  }, 300_000);
});
