import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { parseLesson } from '../course/parse.js';
import { loadProgress, recordStep, saveProgress } from '../course/progress.js';
import { FakeTraceSource } from '../course/trace-source.js';
import type { ExecOptions, ExecResult, Executor } from '../course/exec.js';
import type { SessionOptions } from '../course/runner.js';
import { App } from '../tui/App.js';
import { Menu } from '../tui/Menu.js';
import { BASE_LESSON, GOOD_LESSON } from './course-fixtures.js';

// no TTY under vitest: force colours so highlighting can be asserted
chalk.level = 1;

const KEY = { down: '\u001b[B', up: '\u001b[A', enter: '\r', tab: '\t', esc: '\u001b' };
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));
import { plain, until } from './helpers/ink-frames.js';

const demo = parseLesson(GOOD_LESSON, '/tmp/01-demo/lesson.md').lesson!;
const base = parseLesson(BASE_LESSON, '/tmp/00-base/lesson.md').lesson!;

/** Answers lesson commands like a runtime would; `failEcho` makes the inode check fail. */
function fakeExecutor(opts: { failEcho?: boolean; slowRun?: Promise<void> } = {}): Executor & { calls: string[] } {
  let hostnames = 0;
  const calls: string[] = [];
  return {
    calls,
    async run(command: string, _o: ExecOptions): Promise<ExecResult> {
      calls.push(command);
      const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0, durationMs: 1 });
      if (command === 'hostname') return ok(++hostnames % 2 === 1 ? 'host' : 'host\nlab');
      if (command.startsWith('boxlab run')) { await opts.slowRun; return ok('c0ffee'); }
      if (command.startsWith('boxlab inspect')) return ok(String(process.pid));
      if (command.startsWith('readlink')) return ok('uts:[4026532000]');
      if (command.startsWith('echo ')) return ok(opts.failEcho ? '0' : '4026532000');
      return ok('');
    },
  };
}

let state: string;
beforeEach(() => { state = mkdtempSync(join(tmpdir(), 'boxlab-tui-')); });
afterEach(() => rmSync(state, { recursive: true, force: true }));

function app(sessionOptions: SessionOptions, extra: Partial<React.ComponentProps<typeof App>> = {}) {
  return render(
    <App lessons={[base, demo]} progressFile={join(state, 'progress.json')} sessionOptions={{ traceDrainMs: 0, cgroup: 'v1', ...sessionOptions }}
      size={{ columns: 80, rows: 24 }} {...extra} />,
  );
}


describe('menu', () => {
  it('shows the first-run welcome and what doctor found missing, within the screen', () => {
    const p = loadProgress(join(state, 'none.json'));
    const welcome = ['Welcome! Every step runs real containers here.', '✗ user namespaces: disabled — sysctl user.max_user_namespaces=15000'];
    const f = plain(render(<Menu lessons={[base, demo]} progress={p} selected={0} width={80} height={23} hidden={0} welcome={welcome} />).lastFrame());
    expect(f).toContain('Welcome! Every step runs real containers here.');
    expect(f).toContain('✗ user namespaces: disabled');
    expect(f).toMatch(/▸ · 00-base/);
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
  });

  it('lists lessons with progress marks, minutes, summary and resume', () => {
    const p = loadProgress(join(state, 'none.json'));
    recordStep(p, base, 0, { ok: true, checksPassed: 1, checksTotal: 1 });
    recordStep(p, demo, 0, { ok: true, checksPassed: 0, checksTotal: 0 });
    const f = plain(render(<Menu lessons={[base, demo]} progress={p} selected={1} width={80} height={23} hidden={1} />).lastFrame());
    expect(f).toMatch(/ {2}✓ 00-base +Base +1 min/);
    expect(f).toMatch(/▸ ◐ 01-demo +Demo: a hostname of its own +5 min 1\/2/);
    expect(f).toContain('Shows every block kind.');
    expect(f).toContain('first: 00-base');
    expect(f).toContain('r resume 01-demo (step 2)');
    expect(f).toContain('1 lesson file(s) have problems');
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
  });
});

describe('resume', () => {
  it('the menu opens on the lesson last worked on; r and ⏎ resume it at its first step not done', async () => {
    const file = join(state, 'progress.json');
    const p = loadProgress(file);
    recordStep(p, demo, 0, { ok: true, checksPassed: 0, checksTotal: 0 });
    saveProgress(file, p);
    const { lastFrame, stdin, unmount } = app({ executor: fakeExecutor() });
    await until(lastFrame, /▸ ◐ 01-demo/);
    await tick();
    stdin.write('r');
    const f = await until(lastFrame, /Step 2: Look at it/);
    expect(f).toMatch(/✓ 1 Start it/);
    expect(lastFrame()).toMatch(/\u001b\[7m[^\n]*2 Look at it/);
    unmount();
  });
});

describe('lesson view', () => {
  it('opens a lesson, renders the step list with the current step highlighted and the lesson text', async () => {
    const { lastFrame, stdin, unmount } = app({ executor: fakeExecutor() });
    await until(lastFrame, /▸ · 00-base/);
    await tick();
    stdin.write(KEY.down);
    await until(lastFrame, /▸ · 01-demo/);
    stdin.write(KEY.enter);
    const f = await until(lastFrame, /Introduction/);
    await tick();
    expect(f).toMatch(/boxlab · Demo: a hostname of its own +0\/2 steps · 5 min/);
    expect(f).toMatch(/· 1 Start it/);
    expect(f).toMatch(/· 2 Look at it/);
    expect(f).toContain('1 Lesson');
    expect(f).toContain('Intro with emphasis.');
    expect(f).toContain('♻ cleanup (before and after the lesson)');
    // the current entry is drawn inverse
    expect(lastFrame()).toMatch(/\u001b\[7m[^\n]*Introduction/);
    stdin.write(KEY.down);
    const s1 = await until(lastFrame, /Step 1: Start it/);
    expect(s1).toMatch(/\$ boxlab run -d --name demo-web --hostname lab\s[│\s]*busybox sleep 600/);
    expect(s1).toMatch(/◉ observe/);
    expect(lastFrame()).toMatch(/\u001b\[7m[^\n]*1 Start it/);
    unmount();
  });

  it('runs a step: spinner and live trace while running, then ✓ checks with their sentences and the before/after diff', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => { release = r; });
    const trace = new FakeTraceSource();
    const ex = fakeExecutor({ slowRun: slow });
    const { lastFrame, stdin, unmount } = app({ executor: ex, traceSource: trace }, { initialLesson: '01-demo' });
    await until(lastFrame, /Introduction/);
    stdin.write(KEY.down);
    await tick();
    stdin.write(KEY.enter);
    await until(lastFrame, /running step 1: Start it/);
    trace.emit({ time: 1, kind: 'syscall', name: 'clone', args: 'CLONE_NEWUTS|CLONE_NEWPID', result: '4242', durationMs: 0.3, pid: 1 });
    trace.emit({ time: 2, kind: 'command', name: 'ip', args: 'link add', error: 'exit 2', durationMs: 1, pid: 1 });
    const running = await until(lastFrame, /clone\(CLONE_NEWUTS\|CLONE_NEWPID\) = 4242/);
    expect(running).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] running step 1/);
    expect(running).toMatch(/\$ ip link add +→ -1 exit 2/);
    expect(running).toContain('3 Trace');
    release();
    const done = await until(lastFrame, /✓ step 1 passed/);
    expect(done).toMatch(/✓ 1 Start it/);
    expect(done).toMatch(/⇢ web.pid = \d+/);
    expect(done).toMatch(/◉ hn \(before\)/);
    // step 2 runs on top of step 1's values
    stdin.write('n');
    await tick();
    stdin.write(KEY.enter);
    const two = await until(lastFrame, /✓ step 2 passed/);
    expect(two).toContain('✓ The container is a process with a pid on the host.');
    expect(two).toContain('✓ The namespace has an inode number of its own.');
    expect(two).toMatch(/◉ hn \(after\) +— difference from before:/);
    expect(two).toMatch(/\+ lab/);
    expect(two).toMatch(/2\/2 steps/);
    const progress = loadProgress(join(state, 'progress.json'));
    expect(progress.lessons['01-demo']!.completedAt).toBeDefined();
    unmount();
  });

  it('shows ✗ with the check detail and hint when a check fails', async () => {
    const { lastFrame, stdin, unmount } = app({ executor: fakeExecutor({ failEcho: true }) }, { initialLesson: '01-demo' });
    await until(lastFrame, /Introduction/);
    stdin.write(KEY.down);
    await tick();
    stdin.write(KEY.down);
    await tick();
    stdin.write(KEY.enter); // step 2 replays step 1 first
    const f = await until(lastFrame, /step 2 failed/);
    expect(f).toMatch(/✗ The namespace has an inode number of its own\./);
    expect(f).toMatch(/"0" is the same as "0"/);
    expect(f).toMatch(/hint: look at \/proc/);
    expect(f).toMatch(/✓ 1 Start it/);
    expect(f).toMatch(/✗ 2 Look at it/);
    unmount();
  });

  it('switches panes with tab and numbers, shows help on ?, leaves with q and cleans up', async () => {
    const ex = fakeExecutor();
    const { lastFrame, stdin, unmount } = app({ executor: ex }, { initialLesson: '01-demo' });
    await until(lastFrame, /Introduction/);
    stdin.write(KEY.tab);
    await until(lastFrame, /Run the step \(⏎\) to see the evidence here/);
    stdin.write('3');
    await until(lastFrame, /No trace yet/);
    stdin.write('?');
    const help = await until(lastFrame, /Keys/);
    expect(help).toMatch(/│ s +shell in the lesson's container \(exit returns\) +│/);
    // the pane keys in the help come from the pane registry
    expect(help).toMatch(/tab {2}1 2 3 +switch pane: Lesson, Evidence, Trace/);
    stdin.write('x');
    await until(lastFrame, /^(?![\s\S]*Keys)[\s\S]*No trace yet/);
    stdin.write('q');
    await until(lastFrame, /learn how containers work/);
    // leaving always runs the lesson's cleanup, so nothing is left behind even after a crash earlier
    expect(ex.calls.filter((c) => c.startsWith('boxlab rm -f demo-web'))).toHaveLength(1);
    unmount();
  });

  it('s hands the terminal to `boxlab exec -it CTR sh` with the lesson env; h to a host shell', async () => {
    const handed: { file: string; args: string[]; env: Record<string, string> }[] = [];
    const { lastFrame, stdin, unmount } = app({ executor: fakeExecutor(), target: { socket: '/tmp/t.sock' } }, {
      initialLesson: '01-demo',
      handOver: (file, args, o) => { handed.push({ file, args, env: o.env }); return 0; },
    });
    await until(lastFrame, /Introduction/);
    stdin.write('s');
    await until(lastFrame, /back from the shell in demo-web/);
    stdin.write('h');
    await until(lastFrame, /back from the host shell/);
    expect(handed[0]!.file).toMatch(/bin\/boxlab$/);
    expect(handed[0]!.args).toEqual(['exec', '-it', 'demo-web', 'sh']);
    expect(handed[0]!.env.BOXLAB_SOCKET).toBe('/tmp/t.sock');
    expect(handed[1]!.args).toEqual([]);
    unmount();
  });

  it('fits 80×24 and follows a smaller size', async () => {
    for (const size of [{ columns: 80, rows: 24 }, { columns: 60, rows: 16 }]) {
      const { lastFrame, stdin, unmount } = app({ executor: fakeExecutor() }, { initialLesson: '01-demo', size });
      await until(lastFrame, /Introduction/);
      stdin.write(KEY.down);
      const f = await until(lastFrame, /Step 1: Start it/);
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(size.columns);
      unmount();
    }
  });
});
