import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCourseDaemon, type CourseDaemon } from './helpers/daemon.js';

// The translated lessons run for real in Chinese: the same checks as the English (single-sourced), their
// sentences in Chinese. Two lessons only: the whole course in English is course-lessons.test.ts's job.
describe('boxlab check --lang zh', () => {
  let daemon: CourseDaemon;
  beforeAll(async () => { daemon = await startCourseDaemon(); });
  afterAll(async () => { await daemon?.stop(); });

  it('runs 00-processes and 01-uts in Chinese: every check passes and says what it proves in Chinese', async () => {
    const r = await daemon.cli(['--lang', 'zh', 'check', '00-processes', '01-uts'], { timeoutMs: 300_000 });
    if (r.exitCode !== 0) console.log(r.stdout, r.stderr);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('01-uts: UTS：容器自己的主机名');
    expect(r.stdout).toContain('  第 1 步');
    expect(r.stdout).toContain('✓ 在容器内，hostname 报告的是 --hostname 给定的名字。');
    expect(r.stdout).toContain('✓ 容器运行在宿主机的内核上；和虚拟机不同，它没有自己的内核。');
    expect(r.stdout).toMatch(/通过：2 课共 \d+ 项检查，通过 \d+ 项\n?$/);
    expect(r.stdout).not.toMatch(/✓ [A-Z][a-z]/); // no English proof sentence slipped through
    expect((await daemon.cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 300_000);

  it('LANG=zh_CN.UTF-8 chooses Chinese; BOXLAB_LANG=en overrides it', async () => {
    const zh = await daemon.cli(['lessons'], { env: { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' } });
    expect(zh.stdout).toMatch(/01-uts\s+10 分钟  UTS：容器自己的主机名/);
    const en = await daemon.cli(['lessons'], { env: { LANG: 'zh_CN.UTF-8', BOXLAB_LANG: 'en' } });
    expect(en.stdout).toMatch(/01-uts\s+10 min  UTS: a hostname of its own/);
  });
});
