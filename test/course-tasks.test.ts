import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProgress, saveProgress } from '../course/progress.js';
import { drawParams } from '../course/tasks/params.js';
import { learnerSeed, updateTaskProgress } from '../course/tasks/progress.js';
import { parseTasks } from '../course/tasks/parse.js';
import { REPO, startCourseDaemon, type CourseDaemon } from './helpers/daemon.js';

// Tasks (lessons/<id>/tasks.md): the learner does it by hand, the checks look at the kernel's state.
// CI proves every task is solvable by its own solution and that none is solved before the learner starts.
const LESSONS = readdirSync(join(REPO, 'lessons')).filter((d) => /^\d\d-/.test(d)).sort();

const TASKS = `---
lesson: 99-demo
---

## Task: Demo

Make {{name}} say {{word}}.

\`\`\`params
name: {pick: [a, b, c, d]}
word: {word: 6}
mb: {range: [32, 64]}
bytes: {mul: [mb, 1048576]}
full: {text: "x-{{name}}"}
\`\`\`

\`\`\`check
- run: echo {{word}} {{missing}}
  equals: "{{word}}"
  proves: This check uses a value nothing defined.
\`\`\`
`;

describe('task files', () => {
  it('parse into params, checks and the missing parts, each problem with its line', () => {
    const r = parseTasks(TASKS, '/x/tasks.md');
    expect(r.tasks?.tasks[0]?.params.map((p) => p.name)).toEqual(['name', 'word', 'mb', 'bytes', 'full']);
    const messages = r.diagnostics.map((d) => `${d.line}: ${d.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^5: task "Demo" has no solution block/),
      expect.stringMatching(/^5: task "Demo" has no hints block/),
      expect.stringMatching(/^18: \{\{missing\}\} is not a param/),
    ]));
  });

  it('draw the same values for the same seed and different ones for another learner', () => {
    const params = parseTasks(TASKS, '/x/tasks.md').tasks!.tasks[0]!.params;
    const one = drawParams(params, 'seed-one', 'demo');
    expect(drawParams(params, 'seed-one', 'demo')).toEqual(one);
    expect(Number(one.get('bytes'))).toBe(Number(one.get('mb')) * 1048576);
    expect(one.get('full')).toBe(`x-${one.get('name')}`);
    expect(one.get('word')).toMatch(/^[a-z]{6}$/);
    const others = ['s2', 's3', 's4', 's5'].map((s) => drawParams(params, s, 'demo').get('word'));
    expect(others.every((w) => w !== one.get('word'))).toBe(true);
  });
});

describe('the progress file', () => {
  it('keeps task records and the seed when a stale copy of the whole progress is saved (the TUI holds one)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-tasks-progress-'));
    try {
      const file = join(dir, 'progress.json');
      const stale = loadProgress(file);
      const env = { BOXLAB_STATE: dir } as NodeJS.ProcessEnv;
      const seed = learnerSeed(env);
      updateTaskProgress('01-uts', 'T', (t) => { t.attempts = 2; }, env);
      saveProgress(file, stale);
      const now = loadProgress(file);
      expect(now.seed).toBe(seed);
      expect(now.tasks['01-uts']?.['T']?.attempts).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tasks on the kernel', () => {
  let daemon: CourseDaemon;
  beforeAll(async () => { daemon = await startCourseDaemon(); });
  afterAll(async () => { await daemon?.stop(); });
  const cli = (args: string[], env: Record<string, string> = {}, timeoutMs = 120_000) => daemon.cli(args, { timeoutMs, env });

  it('a learner: goal with their own values, a failing check that says what it saw, the hint ladder, the solution recorded', async () => {
    const goal = await cli(['task', '01-uts']);
    expect(goal.exitCode, goal.stderr).toBe(0);
    const host = /host=([a-z]+)/.exec(goal.stdout)?.[1];
    expect(host).toBeDefined();
    expect((await cli(['task', '01-uts'])).stdout).toBe(goal.stdout); // same learner, same instance
    const other = await cli(['task', '01-uts'], { BOXLAB_STATE: join(daemon.state, 'other') });
    expect(other.stdout).not.toContain(`host=${host}`); // another learner, another instance

    expect((await cli(['task', 'start', '01-uts'])).exitCode).toBe(0);
    const failed = await cli(['task', 'check', '01-uts']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(/✗ .*\n\s+looked at: boxlab exec uts-\w+ hostname\n\s+found: "\w+" is not "[a-z]+"/);
    expect(failed.stdout).toContain('0/1 checks pass (attempt 1)');

    expect((await cli(['task', 'hint', '01-uts'])).stdout).toMatch(/^hint 1\/3: /);
    const ladder = await cli(['task', 'hint', '01-uts']);
    expect(ladder.stdout).toMatch(/hint 1\/3: .*\nhint 2\/3: /);

    // the learner solves it by hand in their shell: what the last hint says
    const name = /looked at: boxlab exec (\S+) hostname/.exec(failed.stdout)![1]!;
    const pid = (await cli(['inspect', '-f', '{{.State.Pid}}', name])).stdout.trim();
    await execa('nsenter', ['-t', pid, '-u', 'hostname', host!]);
    const solved = await cli(['task', 'check', '01-uts']);
    expect(solved.stdout).toContain('✓ ');
    expect(solved.stdout).toContain('solved: 1/1 checks pass');
    expect(solved.exitCode).toBe(0);

    const shown = await cli(['task', 'solution', '01-uts']);
    expect(shown.stdout).toContain(`-u hostname ${host}`);
    const progress = JSON.parse(readFileSync(join(daemon.state, 'progress.json'), 'utf8')) as { seed: string; tasks: Record<string, Record<string, { attempts: number; hints: number; solvedAt?: string; solutionShownAt?: string }>> };
    const rec = progress.tasks['01-uts']!['A new hostname without a restart']!;
    expect(rec).toMatchObject({ attempts: 2, hints: 2 });
    expect(rec.solvedAt).toBeDefined();
    expect(rec.solutionShownAt).toBeDefined();
    expect(progress.seed).toMatch(/^[0-9a-f]+$/);
    await cli(['rm', '-f', name]);
  }, 300_000);

  it(`boxlab check --tasks --all: at least 27 tasks, none solved before its solution, all solved after, nothing left`, async () => {
    const r = await cli(['check', '--tasks', '--all', '--json'], {}, 900_000);
    const report = JSON.parse(r.stdout) as { ok: boolean; tasks: number; preSolved: number; solved: number; verdicts: { lesson: string; task: string; ok: boolean; error?: string; preSolved: string[]; cleanupFailures: string[] }[] };
    const bad = report.verdicts.filter((v) => !v.ok).map((v) => `${v.lesson} / ${v.task}: ${v.error ?? ''} ${v.preSolved.join('; ')} ${v.cleanupFailures.join('; ')}`);
    expect(bad).toEqual([]);
    // every lesson folder with a tasks.md is solved; a lesson added later without one is not a failure here
    const withTasks = LESSONS.filter((l) => existsSync(join(REPO, 'lessons', l, 'tasks.md')));
    expect(new Set(report.verdicts.map((v) => v.lesson))).toEqual(new Set(withTasks));
    expect(withTasks.length).toBeGreaterThanOrEqual(27);
    expect(report.tasks).toBeGreaterThanOrEqual(27);
    expect(report.preSolved).toBe(0);
    expect(report.solved).toBe(report.tasks);
    expect(r.exitCode).toBe(0);
    expect((await cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 900_000);
});
