import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLessons } from '../course/lint.js';
import { emptyProgress, recordStep, saveProgress } from '../course/progress.js';
import { REPO, startDaemon, type TestDaemon } from './helpers/daemon.js';
import { hasTmux, openTerminal, type TmuxTerminal } from './helpers/tui-tmux.js';

// The real `boxlab` in tmux at 80×24 and 120×40, with progress already in the state (some lessons done, some
// started), as a learner half-way through sees it: every lesson row drawn with its mark, the cursor, the key
// bars whole, and an evidence line with tabs shown whole. A private tmux server, daemon and state dir.
const { lessons } = loadLessons(join(REPO, 'lessons'));
let term: TmuxTerminal;

/**
 * The menu at this size: walks the cursor over `walk` lessons from the top (all of them where the list
 * scrolls) and checks each row as it is drawn; every lesson must have been on screen.
 */
async function checkMenu(columns: number, walk = lessons.length): Promise<void> {
  await term.waitFor(/▸ . \d\d-/);
  let f = await term.settled();
  // to the top first
  for (let i = 0; i < lessons.length && !/^▸ . 00-/m.test(f); i++) f = await term.press('Up');
  const seen = new Set<string>();
  for (let i = 0; i < walk; i++) {
    const lines = f.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThan(columns);
    const cursor = lines.filter((l) => l.startsWith('▸'));
    expect(cursor, f).toHaveLength(1);
    expect(cursor[0]!.startsWith(`▸ ${mark(i)} ${lessons[i]!.meta.id.slice(0, 12)}`), f).toBe(true);
    for (const l of lines) {
      const m = /^[▸ ] ([✓◐·]) (\d\d-\S*)/.exec(l);
      if (!m) continue;
      const lesson = lessons.find((x) => x.meta.id.startsWith(m[2]!.replace(/…$/, '')))!;
      expect(m[1], l).toBe(mark(lessons.indexOf(lesson)));
      seen.add(lesson.meta.id);
    }
    // the key bar is whole: it ends with the way out
    expect(lines.filter((l) => l.trim() !== '').at(-1), f).toMatch(/⏎ open · ↑↓ choose · .*\? help · q quit$/);
    if (i < walk - 1) f = await term.press('Down');
  }
  expect([...seen].sort()).toEqual(lessons.map((l) => l.meta.id).sort());
}

/** The progress seeded below: every third lesson done, the next one started, the rest new. */
const mark = (i: number) => (i % 3 === 0 ? '✓' : i % 3 === 1 ? '◐' : '·');

describe.skipIf(!hasTmux)('boxlab TUI screens with progress (tmux, 80×24 and 120×40)', () => {
  let daemon: TestDaemon;
  let state: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    state = mkdtempSync(join(tmpdir(), 'boxlab-screens-state-'));
    const p = emptyProgress();
    lessons.forEach((l, i) => {
      if (i % 3 === 0) l.steps.forEach((_, s) => recordStep(p, l, s, { ok: true, checksPassed: 1, checksTotal: 1 }));
      else if (i % 3 === 1) recordStep(p, l, 0, { ok: true, checksPassed: 1, checksTotal: 1 });
    });
    saveProgress(join(state, 'progress.json'), p);
    const env = Object.entries({ ...daemon.env, BOXLAB_STATE: state, TERM: 'xterm-256color' }).map(([k, v]) => `${k}=${v}`).join(' ');
    // CI=true makes ink render only the final frame (is-in-ci); the CLI runs in the daemon's network namespace
    term = await openTerminal('boxlab-screens', 80, 24,
      `cd ${REPO} && env -u CI ${env} nsenter --net=/proc/${daemon.process.pid}/ns/net -- bin/boxlab; echo "TUI-EXIT rc=$?"; sleep 300`);
  });

  afterAll(async () => {
    await term?.close();
    await daemon?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('menu, lesson, evidence, trace and help are drawn whole at both sizes', async () => {
    // first run in this state dir: the welcome is wrapped, never cut
    const first = await term.waitFor(/learn how containers work/, 90_000);
    expect(first.replace(/\n/g, ' ')).toMatch(/shows the kernel's evidence\. \? lists the keys\./);
    await checkMenu(80);
    await term.tmux('resize-window', '-t', 'tui', '-x', '120', '-y', '40');
    await term.waitFor(/^.{90,}min/m);
    // 40 rows show the whole list at once
    await checkMenu(120, 3);
    await term.tmux('resize-window', '-t', 'tui', '-x', '80', '-y', '24');

    // lesson 02 (started: resumes at step 2); step 1 shows /proc/PID/status, whose fields are tab-separated
    await term.waitFor(/^▸ . \d\d-/m);
    for (let i = 0; i < lessons.length; i++) {
      const f = await term.settled();
      if (/^▸ . 02-pid/m.test(f)) break;
      await term.press(/^▸ . 0[01]-/m.test(f) ? 'Down' : 'Up');
    }
    await term.keys('Enter');
    let f = await term.waitFor(/boxlab · PID: process 1/);
    expect(f.split('\n').filter((l) => l.trim() !== '').at(-1)).toMatch(/^⏎ run · ↑↓ step · tab pane · .*\? help · q back$/);
    await term.press('n');
    await term.waitFor(/Step 1: /);
    await term.keys('Enter');
    f = await term.waitFor(/step 1 (passed|failed)/, 60_000);
    expect(f).toMatch(/✓ step 1 passed/);
    // the NSpid line keeps its last field, the pid inside, after the tab
    expect(f).toMatch(/^.*│ +NSpid: +\d+ +1\s*$/m);

    // the trace, grouped by phase, 26 capability drops on one line
    await term.keys('3');
    let trace = await term.waitFor(/Trace/);
    let all = trace;
    for (let i = 0; i < 40 && !/▌create:/.test(all); i++) { trace = await term.press('b'); all += trace; }
    expect(all).toMatch(/▌create: record, rootfs layers, cgroup/);
    expect(all).toMatch(/▌start: init from the pool/);
    expect(all).toMatch(/▌init, inside the namespaces/);
    expect(all).toMatch(/prctl\(PR_CAPBSET_DROP, …\) = 0 ×\d+: CAP_/);
    expect(all.match(/PR_CAPBSET_DROP/g)!.length).toBeLessThan(5);

    // the help: every description starts in the same column, the `s` row too
    await term.keys('?');
    const help = await term.waitFor(/Keys — Lesson/);
    const col = (re: RegExp) => { const l = help.split('\n').find((x) => re.test(x))!; return l.indexOf(l.trim().split(/\s{2,}/)[1]!); };
    expect(col(/│ s {2,}shell/), help).toBe(col(/│ n {2,}next step/));
    expect(col(/│ ⏎ {2,}run/), help).toBe(col(/│ n {2,}next step/));
    await term.press('x');

    await term.keys('q');
    await term.waitFor(/▸ ◐ 02-pid/);
    await term.keys('q');
    expect(await term.waitFor(/TUI-EXIT rc=\d+/)).toContain('TUI-EXIT rc=0');
    expect((await daemon.cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 240_000);
});
