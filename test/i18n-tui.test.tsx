import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import type { ExecResult, Executor } from '../course/exec.js';
import { loadLessons } from '../course/lint.js';
import { emptyProgress } from '../course/progress.js';
import { FakeTraceSource } from '../course/trace-source.js';
import { localeCheck } from '../engine/doctor/locale.js';
import { langFromEnv, messages, parseLang, setLang } from '../i18n/index.js';
import { en } from '../i18n/en.js';
import { App } from '../tui/App.js';
import { Help } from '../tui/Help.js';
import { Menu } from '../tui/Menu.js';
import { keyBar } from '../tui/modes.js';
import { softBreaks } from '../tui/markdown.js';
import { displayWidth, wrapWords } from '../tui/text.js';

const REPO = join(import.meta.dirname, '..');
const english = loadLessons(join(REPO, 'lessons')).lessons;
const chinese = loadLessons(join(REPO, 'lessons'), { lang: 'zh' }).lessons;
import { plain, until } from './helpers/ink-frames.js';
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

/** Every line fits the screen in display columns (a CJK character is two), no character was split or replaced. */
function fits(frame: string, columns: number, rows: number): void {
  const lines = frame.split('\n');
  expect(lines.length, frame).toBeLessThanOrEqual(rows);
  for (const l of lines) expect(displayWidth(l), `${displayWidth(l)} columns: ${l}`).toBeLessThanOrEqual(columns);
  expect(frame).not.toContain('\uFFFD');
}


let state: string;
beforeEach(() => { state = mkdtempSync(join(tmpdir(), 'boxlab-i18n-')); });
afterEach(() => { rmSync(state, { recursive: true, force: true }); setLang('en'); });

describe('language choice', () => {
  it('--lang / BOXLAB_LANG first, then the locale in POSIX order', () => {
    expect(langFromEnv({})).toBe('en');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(langFromEnv({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_TW.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8', BOXLAB_LANG: 'en' })).toBe('en');
    expect(langFromEnv({ BOXLAB_LANG: 'zh-CN' })).toBe('zh');
    expect(parseLang('fr')).toBeUndefined();
  });

  it("doctor warns when the terminal's locale cannot show Chinese, in the learner's language", () => {
    expect(localeCheck({ LANG: 'zh_CN.UTF-8' }).status).toBe('ok');
    expect(localeCheck({ LANG: 'en_US.utf8', LC_ALL: '' }).status).toBe('ok');
    const c = localeCheck({ LANG: 'zh_CN.UTF-8', LC_ALL: 'C' });
    expect(c).toMatchObject({ status: 'warn', essential: false });
    expect(c.detail).toMatch(/\(C\) is not UTF-8/);
    const zh = localeCheck({ LANG: 'POSIX', BOXLAB_LANG: 'zh' });
    expect(zh.detail).toContain('不是 UTF-8');
    expect(zh.fix).toContain('zh_CN.UTF-8');
  });

  it('the zh-CN catalogue has every message, in Chinese', () => {
    const zh = messages('zh');
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      const v = zh[k];
      const text = typeof v === 'function' ? (v as (...a: unknown[]) => string)(1, 'x', 2, 3) : v;
      expect(text.length, k).toBeGreaterThan(0);
    }
    const chineseOnes = (Object.keys(en) as (keyof typeof en)[]).filter((k) => {
      const v = zh[k];
      return /\p{Script=Han}/u.test(typeof v === 'function' ? (v as (...a: unknown[]) => string)(1, 'x', true, 3) : v);
    });
    // key bar items such as "s shell" may stay as they are; everything a learner reads is Chinese
    expect(chineseOnes.length).toBeGreaterThan(Object.keys(en).length * 0.85);
  });
});

describe('CJK width', () => {
  it('wraps Chinese between characters by display width, keeps closing punctuation on its line', () => {
    const text = '容器运行时在调用 clone(2) 时传入 CLONE_NEWUTS（或者调用 unshare(2)）来创建这个命名空间，然后设置主机名。';
    for (const w of [20, 31, 50]) {
      const lines = wrapWords(text, w);
      for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(w);
      expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      for (const l of lines) expect(l).not.toMatch(/^[，。）]/);
    }
    const cut = wrapWords(text, 20, 2);
    expect(cut).toHaveLength(2);
    expect(cut[1]).toMatch(/…$/);
    expect(displayWidth(cut[1]!)).toBeLessThanOrEqual(20);
  });

  it('a line break inside a Chinese sentence joins without a space; in English it stays a space', () => {
    expect(softBreaks('在启动你的程序之前，\n从命名空间内部设置')).toBe('在启动你的程序之前，从命名空间内部设置');
    expect(softBreaks('UTS 命名空间\nisolates two\nfields')).toBe('UTS 命名空间 isolates two fields');
  });

  it('the key bar and the help fit 80 columns in Chinese', () => {
    setLang('zh');
    for (const mode of ['menu', 'lesson'] as const) {
      for (const w of [79, 59]) {
        const bar = keyBar(mode, w);
        expect(displayWidth(bar), bar).toBeLessThanOrEqual(w);
        expect(bar).toMatch(/\? 帮助 · q (退出|返回)$/);
      }
      fits(plain(render(<Help width={80} mode={mode} />).lastFrame()), 80, 23);
    }
  });

  it('the menu holds at 80×24 with Chinese titles and summaries', () => {
    setLang('zh');
    const f = plain(render(<Menu lessons={chinese} progress={emptyProgress()} selected={1} width={80} height={23} hidden={0}
      welcome={[messages('zh').welcome]} />).lastFrame());
    fits(f, 80, 23);
    expect(f).toMatch(/^▸ · 01-uts\s+UTS：容器自己的主机名\s+10 分钟/m);
    expect(f).toContain('给容器一个自己的主机名');
    expect(f.split('\n').at(-1)).toMatch(/⏎ 打开 · .*\? 帮助 · q 退出$/);
  });
});

/** Answers lesson 01-uts's commands plausibly; what matters here is the screen, not the kernel. */
const executor: Executor = {
  async run(command: string): Promise<ExecResult> {
    const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0, durationMs: 1 });
    if (command.startsWith('lsns')) return ok('4026531838 uts\n4026532000 uts');
    if (command.startsWith('boxlab inspect')) return ok(String(process.pid));
    if (command.startsWith('readlink')) return ok('uts:[4026532000]');
    return ok('');
  },
};

describe('the task view in Chinese at 80×24', () => {
  it('title, counters and key bar from the catalogue, fitting the screen', async () => {
    setLang('zh');
    const { TaskView } = await import('../tui/TaskView.js');
    const uts = chinese.find((l) => l.meta.id === '01-uts')!;
    const prevState = process.env.BOXLAB_STATE;
    process.env.BOXLAB_STATE = state; // the task progress it reads is this test's (none)
    try {
      const v = render(<TaskView lesson={uts} width={80} height={23} sessionOptions={{ executor, cgroup: 'v2' }} onShell={() => undefined} onClose={() => undefined} active={false} />);
      const f = plain(v.lastFrame());
      fits(f, 80, 23);
      expect(f).toMatch(/^boxlab · 任务 1\/\d+：/m);
      expect(f).toMatch(/尝试 0 次 · 提示 0\/\d+/);
      expect(f).toMatch(/h 宿主机 shell · ⏎ 检查 · n 提示 · S 答案（先确认）.* · q 返回本课/);
      v.unmount();
    } finally {
      if (prevState === undefined) delete process.env.BOXLAB_STATE; else process.env.BOXLAB_STATE = prevState;
    }
  });
});

describe('the lesson in Chinese at 80×24', () => {
  it('two panes, step list, key bar and evidence hold; l switches to English and back in place', async () => {
    const uts = (l: 'en' | 'zh') => (l === 'zh' ? chinese : english);
    const app = render(
      <App lessons={english} lessonsIn={uts} lang="zh" initialLesson="01-uts" progressFile={join(state, 'progress.json')}
        sessionOptions={{ traceDrainMs: 0, cgroup: 'v2', executor, traceSource: new FakeTraceSource() }} size={{ columns: 80, rows: 24 }} />,
    );
    try {
      let f = await until(app.lastFrame, /UTS：容器自己的主机名/);
      fits(f, 80, 23);
      expect(f).toContain('1 课文');
      expect(f).toMatch(/引言/);
      app.stdin.write('j');
      f = await until(app.lastFrame, /第 1 步：启动一个有自己主机名的容器/);
      fits(f, 80, 23);
      expect(f).toMatch(/1 启动一个有/);
      app.stdin.write('\r');
      f = await until(app.lastFrame, /第 1 步(通过|失败)/, 5000);
      fits(f, 80, 23);
      expect(f).toMatch(/[✓✗] 容器的进程位于自己的 UTS/);
      app.stdin.write('l');
      f = await until(app.lastFrame, /UTS: a hostname of its own/);
      fits(f, 80, 23);
      expect(f).toMatch(/1 Start a container/);
      expect(f).toContain('1 Lesson');
      app.stdin.write('l');
      f = await until(app.lastFrame, /UTS：容器自己的主机名/);
      expect(f).toMatch(/启动一个有/);
    } finally {
      app.stdin.write('q');
      await tick(200);
      app.unmount();
    }
  });
});

describe('every UI string from the catalogue', () => {
  /**
   * The code a learner's (or an instructor's) words come from: the TUI, and the course-facing commands, doctor and
   * the classroom. Per file, the declarations (functions, variables) whose literals are not for a learner, each
   * with why; keep this short. Everything else with an English phrase in a literal fails the test.
   */
  const SCANNED: Record<string, Record<string, string>> = {
    'tui/*': {},
    'course/checks.ts': {},
    'course/find-lesson.ts': {},
    'course/runner.ts': {},
    'course/placeholders.ts': {},
    'course/commands.ts': {
      formatDiagnostic: 'lint output for lesson authors (file:line: message), English like the lesson sources',
      lintLessonsCommand: 'boxlab lessons lint: for lesson authors',
      translateStampCommand: 'boxlab lessons translate-stamp: for translators',
      printVacuous: "--counterfactual's findings, for lesson authors",
      counterfactualCount: "--counterfactual's count, for lesson authors",
    },
    'course/tasks/commands.ts': {
      tasksCheckCommand: 'boxlab check --tasks: the task authors\' and CI\'s self-test',
      printVerdict: 'boxlab check --tasks output',
    },
    'course/tasks/run.ts': {},
    'course/interview/commands.ts': {
      lintInterviewCommand: 'boxlab interview lint: for question authors',
    },
    'cli/commands/course.ts': { AUTHOR_HELP: "--help of the lesson authors' commands (lint, translate-stamp, --tasks, --counterfactual)" },
    'cli/commands/task.ts': {},
    'cli/commands/classroom.ts': { SERVE_HELP: "--help of the instructor's serve: not in the catalogue yet" },
    'cli/commands/interview.ts': { AUTHOR_HELP: "--help of the question authors' lint" },
    'cli/commands/doctor.ts': {},
    'classroom/client.ts': {},
    'classroom/room.ts': { toCsv: "the export's column names: keys a spreadsheet reads, not prose" },
    'classroom/page.ts': {
      PAGE_CSS: 'a stylesheet', PAGE_CSP: 'an HTTP header',
      pageHtml: 'markup; its words are ${m.…} from the catalogue (the test below reads the page in Chinese)',
      pageJs: 'script; its words are W.… from the catalogue (the test below reads the page in Chinese)',
    },
    'engine/doctor/*': { MOUNT_SCRIPT: 'a shell script the probe runs' },
  };
  // `new Error(...)` (RangeError, TypeError): internal errors, caught and retried (or a bug report), never a
  // sentence for the learner
  // a literal that is a command to type (doctor's fixes): the command is the same in every language
  const COMMAND = /^(apt-get install|sysctl -w|modprobe) /;

  it('no English phrase is left as a literal in the TUI, the course commands, doctor or the classroom', async () => {
    const ts = (await import('typescript')).default;
    const { readdirSync, readFileSync } = await import('node:fs');
    const files = Object.entries(SCANNED).flatMap(([pattern, allowed]) => (pattern.endsWith('/*')
      ? readdirSync(join(REPO, pattern.slice(0, -2))).filter((n) => /\.tsx?$/.test(n)).map((n) => [`${pattern.slice(0, -1)}${n}`, allowed] as const)
      : [[pattern, allowed] as const]));
    expect(files.length).toBeGreaterThan(30);
    const found: string[] = [];
    const nameOf = (n: import('typescript').Node): string | undefined =>
      (ts.isFunctionDeclaration(n) || ts.isVariableDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name) ? n.name.text : undefined;
    for (const [rel, allowed] of files) {
      const file = join(REPO, rel);
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, rel.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
      const visit = (n: import('typescript').Node): void => {
        if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) return;
        const name = nameOf(n);
        if (name !== undefined && name in allowed) return;
        if (ts.isNewExpression(n) && /^(Range|Type)?Error$/.test(n.expression.getText())) return;
        const text = ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateLiteralToken(n) || ts.isJsxText(n) ? n.text : undefined;
        // two English words in a row: a phrase someone would read
        if (text !== undefined && /[A-Za-z]{2,} [a-z]{2,}/.test(text) && !COMMAND.test(text)) found.push(`${rel}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${JSON.stringify(text)}`);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(found).toEqual([]);
  });

  it("the instructor's page is Chinese with --lang zh: markup and script words from the catalogue", async () => {
    const { pageHtml, pageJs } = await import('../classroom/page.js');
    const zh = messages('zh');
    const words = pageHtml(zh).replace(/<code>[^<]*<\/code>/g, '').replace(/<(script|link|meta)[^>]*>/g, '').replace(/<[^>]+>/g, ' ')
      .replace(/boxlab classroom/g, '');
    expect(words).toContain('发布下一课');
    expect(words.match(/[A-Za-z]{2,} [a-z]{2,}/g)).toBeNull();
    expect(pageJs(zh)).toContain('"reconnecting":"正在重新连接…"');
    expect(pageHtml(en)).toContain('Release next lesson');
  });
});
