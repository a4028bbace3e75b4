import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startDaemon, type TestDaemon } from './helpers/daemon.js';
import { hasTmux, openTerminal, type TmuxTerminal } from './helpers/tui-tmux.js';
import { displayWidth } from '../tui/text.js';

// The real `boxlab --lang zh` in a real 80×24 terminal (tmux): if ink and the terminal disagreed about the
// width of a Chinese character, lines would overflow, wrap, or push the step list's border out of line.
let term: TmuxTerminal;

/** The frame as the terminal holds it: 24 rows, none wider than 80, the step list's border in one column. */
function wellFormed(screen: string): void {
  const lines = screen.replace(/\n$/, '').split('\n');
  expect(lines.length, screen).toBeLessThanOrEqual(24);
  for (const l of lines) expect(displayWidth(l), `${displayWidth(l)} columns: ${l}`).toBeLessThanOrEqual(80);
  expect(screen).not.toContain('\uFFFD');
  const border = lines.filter((l) => l.includes('│')).map((l) => displayWidth(l.slice(0, l.indexOf('│'))));
  expect(border.length, screen).toBeGreaterThan(10);
  expect(new Set(border).size, `the border moved:\n${screen}`).toBe(1);
}

describe.skipIf(!hasTmux)('boxlab --lang zh in tmux at 80×24', () => {
  let daemon: TestDaemon;
  let state: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    state = mkdtempSync(join(tmpdir(), 'boxlab-zh-tmux-'));
    const env = Object.entries({ ...daemon.env, BOXLAB_STATE: state, TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' })
      .map(([k, v]) => `${k}=${v}`).join(' ');
    term = await openTerminal('boxlab-zh', 80, 24, `cd ${REPO} && env -u CI ${env} bin/boxlab --lang zh learn 01-uts; sleep 300`);
  });

  afterAll(async () => {
    await term?.close();
    await daemon?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('draws lesson 01 in Chinese whole: titles, panes, evidence and messages; l switches to English', async () => {
    let s = await term.waitFor(/boxlab · UTS：容器自己的主机名/, 90_000);
    s = await term.settled();
    wellFormed(s);
    expect(s).toMatch(/1 课文\s+2 证据\s+3 跟踪/);
    await term.press('n');
    s = await term.waitFor(/第 1 步：启动一个有自己主机名的容器/);
    wellFormed(await term.settled());
    await term.keys('Enter');
    s = await term.waitFor(/第 1 步(通过|失败)/, 60_000);
    s = await term.settled();
    wellFormed(s);
    expect(s).toMatch(/✓ 第 1 步通过（2\/2 项检查）——按 n 进入下一步/);
    expect(s).toContain('✓ 容器的进程位于自己的 UTS');
    s = await term.press('?');
    expect(s).toMatch(/按键 —— 课程/);
    expect(s).toMatch(/切换语言：中文 \/ English/);
    await term.press('x');
    s = await term.press('l');
    s = await term.waitFor(/boxlab · UTS: a hostname of its own/);
    wellFormed(await term.settled());
    await term.keys('q');
    await term.waitFor(/learn how containers work by running one/, 30_000);
  }, 180_000);
});
