import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startDaemon, type TestDaemon } from './helpers/daemon.js';

// A mock interview in a real terminal (tmux, 90×26): pick a topic, the question alone, typed notes, reveal,
// the proof run live, a mark — then quit, reopen and find the mark and the notes kept (resume).
const TMUX = ['-L', `boxlab-iv-e2e-${process.pid}`];
const tmux = (...args: string[]) => execa('tmux', [...TMUX, ...args], { reject: false });
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'iv')).stdout;
const keys = (...k: string[]) => tmux('send-keys', '-t', 'iv', ...k);

async function waitFor(re: RegExp, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = await screen();
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the screen never showed ${re}; it shows:\n${last}`);
}

/** One key, then wait until the screen changed (keys sent faster than ink renders can be lost). */
async function press(key: string): Promise<void> {
  const before = await screen();
  await keys(key);
  for (let t = 0; t < 60 && (await screen()) === before; t++) await new Promise((r) => setTimeout(r, 50));
}

async function selectTopic(topic: string): Promise<void> {
  for (let i = 0; i < 40 && !new RegExp(`▸ topic: ${topic} `).test(await screen()); i++) await press('Down');
  expect(await screen()).toMatch(new RegExp(`▸ topic: ${topic} `));
}

const hasTmux = execaSync('sh', ['-c', 'command -v tmux'], { reject: false }).exitCode === 0;

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
    const r = await tmux('new-session', '-d', '-s', 'iv', '-x', '90', '-y', '26', cmd);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  afterAll(async () => {
    const pane = (await tmux('display', '-p', '-t', 'iv', '#{pane_pid}')).stdout.trim();
    const tui = pane ? (await execa('pgrep', ['-P', pane], { reject: false })).stdout.split('\n').filter(Boolean) : [];
    await tmux('kill-server');
    for (let i = 0; i < 200 && tui.some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 100));
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
    await keys('-l', 'one kernel for all');
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
