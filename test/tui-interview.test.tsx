import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { parseQuestion } from '../course/interview/bank.js';
import { loadProgress } from '../course/progress.js';
import { FakeTraceSource } from '../course/trace-source.js';
import type { ExecResult, Executor } from '../course/exec.js';
import { InterviewView } from '../tui/InterviewView.js';

const KEY = { down: '\u001b[B', enter: '\r', tab: '\t' };
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));
const plain = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

const sections = (n: string) => `## 问题\n问题${n}是什么\n\n## Question\nWhat is question ${n}?\n\n## 参考答案\n答案${n}\n\n## Model answer\nAnswer ${n}.\n\n## Key points\n- point ${n}\n\n## Wrong answers\n- wrong ${n}\n\n## Follow-ups\n- follow ${n}\n\n## 要点\n- 要点${n}\n\n## 常见错误回答\n- 错答${n}\n\n## 追问\n- 追问${n}\n`;
const live = parseQuestion(`---\nid: q-live\nsource: "000#1"\ntopics: [demo]\ndifficulty: 1\n---\n\n${sections('1')}\n## Demo\n\n## Step: s\n\n\`\`\`observe name=out\necho hello\n\`\`\`\n\n\`\`\`check\n- value: "{{out}}"\n  equals: hello\n  proves: The demo saw hello.\n\`\`\`\n`, '/i/q-live.md').question!;
const written = parseQuestion(`---\nid: q-written\nsource: "000#2"\ntopics: [demo]\ndifficulty: 2\nwritten: nothing on one kernel shows this\n---\n\n${sections('2')}`, '/i/q-written.md').question!;

const executor: Executor = {
  async run(command: string): Promise<ExecResult> {
    return { stdout: command === 'echo hello' ? 'hello' : '', stderr: '', exitCode: 0, durationMs: 1 };
  },
};

let state: string;
beforeEach(() => { state = mkdtempSync(join(tmpdir(), 'boxlab-tui-iv-')); });
afterEach(() => rmSync(state, { recursive: true, force: true }));

async function until(frame: () => string | undefined, re: RegExp, ms = 3000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (re.test(plain(frame()))) return plain(frame());
    await tick(20);
  }
  throw new Error(`never showed ${re}:\n${plain(frame())}`);
}

describe('interview mode (ink)', () => {
  it('asks the question alone, keeps notes, reveals, runs the proof, marks, and ends with a summary', async () => {
    let left = false;
    const file = join(state, 'progress.json');
    const ui = render(
      <InterviewView
        questions={[live, written]} lessons={[]} progressFile={file} width={80} height={24}
        sessionOptions={{ executor, traceSource: new FakeTraceSource(), cgroup: 'v1', traceDrainMs: 0 }}
        onLeave={() => { left = true; }}
      />,
    );
    await until(ui.lastFrame, /2 questions from your notes · 1 with a live proof · marked 0/);
    for (let i = 0; i < 3; i++) { ui.stdin.write(KEY.down); await tick(); }
    await until(ui.lastFrame, /▸ Every question/);
    ui.stdin.write(KEY.enter);
    const q = await until(ui.lastFrame, /1\/2 · q-live/);
    expect(q).toContain('What is question 1?');
    expect(q).not.toMatch(/Answer 1|point 1/);
    for (const c of 'my notes') { ui.stdin.write(c); await tick(10); }
    await until(ui.lastFrame, /my notes/);
    ui.stdin.write(KEY.tab);
    const revealed = await until(ui.lastFrame, /Model answer/);
    expect(revealed).toMatch(/Answer 1\.[\s\S]*✓ point 1[\s\S]*✗ wrong 1[\s\S]*\? follow 1[\s\S]*my notes/);
    ui.stdin.write('l');
    // in Chinese the key points, wrong answers and follow-ups are the Chinese ones
    const zh = await until(ui.lastFrame, /参考答案[\s\S]*答案1/);
    expect(zh).toMatch(/✓ 要点1[\s\S]*✗ 错答1[\s\S]*\? 追问1/);
    expect(zh).not.toMatch(/point 1/);
    ui.stdin.write('l');
    await until(ui.lastFrame, /✓ point 1/);
    ui.stdin.write('l');
    await until(ui.lastFrame, /✓ 要点1/);
    ui.stdin.write('p');
    const proved = await until(ui.lastFrame, /the proof passed/);
    expect(proved).toMatch(/✓ The demo saw hello\./);
    ui.stdin.write('1');
    await until(ui.lastFrame, /2\/2 · q-written/);
    ui.stdin.write(KEY.tab);
    await until(ui.lastFrame, /Written answer only: nothing on one kernel shows this/);
    ui.stdin.write('p'); // nothing to run
    await tick();
    expect(plain(ui.lastFrame())).not.toMatch(/Proof:/);
    ui.stdin.write('3');
    const summary = await until(ui.lastFrame, /Done: 2 questions/);
    expect(summary).toMatch(/✓ knew it {2}q-live[\s\S]*✗ not yet {2}q-written/);
    const p = loadProgress(file);
    expect(p.interview?.['q-live']).toMatchObject({ box: 2, last: 'knew', notes: 'my notes' });
    expect(p.interview?.['q-written']).toMatchObject({ box: 1, last: 'not-yet' });
    ui.stdin.write(KEY.enter);
    await until(ui.lastFrame, /marked 2: ✓1 ◐0 ✗1/);
    ui.stdin.write('q');
    await tick();
    expect(left).toBe(true);
    ui.unmount();
  });
});
