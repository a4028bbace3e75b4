import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startCourseDaemon, type CourseDaemon } from './helpers/daemon.js';

// Every lesson, headless, exactly as a classroom or CI runs them: `boxlab lessons lint`, then
// `boxlab check --all --counterfactual` against a private daemon (in a throwaway network namespace). Every
// check must pass, none may pass with its step's actions skipped unless it declares invariant: (one run
// gives both results), nothing may be left running, and the suite's leak check must find nothing left behind.
const LESSONS = readdirSync(join(REPO, 'lessons')).filter((d) => /^\d\d-/.test(d)).sort();

interface Report {
  lessons: { id: string; steps: { title?: string; error?: string; checks: { passed: boolean; proves: string; detail: string; line: number; withoutAction?: string; invariant?: string }[] }[]; cleanupFailures: string[] }[];
}

describe('the course', () => {
  let daemon: CourseDaemon;
  beforeAll(async () => { daemon = await startCourseDaemon(); });
  afterAll(async () => { await daemon?.stop(); });

  it('every lesson passes the linter', async () => {
    const r = await daemon.cli(['lessons', 'lint']);
    if (r.exitCode !== 0) console.log(r.stdout, r.stderr);
    expect(r.exitCode).toBe(0);
  });

  // the JSON of the run below, kept for the interview bank's proofs
  let courseRun = '';

  // In Chinese (issue 16's `check --all --lang zh`): the checks are the English file's, so one run proves both
  // languages' checks, and every translated lesson's proofs must come out in Chinese (the merge really applied).
  it(`boxlab --lang zh check --all --counterfactual: every check of all ${LESSONS.length} lessons passes, none passes with its action skipped, and nothing is left`, async () => {
    const r = await daemon.cli(['--lang', 'zh', 'check', '--all', '--counterfactual', '--json'], { timeoutMs: 1_500_000 });
    courseRun = r.stdout;
    const report = JSON.parse(r.stdout) as Report;
    expect(report.lessons.map((l) => l.id).sort()).toEqual(LESSONS);
    const failed = report.lessons.flatMap((l) => [
      ...l.steps.flatMap((s) => [...(s.error ? [`${l.id}: ${s.error}`] : []), ...s.checks.filter((c) => !c.passed).map((c) => `${l.id}: ${c.proves} — ${c.detail}`)]),
      ...l.cleanupFailures.map((f) => `${l.id}: cleanup: ${f}`),
    ]);
    expect(failed).toEqual([]);
    const vacuous = report.lessons.flatMap((l) => l.steps.flatMap((s) => s.checks
      .filter((c) => c.passed && c.withoutAction === 'passed' && c.invariant === undefined)
      .map((c) => `lessons/${l.id}/lesson.md:${c.line}: passes with its step's actions skipped: ${c.proves}`)));
    expect(vacuous).toEqual([]);
    const translated = new Set(LESSONS.filter((id) => existsSync(join(REPO, 'lessons', id, 'lesson.zh.md'))));
    const english = report.lessons.filter((l) => translated.has(l.id)).flatMap((l) => l.steps.flatMap((s) => s.checks
      .filter((c) => !/[\u4e00-\u9fff]/.test(c.proves)).map((c) => `${l.id}: ${c.proves}`)));
    expect(english).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect((await daemon.cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 1_500_000);

  // The whole interview bank (issue 15): its lesson-step proofs are read from the run above — each proof's step
  // must have passed there — instead of running every lesson a second time; the questions' own demos run.
  it('boxlab interview check --all --lessons-report: every proof of the 81 questions holds, nothing is left', async () => {
    expect(courseRun).not.toBe('');
    const file = join(daemon.state, 'course-run.json');
    writeFileSync(file, courseRun);
    const r = await daemon.cli(['interview', 'check', '--all', '--lessons-report', file, '--json'], { timeoutMs: 300_000 });
    const report = JSON.parse(r.stdout) as InterviewReport;
    const failed = report.questions.flatMap((q) => q.proofs.filter((p) => !p.ok).map((p) => `${q.id} ${p.ref}: ${p.error ?? p.checks.filter((c) => !c.passed).map((c) => `${c.proves} — ${c.detail}`).join('; ')}`));
    expect(failed).toEqual([]);
    expect(report.questions).toHaveLength(81);
    const proofs = report.questions.flatMap((q) => q.proofs);
    expect(proofs.filter((p) => p.ref !== 'demo' && !p.skipped).length).toBeGreaterThan(100);
    expect(proofs.filter((p) => p.ref === 'demo').length).toBeGreaterThanOrEqual(4);
    expect(r.exitCode).toBe(0);
    expect((await daemon.cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 300_000);
});

interface InterviewReport { ok: boolean; questions: { id: string; proofs: { ref: string; ok: boolean; skipped?: string; error?: string; checks: { passed: boolean; proves: string; detail: string }[] }[] }[] }
