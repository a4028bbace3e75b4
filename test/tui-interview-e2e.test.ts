import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startDaemon, type TestDaemon } from './helpers/daemon.js';
import { hasTmux, tmuxSession } from './helpers/tui-tmux.js';

// A mock interview in a real terminal (tmux, 90×26): pick a topic, the question alone, typed notes, reveal,
// the proof run live, a mark — then quit, reopen and find the mark and the notes kept (resume).
const pane = tmuxSession('boxlab-iv');
const { screen, waitFor, press } = pane;

async function selectTopic(topic: string): Promise<void> {
  for (let i = 0; i < 40 && !new RegExp(`▸ topic: ${topic} `).test(await screen()); i++) await press('Down');
  expect(await screen()).toMatch(new RegExp(`▸ topic: ${topic} `));
}

describe.skipIf(!hasTmux)('interview mode end to end (tmux)', () => {
  let daemon: TestDaemon;
  let state: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    state = mkdtempSync(join(tmpdir(), 'boxlab-iv-e2e-state-'));
    const env = Object.entries({ ...daemon.env, BOXLAB_STATE: state, TERM: 'xterm-256color' }).map(([k, v]) => `${k}=${v}`).join(' ');
    // CI=true would make ink render only the last frame; the CLI runs in the daemon's network namespace
    const run = `env -u CI ${env} nsenter --net=/proc/${daemon.process.pid}/ns/net -- bin/boxlab interview`;
    const cmd = `cd ${REPO} && ${run}; echo "TUI-EXIT rc=$?"; ${run}; echo "TUI-EXIT-2 rc=$?"; sleep 300`;
    const r = await pane.start(cmd, 90, 26);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await pane.close();
    await daemon?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('question alone, notes, reveal, live proof, mark; quit; reopen with the mark and notes kept', async () => {
    await waitFor(/81 questions from your notes/, 90_000);
    await selectTopic('kernel');
    await press('Enter');
    const question = await waitFor(/1\/2 · what-is-the-kernel/);
    // the question shows alone: no answer, no key points yet
    expect(question).toContain('What is the kernel?');
    expect(question).not.toMatch(/Model answer|Key points/);
    await pane.keys('-l', 'one kernel for all');
    await waitFor(/│one kernel for all/);
    await press('Tab');
    const revealed = await waitFor(/Model answer/);
    expect(revealed).toMatch(/Key points a strong answer names/);

    await press('p');
    const proved = await waitFor(/the proof passed|the proof failed/, 120_000);
    expect(proved).toMatch(/✓ the proof passed/);
    expect(proved).not.toMatch(/^✗ /m);
    await press('1');
    await waitFor(/2\/2 · hypervisor-and-guest-os/);
    await press('Escape');
    await waitFor(/81 questions from your notes · \d+ with a live proof · marked 1: ✓1/);
    await press('q');
    await waitFor(/TUI-EXIT rc=0/);

    const progress = JSON.parse(readFileSync(join(state, 'progress.json'), 'utf8')) as { interview: Record<string, { box: number; last: string; notes?: string }> };
    expect(progress.interview['what-is-the-kernel']).toMatchObject({ box: 2, last: 'knew', notes: 'one kernel for all' });

    // resume: the second run knows the mark and gives the notes back with the question
    await waitFor(/marked 1: ✓1/, 90_000);
    await selectTopic('kernel');
    await press('Enter');
    await waitFor(/1\/2 · what-is-the-kernel/);
    await waitFor(/Your notes \(kept with your mark\)[\s\S]*│one kernel for all/);
    await press('Escape');
    await press('q');
    await waitFor(/TUI-EXIT-2 rc=0/);
    expect((await daemon.cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 300_000);
});
