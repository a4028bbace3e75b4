import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startDaemon, type TestDaemon } from './helpers/daemon.js';

// The real `boxlab` in a real terminal (tmux, 80×24): lesson 01 from the menu to the last ✓, a shell in the
// container, quitting, and the terminal as it was. A private tmux server and daemon keep it to itself.
const TMUX = ['-L', `boxlab-e2e-${process.pid}`];
const tmux = (...args: string[]) => execa('tmux', [...TMUX, ...args], { reject: false });
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'e2e')).stdout;
const keys = (...k: string[]) => tmux('send-keys', '-t', 'e2e', ...k);

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

// vm/provision.sh installs tmux; a machine without it skips (and says so) rather than failing
const hasTmux = execaSync('sh', ['-c', 'command -v tmux'], { reject: false }).exitCode === 0;

describe.skipIf(!hasTmux)('boxlab TUI end to end (tmux)', () => {
  let daemon: TestDaemon;
  let state: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    state = mkdtempSync(join(tmpdir(), 'boxlab-e2e-state-'));
    const env = Object.entries({ ...daemon.env, BOXLAB_STATE: state, TERM: 'xterm-256color' }).map(([k, v]) => `${k}=${v}`).join(' ');
    // CI=true makes ink render only the final frame (is-in-ci): the TUI runs as on a learner's terminal.
    // After the TUI quits, print its exit code and the terminal modes, then keep the pane open to read them
    const cmd = `cd ${REPO} && env -u CI ${env} bin/boxlab; echo "TUI-EXIT rc=$?"; stty -a | tr ';' '\\n' | grep -E '^ *-?(icanon|echo)$|-?icanon|-?echo ' ; sleep 300`;
    const r = await tmux('new-session', '-d', '-s', 'e2e', '-x', '80', '-y', '24', cmd);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  afterAll(async () => {
    // closing the terminal sends SIGHUP: the TUI unmounts and cleans its lesson up; wait for it to finish
    const pane = (await tmux('display', '-p', '-t', 'e2e', '#{pane_pid}')).stdout.trim();
    const tui = pane ? (await execa('pgrep', ['-P', pane], { reject: false })).stdout.split('\n').filter(Boolean) : [];
    await tmux('kill-server');
    for (let i = 0; i < 200 && tui.some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 100));
    await daemon?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('runs lesson 01 step by step to every ✓, drops into the container shell, quits and restores the terminal', async () => {
    // the first screen: generous, a loaded CI machine starts node and ink slowly
    await waitFor(/learn how containers work/, 90_000);
    // one key at a time, each time waiting for the screen to follow, so the selection cannot overshoot
    for (let i = 0; i < 20; i++) {
      const before = await screen();
      if (/▸ . 01-uts/.test(before)) break;
      await keys('Down');
      for (let t = 0; t < 40 && (await screen()) === before; t++) await new Promise((r) => setTimeout(r, 50));
    }
    await keys('Enter');
    await waitFor(/boxlab · UTS: a hostname of its own/);
    expect((await tmux('display', '-p', '-t', 'e2e', '#{alternate_on}')).stdout).toBe('1');

    for (let step = 1; step <= 5; step++) {
      await keys('n');
      await waitFor(new RegExp(`Step ${step}: `));
      await keys('Enter');
      const done = await waitFor(new RegExp(`step ${step} (passed|failed)`), 60_000);
      // every check of the step passed, and the evidence pane shows them with ✓ and no ✗
      const counted = new RegExp(`✓ step ${step} passed \\((\\d+)/\\1 checks\\)`).exec(done);
      expect(counted, done).not.toBeNull();
      expect(Number(counted![1])).toBeGreaterThan(0);
      expect(done).toMatch(new RegExp(`✓ Step ${step}: `));
      expect(done).not.toMatch(/✗/);
    }
    const all = await screen();
    expect(all).toMatch(/5\/5 steps/);
    for (let step = 1; step <= 5; step++) expect(all).toMatch(new RegExp(`✓ ${step} `));

    // the layout follows a resize: wider header, taller panes; and back to 80×24
    await tmux('resize-window', '-t', 'e2e', '-x', '100', '-y', '30');
    const wide = await waitFor(/^boxlab · UTS: a hostname of its own {30,}5\/5 steps · 10 min$/m);
    expect(wide.split('\n').length).toBeGreaterThanOrEqual(29);
    await tmux('resize-window', '-t', 'e2e', '-x', '80', '-y', '24');
    await waitFor(/^boxlab · UTS: a hostname of its own {10,28}5\/5 steps · 10 min$/m);

    await keys('s');
    await waitFor(/^\/ #\s*$/m); // capture-pane drops the trailing space of the prompt
    await keys('hostname', 'Enter');
    await waitFor(/^renamed$/m); // step 3 renamed the container from the host
    await keys('exit', 'Enter');
    await waitFor(/back from the shell in u01-web/);
    expect((await tmux('display', '-p', '-t', 'e2e', '#{alternate_on}')).stdout).toBe('1');

    await keys('q');
    await waitFor(/▸ ✓ 01-uts/);
    await keys('q');
    const after = await waitFor(/TUI-EXIT rc=\d+/);
    expect(after).toContain('TUI-EXIT rc=0');
    // the main screen is back, the cursor is visible, and the tty is in cooked mode with echo
    expect((await tmux('display', '-p', '-t', 'e2e', '#{alternate_on} #{cursor_flag}')).stdout).toBe('0 1');
    expect(after).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(after).toMatch(/(^|\s)echo(\s|$)/m);
    expect(after).not.toMatch(/-icanon|(^|\s)-echo(\s|$)/m);
    // leaving the lesson cleaned it up
    const ps = await daemon.cli(['ps', '-a', '-q']);
    expect(ps.stdout.trim()).toBe('');
  }, 240_000);
});
