import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintLessonsCommand, translateStampCommand } from '../course/commands.js';
import { lintTranslations, translateLesson, translationFile } from '../course/i18n.js';
import { loadLessons } from '../course/lint.js';
import { emptyProgress, recordStep, stepsDone } from '../course/progress.js';
import { BASE_LESSON, GOOD_LESSON, lessonsFolder } from './course-fixtures.js';

const REPO = join(import.meta.dirname, '..');

/** GOOD_LESSON in Chinese: the same steps and blocks, text only. */
const GOOD_ZH = `---
title: "演示：自己的主机名"
summary: 展示每一种代码块。
source: "0"
---

# 演示

介绍。

\`\`\`cleanup
\`\`\`

## Step 1 [0]: 启动它

\`\`\`observe
\`\`\`

\`\`\`action
\`\`\`

\`\`\`capture
\`\`\`

## Step 2 [0]: 看看它

\`\`\`observe
\`\`\`

\`\`\`check
- proves: 容器是宿主机上一个有 pid 的进程。
  hint: 看看证据面板。
- proves: 命名空间有自己的 inode 编号。
  hint: 看看 /proc
- proves: 这个进程出现在宿主机的 /proc 里。
  hint: 看看证据面板。
\`\`\`
`;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

function withZh(zh: string) {
  const f = lessonsFolder({ '00-base': BASE_LESSON, '01-demo': GOOD_LESSON });
  const file = join(f.dir, '01-demo', 'lesson.zh.md');
  writeFileSync(file, zh);
  const stamp = () => translateStampCommand({ lessonsDir: f.dir, io: io().io }, '01-demo');
  const lint = () => { const o = io(); const code = lintLessonsCommand({ lessonsDir: f.dir, env: {}, io: o.io }); return { code, ...o }; };
  return { ...f, file, stamp, lint };
}

describe('lesson translations (lesson.zh.md)', () => {
  it('lays the Chinese text over the English structure: same commands and assertions, Chinese sentences', () => {
    const f = withZh(GOOD_ZH);
    try {
      f.stamp();
      const [en] = loadLessons(f.dir).lessons.filter((l) => l.meta.id === '01-demo');
      const [zh] = loadLessons(f.dir, { lang: 'zh' }).lessons.filter((l) => l.meta.id === '01-demo');
      expect(zh!.lang).toBe('zh');
      expect(zh!.meta).toEqual({ ...en!.meta, title: '演示：自己的主机名', summary: '展示每一种代码块。' });
      expect(zh!.steps.map((s) => s.title)).toEqual(['启动它', '看看它']);
      expect(zh!.cleanup).toEqual(en!.cleanup);
      // every block but the checks' sentences is the English one
      const strip = (l: typeof en) => JSON.stringify(l!.steps.map((s) => s.blocks.map((b) => (b.kind === 'check' ? b.checks.map(({ proves: _p, hint: _h, ...c }) => c) : b))));
      expect(strip(zh)).toBe(strip(en));
      const checks = zh!.steps[1]!.blocks.find((b) => b.kind === 'check');
      expect(checks?.kind === 'check' && checks.checks.map((c) => [c.proves, c.hint])).toEqual([
        ['容器是宿主机上一个有 pid 的进程。', '看看证据面板。'], ['命名空间有自己的 inode 编号。', '看看 /proc'], ['这个进程出现在宿主机的 /proc 里。', '看看证据面板。'],
      ]);
      // the lesson pane shows the English commands inside the Chinese prose
      const code = zh!.steps[0]!.tokens.filter((t) => t.type === 'code').map((t) => (t as { text: string }).text);
      expect(code[1]).toContain('boxlab run -d --name demo-web');
      // progress is kept by the English title: a step done in one language is done in the other
      const p = recordStep(emptyProgress(), zh!, 0, { ok: true, checksPassed: 0, checksTotal: 0 });
      expect(stepsDone(p, en!)).toEqual([true, false]);
      const l = f.lint();
      expect(l.code).toBe(0);
      expect(l.out).toEqual(['2 lessons OK', '1 of 2 translated (中文), 0 stale']);
      expect(l.err).toEqual(['warning: 1 of 2 lessons untranslated (no lesson.zh.md): 00-base']);
    } finally { f.cleanup(); }
  });

  it('reports a step changed in English and not in Chinese as stale until it is stamped again', () => {
    const f = withZh(GOOD_ZH);
    try {
      f.stamp();
      expect(f.lint().code).toBe(0);
      const en = join(f.dir, '01-demo', 'lesson.md');
      writeFileSync(en, readFileSync(en, 'utf8').replace('proves: The namespace has an inode number of its own.', 'proves: The namespace has an inode of its own.'));
      const l = f.lint();
      expect(l.code).toBe(1);
      expect(l.err[0]).toMatch(/01-demo\/lesson\.zh\.md:\d+: stale: step 2 \("Look at it"\) changed in English/);
      expect(l.err.filter((e) => /stale/.test(e))).toHaveLength(1);
      // so a lesson with a stale translation still shows it (better than nothing), the lint says so
      expect(loadLessons(f.dir, { lang: 'zh' }).lessons[1]!.steps[1]!.title).toBe('看看它');
      f.stamp();
      expect(f.lint().code).toBe(0);
      writeFileSync(en, readFileSync(en, 'utf8').replace('Intro with', 'An intro with'));
      expect(f.lint().err[0]).toMatch(/lesson\.zh\.md:2: stale: the English title, summary, introduction or closing prose changed/);
    } finally { f.cleanup(); }
  });

  it('an invariant the translation lacks is a warning (shown in English), never an error', () => {
    const { lessons } = loadLessons(join(REPO, 'lessons'));
    const uts = lessons.find((l) => l.meta.id === '01-uts')!;
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-zh-inv-'));
    try {
      const file = join(dir, 'lesson.zh.md');
      writeFileSync(file, readFileSync(translationFile(uts.file, 'zh'), 'utf8').replace(/^  invariant: .*\n/gm, ''));
      const r = translateLesson(uts, file, 'zh');
      expect(r.diagnostics).toEqual([]);
      expect(r.warnings.length).toBe(3);
      expect(r.warnings[0]!.message).toMatch(/the English check has an invariant — translate it/);
      const inv = r.lesson!.steps.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'check' ? b.checks : []))).find((c) => c.invariant !== undefined)!;
      expect(inv.invariant).toMatch(/^The host/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('rejects a translation whose steps, blocks or check texts do not match the English', () => {
    const cases: [string, string, RegExp][] = [
      ['a block missing', GOOD_ZH.replace('```action\n```\n\n', ''), /step 1 has blocks \[observe, capture\], the English has \[observe, action, capture\]/],
      ['a check text missing', GOOD_ZH.replace('- proves: 这个进程出现在宿主机的 /proc 里。\n  hint: 看看证据面板。\n', ''), /2 check texts, the English block has 3/],
      ['a hint the translation lacks', GOOD_ZH.replace('- proves: 容器是宿主机上一个有 pid 的进程。\n  hint: 看看证据面板。', '- proves: 容器是宿主机上一个有 pid 的进程。'), /check 1: the English check has a hint — translate it/],
      // (the reverse, a hint where the English has none, cannot arise: the English lint wants a hint on every check)
      ['an invariant where the English has none', GOOD_ZH.replace('- proves: 容器是宿主机上一个有 pid 的进程。\n  hint: 看看证据面板。', '- proves: 容器是宿主机上一个有 pid 的进程。\n  hint: 看看证据面板。\n  invariant: 无论如何都成立。'), /check 1: the English check has no invariant — remove it/],
      ['a step missing', GOOD_ZH.slice(0, GOOD_ZH.indexOf('## Step 2')), /1 steps, the English has 2/],
      ['steps misnumbered', GOOD_ZH.replace('## Step 2 [0]', '## Step 3 [0]'), /step heading says 3, it is step 2/],
      ['a heading not in the form', GOOD_ZH.replace('## Step 2 [0]: 看看它', '## Step: 看看它'), /write it as "## Step N \[HASH\]: 译文标题"/],
      ['an English field in the front matter', GOOD_ZH.replace('source: "0"', 'source: "0"\nminutes: 5'), /front matter has title, summary and source only/],
    ];
    for (const [what, text, want] of cases) {
      const f = withZh(text);
      try {
        f.stamp();
        const l = f.lint();
        expect(l.code, what).toBe(1);
        expect(l.err.join('\n'), what).toMatch(want);
        // a structurally wrong translation never changes what runs: the English blocks are used or the English lesson is
        const zh = loadLessons(f.dir, { lang: 'zh' }).lessons[1]!;
        expect(zh.steps.flatMap((s) => s.blocks.map((b) => b.kind)), what).toEqual(['observe', 'action', 'capture', 'observe', 'check']);
      } finally { f.cleanup(); }
    }
  });

  it("the course's translations are in parity with the English (stale ones are for the lead to re-stamp)", () => {
    const { lessons } = loadLessons(join(REPO, 'lessons'));
    const r = lintTranslations(lessons, 'zh');
    const structural = r.diagnostics.filter((d) => !/stale/.test(d.message));
    expect(structural).toEqual([]);
    expect(lessons.length - r.untranslated.length).toBeGreaterThanOrEqual(2);
    const uts = lessons.find((l) => l.meta.id === '01-uts')!;
    const zh = translateLesson(uts, translationFile(uts.file, 'zh'), 'zh').lesson!;
    expect(zh.meta.title).toMatch(/UTS：/);
    expect(zh.steps.every((s, i) => s.blocks.length === uts.steps[i]!.blocks.length)).toBe(true);
    // a check's invariant: reason is translated like its proves: and hint:, the assertion stays the English one
    const invariants = zh.steps.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'check' ? b.checks : []))).filter((c) => c.invariant !== undefined);
    expect(invariants.length).toBeGreaterThan(0);
    for (const c of invariants) expect(c.invariant).toMatch(/\p{Script=Han}/u);
  });
});
