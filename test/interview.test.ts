import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLive, loadBank, parseQuestion } from '../course/interview/bank.js';
import { outcomesFromReport, type LessonsRunReport } from '../course/interview/lessons-report.js';
import { lintChineseLists, lintProofs } from '../course/interview/lint.js';
import { loadLessons } from '../course/lint.js';
import { stepId, stepSlug } from '../course/step-id.js';
import { loadInterview } from '../course/interview/commands.js';
import { normalise, noteQuestions } from '../course/interview/notes.js';
import { dueQuestions, recordMark } from '../course/interview/srs.js';
import { emptyProgress, loadProgress, saveProgress } from '../course/progress.js';
import { CLI, REPO, startCourseDaemon, type CourseDaemon } from './helpers/daemon.js';
import { execa } from 'execa';

// The notes sit beside the clone in CI (shared/ next to it), as they do beside a worktree here.
const NOTES = join(REPO, '..', 'shared', 'seeds');
const notesHere = existsSync(NOTES) && readdirSync(NOTES).some((f) => f.startsWith('000_')) && readdirSync(NOTES).some((f) => f.startsWith('003_'));
if (!notesHere) console.warn(`interview.test: the study notes are not at ${NOTES}; the count of their questions is skipped`);

const bank = loadBank(join(REPO, 'interview'));
const SECTIONS_OK = '## 问题\nq\n## Question\nq\n## 参考答案\na\n## Model answer\na\n## Key points\n- k\n## Wrong answers\n- w\n## Follow-ups\n- f\n';
const cli = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, reject: false });

describe('the interview question bank', () => {
  it('parses without a problem, and lint passes (sections, proof ids resolve, the notes are covered)', async () => {
    expect(bank.diagnostics).toEqual([]);
    const all = loadInterview({ io: { out: () => undefined, err: () => undefined }, interviewDir: join(REPO, 'interview'), lessonsDir: join(REPO, 'lessons'), notesDir: NOTES });
    expect(all.diagnostics).toEqual([]);
    const r = await cli(['interview', 'lint']);
    // without the notes beside the clone, lint says coverage was not checked (and still passes)
    expect(r.stderr).toEqual(notesHere ? '' : expect.stringMatching(/not checked/));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^81 questions OK \(\d+ live, \d+ written only\)/);
  });

  it.skipIf(!notesHere)('has one question for every ## heading of notes 000 (34) and 003 (33 + 14), counted from the notes', () => {
    const file = (p: string) => join(NOTES, readdirSync(NOTES).find((f) => f.startsWith(`${p}_`))!);
    const headings = (p: string) => readFileSync(file(p), 'utf8').split('\n').filter((l) => /^## /.test(l));
    expect(headings('000')).toHaveLength(34);
    expect(headings('003')).toHaveLength(47);
    const notes = noteQuestions(NOTES)!;
    expect(notes).toHaveLength(81);
    expect(notes.filter((n) => n.ref.startsWith('003:1§'))).toHaveLength(33);
    expect(notes.filter((n) => n.ref.startsWith('003:2§'))).toHaveLength(14);
    const bySource = new Map(bank.questions.map((q) => [q.source, q]));
    for (const n of notes) {
      const q = bySource.get(n.ref);
      expect(q, `no question for ${n.ref} "${n.heading}"`).toBeDefined();
      expect(normalise(q!.questionZh)).toContain(normalise(n.heading));
    }
    expect(bank.questions).toHaveLength(81);
  });

  it('every question has both languages, key points, wrong answers, follow-ups, and a proof or a reason', () => {
    for (const q of bank.questions) {
      expect(q.questionEn.length, q.id).toBeGreaterThan(10);
      expect(q.answerZh.length, q.id).toBeGreaterThan(40);
      expect(q.answerEn.length, q.id).toBeGreaterThan(100);
      expect(/[\u4e00-\u9fff]/.test(q.answerZh), q.id).toBe(true);
      expect(q.keyPoints.length, q.id).toBeGreaterThan(0);
      expect(q.wrongAnswers.length, q.id).toBeGreaterThan(0);
      expect(q.followUps.length, q.id).toBeGreaterThan(0);
      for (const k of ['keyPoints', 'wrongAnswers', 'followUps'] as const) {
        expect(q.zh[k]?.length, `${q.id} ${k} in Chinese`).toBe(q[k].length);
        expect(q.zh[k]!.every((x) => /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(x)), `${q.id} ${k} in Chinese`).toBe(true);
      }
      expect(isLive(q) || (q.written ?? '').length > 0, q.id).toBe(true);
    }
    const live = bank.questions.filter(isLive).length;
    console.log(`interview: ${live} questions with a live proof, ${bank.questions.length - live} written only`);
  });

  it('lint names a Chinese list whose items do not match the English one, and a missing one', () => {
    const lists = '## Key points\n- a\n- b\n## 要点\n- 甲\n## Wrong answers\n- w\n## 常见错误回答\n- 错\n## Follow-ups\n- f\n';
    const r = parseQuestion(`---\nid: x\nsource: "000#1"\ntopics: [a]\ndifficulty: 1\nwritten: nothing to run here at all\n---\n\n## 问题\nq\n## Question\nq\n## 参考答案\na\n## Model answer\na\n${lists}`, '/b/x.md');
    expect(r.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual(['20: "## 要点" has 1 item, "## Key points" has 2 — one Chinese item per English one, in the same order']);
    expect(lintChineseLists([r.question!]).map((d) => d.message)).toEqual([expect.stringMatching(/^no "## 追问" — the follow-ups in Chinese/)]);
  });

  it('lint names the file and line of a broken question', () => {
    const bad = '---\nid: x\nsource: "000#1"\ntopics: [a]\ndifficulty: 4\nproof: [uts]\n---\n\n## 问题\nq\n';
    const r = parseQuestion(bad, '/b/x.md');
    expect(r.question).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n')).toMatch(/^5: front matter difficulty/m);
    const noSections = '---\nid: x\nsource: "000#1"\ntopics: [a]\ndifficulty: 1\nproof: [01-uts#two-hostnames-at-the-same-time]\n---\n\n## 问题\nq\n';
    const s = parseQuestion(noSections, '/b/x.md');
    expect(s.diagnostics.map((d) => d.message)).toContain('missing or empty section "## Model answer"');
    const demo = `---\nid: x\nsource: "000#1"\ntopics: [a]\ndifficulty: 1\n---\n\n## 问题\nq\n## Question\nq\n## 参考答案\na\n## Model answer\na\n## Key points\n- k\n## Wrong answers\n- w\n## Follow-ups\n- f\n\n## Demo\n\n## Step: s\n\n\`\`\`check\n- value: "{{nope}}"\n  equals: x\n  proves: A placeholder nothing defined.\n\`\`\`\n`;
    const d = parseQuestion(demo, '/b/x.md');
    // the demo's problems point at the question file's own lines
    expect(d.diagnostics.some((x) => x.line === 28 && /nope/.test(x.message))).toBe(true);
  });

  it('names lesson steps by a stable id: a number is refused, an id no step has is a lint error naming the steps', async () => {
    const q = (proof: string) => parseQuestion(`---\nid: x\nsource: "000#1"\ntopics: [a]\ndifficulty: 1\nproof: [${proof}]\n---\n\n${SECTIONS_OK}`, '/b/x.md');
    expect(q('01-uts#2').diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n')).toMatch(/^6: front matter proof\.0: a proof names a step by its id, not its number/);
    const lessons = loadLessons(join(REPO, 'lessons')).lessons;
    const uts = lessons.find((l) => l.meta.id === '01-uts')!;
    const first = stepId(uts.steps[0]!);
    expect(first).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(lintProofs([q(`01-uts#${first}`).question!], lessons)).toEqual([]);
    const wrong = lintProofs([q('01-uts#no-such-step').question!], lessons);
    expect(wrong).toHaveLength(1);
    expect(wrong[0]).toMatchObject({ line: 6 });
    expect(wrong[0]!.message).toContain(`01-uts has no step with that id (a renamed step?) — its steps: ${first}, `);
    expect(stepSlug("`--network none` — a phase that's not there")).toBe('network-none-a-phase-that-s-not-there');
    const steps = await cli(['interview', 'steps', '01']);
    expect(steps.stdout.trim().split('\n')).toEqual(uts.steps.map((st) => `01-uts#${stepId(st)}`));
  });

  it('proves lesson steps from the JSON of `boxlab check --json` without running them again', () => {
    const question = (proof: string) => parseQuestion(`---\nid: x\nsource: "000#1"\ntopics: [a]\ndifficulty: 1\nproof: [${proof}]\n---\n\n${SECTIONS_OK}`, '/b/x.md').question!.proof[0]!;
    const check = (passed: boolean) => ({ passed, proves: 'p.', detail: 'd', line: 1 });
    const report: LessonsRunReport = { ok: false, lessons: [
      { id: 'a', cleanupFailures: [], steps: [
        { index: 1, id: 'one', title: 'One', ok: true, checks: [check(true)] },
        { index: 2, id: 'two', title: 'Two', ok: false, checks: [check(true), check(false)] },
      ] },
      { id: 'b', skipped: 'cgroup v1 only', cleanupFailures: [], steps: [] },
      { id: 'c', cleanupFailures: ['rm: busy'], steps: [{ index: 1, title: 'Old Report', ok: true, checks: [check(true)] }] },
    ] };
    expect(outcomesFromReport(report, question('a#one'))).toMatchObject({ ok: true, checks: [{ passed: true }] });
    expect(outcomesFromReport(report, question('a#two')).ok).toBe(false);
    expect(outcomesFromReport(report, question('a#three'))).toMatchObject({ ok: false, error: expect.stringMatching(/^not reached in the lessons report/) });
    expect(outcomesFromReport(report, question('b#x'))).toMatchObject({ ok: true, skipped: 'cgroup v1 only' });
    expect(outcomesFromReport(report, question('c#old-report'))).toMatchObject({ ok: false, error: 'cleanup: rm: busy' });
    expect(outcomesFromReport(report, question('d#x')).error).toMatch(/lesson d is not in the lessons report/);
  });

  it('export writes a printable sheet in either language', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-interview-'));
    try {
      for (const lang of ['en', 'zh']) {
        const file = join(dir, `${lang}.md`);
        const r = await cli(['interview', '--export', file, '--lang', lang]);
        expect(r.exitCode).toBe(0);
        const text = readFileSync(file, 'utf8');
        expect(text.match(/^## \d+\. /gm)).toHaveLength(81);
        expect(text).toContain(lang === 'zh' ? '参考答案' : 'Model answer');
        // the lists follow the language too
        const stop = bank.questions.find((q) => q.id === 'stop-vs-kill')!;
        expect(text).toContain(`- ${lang === 'zh' ? stop.zh.keyPoints![0] : stop.keyPoints[0]}`);
        expect(text).not.toContain(`- ${lang === 'zh' ? stop.keyPoints[0] : stop.zh.keyPoints![0]}`);
      }
      expect((await cli(['interview', '--list', '--lang', 'fr'])).stderr).toMatch(/--lang fr: use --lang en or --lang zh/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spaced repetition (Leitner, five boxes) in the progress store', () => {
  it('moves a question up on "knew", keeps it on "partly", back to box 1 on "not yet", and schedules it', () => {
    const p = emptyProgress();
    const t0 = new Date('2026-01-01T00:00:00Z');
    const day = (n: number) => new Date(t0.getTime() + n * 86_400_000);
    expect(dueQuestions(p, ['a', 'b'], t0)).toEqual(['a', 'b']);
    recordMark(p, 'a', 'knew', 'pid 1, not 0', t0);
    expect(p.interview!.a).toMatchObject({ box: 2, last: 'knew', seen: 1, notes: 'pid 1, not 0' });
    expect(dueQuestions(p, ['a', 'b'], t0)).toEqual(['b']);
    expect(dueQuestions(p, ['a', 'b'], day(1))).toEqual(['b', 'a'].sort((x, y) => (x === 'b' ? -1 : y === 'b' ? 1 : 0)));
    recordMark(p, 'a', 'knew', undefined, day(1));
    expect(p.interview!.a!.box).toBe(3);
    expect(p.interview!.a!.notes).toBe('pid 1, not 0');
    recordMark(p, 'a', 'partly', undefined, day(2));
    expect(p.interview!.a!.box).toBe(3);
    recordMark(p, 'a', 'not-yet', undefined, day(3));
    expect(p.interview!.a!.box).toBe(1);
    expect(dueQuestions(p, ['a', 'b'], day(3))[0]).toBe('a');
  });

  it('survives a save and reload next to lesson progress', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-state-'));
    try {
      const file = join(dir, 'progress.json');
      const p = emptyProgress();
      recordMark(p, 'stop-vs-kill', 'partly', 'stop = TERM then KILL');
      saveProgress(file, p);
      expect(loadProgress(file).interview?.['stop-vs-kill']).toMatchObject({ last: 'partly', box: 1 });
      writeFileSync(file, JSON.stringify({ version: 1, lessons: {} }));
      expect(loadProgress(file).interview).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('boxlab interview check (real kernel, private daemon)', () => {
  let daemon: CourseDaemon;
  beforeAll(async () => { daemon = await startCourseDaemon(); });
  afterAll(async () => { await daemon?.stop(); });

  interface Report { ok: boolean; questions: { id: string; ok: boolean; written: boolean; proofs: { ref: string; ok: boolean; error?: string; checks: { passed: boolean; proves: string; detail: string }[] }[] }[] }
  const failures = (r: Report) => r.questions.flatMap((q) => q.proofs.filter((p) => !p.ok).map((p) => `${q.id} ${p.ref}: ${p.error ?? p.checks.filter((c) => !c.passed).map((c) => `${c.proves} — ${c.detail}`).join('; ')}`));

  it('a lesson-step proof runs its lesson up to that step and maps the step result to the question', async () => {
    const r = await daemon.cli(['interview', 'check', 'attach-vs-exec', '003:2§11', '--json'], { timeoutMs: 120_000 });
    const report = JSON.parse(r.stdout) as Report;
    expect(failures(report)).toEqual([]);
    expect(report.questions.map((q) => q.id)).toEqual(['attach-vs-exec', 'env-implementation']);
    expect(report.questions[0]!.proofs.map((p) => p.ref)).toEqual(['05-exec-and-setns#exec-joins-every-namespace-of-the-container']);
    expect(report.questions[0]!.proofs[0]!.checks.length).toBeGreaterThan(0);
    expect(r.exitCode).toBe(0);
    expect((await daemon.cli(['ps', '-a', '-q'])).stdout.trim()).toBe('');
  }, 120_000);

  it('an unknown question is a one-line error', async () => {
    const r = await daemon.cli(['interview', 'check', 'no-such-question']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no question "no-such-question"/);
  });
});

