import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLesson } from '../course/parse.js';
import {
  lessonStatus, loadProgress, progressFile, recordStep, resetLessonProgress, resumeStep, saveProgress, stepsDone,
} from '../course/progress.js';
import { loadLessons } from '../course/lint.js';
import { checkCommand, lintLessonsCommand, listLessonsCommand, progressCommand, resetLessonCommand } from '../course/commands.js';
import { BASE_LESSON, GOOD_LESSON, lessonsFolder } from './course-fixtures.js';

const lesson = parseLesson(GOOD_LESSON, '/x/01-demo/lesson.md').lesson!;
let state: string;
beforeEach(() => { state = mkdtempSync(join(tmpdir(), 'boxlab-state-')); });
afterEach(() => rmSync(state, { recursive: true, force: true }));

describe('progress store', () => {
  it('lives in BOXLAB_STATE, else XDG_STATE_HOME/boxlab, else ~/.local/state/boxlab', () => {
    expect(progressFile({ BOXLAB_STATE: '/s' })).toBe('/s/progress.json');
    expect(progressFile({ XDG_STATE_HOME: '/x' })).toBe('/x/boxlab/progress.json');
    expect(progressFile({})).toMatch(/\.local\/state\/boxlab\/progress\.json$/);
  });

  it('starts empty, records steps, resumes at the first step not done, survives a reload', () => {
    const file = join(state, 'progress.json');
    const p = loadProgress(file);
    expect(lessonStatus(p, lesson)).toBe('new');
    expect(resumeStep(p, lesson)).toBe(0);
    recordStep(p, lesson, 0, { ok: true, checksPassed: 0, checksTotal: 0 });
    saveProgress(file, p);
    const q = loadProgress(file);
    expect(q.lastLesson).toBe('01-demo');
    expect(lessonStatus(q, lesson)).toBe('started');
    expect(resumeStep(q, lesson)).toBe(1);
    recordStep(q, lesson, 1, { ok: false, checksPassed: 2, checksTotal: 3 });
    expect(lessonStatus(q, lesson)).toBe('started');
    recordStep(q, lesson, 1, { ok: true, checksPassed: 3, checksTotal: 3 });
    expect(lessonStatus(q, lesson)).toBe('done');
    expect(q.lessons['01-demo']!.completedAt).toBeDefined();
    // a done step stays done when a later re-run fails
    recordStep(q, lesson, 0, { ok: false, checksPassed: 0, checksTotal: 0 });
    expect(stepsDone(q, lesson)).toEqual([true, true]);
    expect(resumeStep(q, lesson)).toBe(1);
    expect(resetLessonProgress(q, '01-demo')).toBe(true);
    expect(lessonStatus(q, lesson)).toBe('new');
  });

  it('a corrupt file is a one-line error, not a crash or a silent reset', () => {
    const file = join(state, 'progress.json');
    writeFileSync(file, '{"version": 2}');
    expect(() => loadProgress(file)).toThrow(/is not a boxlab progress file .* move it away/);
    writeFileSync(file, 'nope');
    expect(() => loadProgress(file)).toThrow(/is not valid JSON/);
  });
});

describe('course commands', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
  }

  it('lessons lists with marks and minutes; lint passes a good set and reports file:line for a bad one', () => {
    const f = lessonsFolder({ '00-base': BASE_LESSON, '01-demo': GOOD_LESSON });
    try {
      const env = { BOXLAB_STATE: state };
      const o = io();
      expect(listLessonsCommand({ lessonsDir: f.dir, env, io: o.io })).toBe(0);
      expect(o.out).toEqual([
        '· 00-base                  1 min  Base',
        '· 01-demo                  5 min  Demo: a hostname of its own',
      ]);
      const l = io();
      expect(lintLessonsCommand({ lessonsDir: f.dir, env, io: l.io })).toBe(0);
      expect(l.out).toEqual(['2 lessons OK']);
      writeFileSync(join(f.dir, '00-base', 'lesson.md'), BASE_LESSON.replace('  proves: Nothing at all but a sentence long enough.\n', ''));
      const b = io();
      expect(lintLessonsCommand({ lessonsDir: f.dir, env, io: b.io })).toBe(1);
      expect(b.err[0]).toMatch(/00-base\/lesson\.md:11: check: proves: missing — every check needs proves/);
    } finally { f.cleanup(); }
  });

  it('check runs headless, prints each check with its sentence, exits 0 only when all pass; --json', async () => {
    const pass = BASE_LESSON;
    const fail = BASE_LESSON.replace('id: 00-base', 'id: 02-fail').replace('equals: a', 'equals: b');
    const f = lessonsFolder({ '00-base': pass, '02-fail': fail });
    try {
      const env = { BOXLAB_STATE: state };
      const ok = io();
      expect(await checkCommand({ lessonsDir: f.dir, env, io: ok.io }, { ids: ['00-base'] })).toBe(0);
      expect(ok.out).toEqual(['00-base: Base', '  step 1', '    ✓ Nothing at all but a sentence long enough.', 'PASS: 1/1 checks passed in 1 lesson']);
      // a step passed headless counts as progress, as if done in the TUI
      const base = loadLessons(f.dir).lessons.find((l) => l.meta.id === '00-base')!;
      expect(stepsDone(loadProgress(progressFile(env)), base)).toEqual([true]);
      const bad = io();
      expect(await checkCommand({ lessonsDir: f.dir, env, io: bad.io }, { ids: [], all: true })).toBe(1);
      expect(bad.out.join('\n')).toMatch(/✗ Nothing at all but a sentence long enough\.\n\s+"a" is not "b"/);
      expect(bad.out.at(-1)).toBe('FAIL: 1/2 checks passed in 2 lessons');
      const js = io();
      expect(await checkCommand({ lessonsDir: f.dir, env, io: js.io }, { ids: ['fail'], json: true })).toBe(1);
      const parsed = JSON.parse(js.out.join('\n'));
      expect(parsed.ok).toBe(false);
      expect(parsed.lessons[0].steps[0].checks[0]).toMatchObject({ passed: false, proves: 'Nothing at all but a sentence long enough.', detail: '"a" is not "b"' });
      await expect(checkCommand({ lessonsDir: f.dir, env, io: io().io }, { ids: ['nope'] })).rejects.toThrow(/no lesson "nope"/);
    } finally { f.cleanup(); }
  });

  it('progress shows and exports; reset --lesson forgets one lesson', () => {
    const f = lessonsFolder({ '00-base': BASE_LESSON });
    try {
      const env = { BOXLAB_STATE: state };
      const base = parseLesson(BASE_LESSON, join(f.dir, '00-base', 'lesson.md')).lesson!;
      const p = loadProgress(progressFile(env));
      recordStep(p, base, 0, { ok: true, checksPassed: 1, checksTotal: 1 });
      saveProgress(progressFile(env), p);
      const o = io();
      progressCommand({ lessonsDir: f.dir, env, io: o.io });
      expect(o.out[0]).toBe('✓ 00-base                1/1 steps  ✓');
      const exp = join(state, 'export.json');
      progressCommand({ lessonsDir: f.dir, env, io: io().io }, { exportTo: exp });
      expect(JSON.parse(readFileSync(exp, 'utf8')).lessons['00-base'].steps.Only.done).toBe(true);
      const r = io();
      expect(resetLessonCommand({ lessonsDir: f.dir, env, io: r.io }, '00-base')).toBe(0);
      expect(r.out).toEqual(['progress of 00-base reset']);
      expect(loadProgress(progressFile(env)).lessons).toEqual({});
      expect(() => resetLessonCommand({ lessonsDir: f.dir, env, io: io().io }, 'zz')).toThrow(/no lesson "zz"/);
      expect(existsSync(`${progressFile(env)}.${process.pid}.tmp`)).toBe(false);
    } finally { f.cleanup(); }
  });
});
