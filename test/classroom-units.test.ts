import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassroomClient } from '../classroom/client.js';
import { Room, toCsv, type LessonInfo, type RoomView } from '../classroom/room.js';
import { serveClassroom, type RunningServer } from '../classroom/server.js';
import type { StoredResult } from '../classroom/store.js';
import { journalFile, journalStep } from '../course/journal.js';
import { loadLessons } from '../course/lint.js';
import { loadProgress, progressFile, recordStep, saveProgress } from '../course/progress.js';
import type { StepResult } from '../course/runner.js';
import { REPO } from './helpers/daemon.js';

// The classroom's parts without a browser or a daemon: the results journal hook, the room's view (stuck,
// cells, CSV), and what the server and client refuse, leaving nothing behind.

const LESSONS = join(REPO, 'lessons');
let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'boxlab-classroom-units-')); });
afterAll(() => rmSync(base, { recursive: true, force: true }));

function step(over: Partial<StepResult> = {}): StepResult {
  return {
    index: 0, title: 'A step', ok: false, catchUp: false, actions: [], observations: [], captures: [], trace: [],
    checks: [{ proves: 'It proves a thing.', passed: false, detail: `"a" equals "${'b'.repeat(900)}"`, line: 3 }], ...over,
  };
}

describe('the results journal', () => {
  it('records nothing outside a classroom, and clipped step results inside one', () => {
    const env = { BOXLAB_STATE: join(base, 'journal') };
    journalStep('01-uts', step(), env);
    expect(existsSync(journalFile(env))).toBe(false);
    mkdirSync(env.BOXLAB_STATE);
    writeFileSync(journalFile(env), '');
    journalStep('01-uts', step(), env);
    journalStep('01-uts', step({ catchUp: true }), env);
    const lines = readFileSync(journalFile(env), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!) as { lesson: string; step: number; ok: boolean; checks: { detail: string }[] };
    expect(e).toMatchObject({ lesson: '01-uts', step: 1, ok: false });
    expect(e.checks[0]!.detail.length).toBe(500);
  });
});

describe('the room', () => {
  const lessons: LessonInfo[] = [{ id: 'a', title: 'A', steps: ['one', 'two'] }, { id: 'b', title: 'B', steps: ['x'] }];
  const t0 = Date.parse('2026-01-01T10:00:00Z');
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
  const result = (id: string, stepNo: number, ok: boolean, detail = 'seen', min = 1): StoredResult => ({
    id, at: at(min), receivedAt: at(min), clientId: 'c1', lesson: 'a', step: stepNo, title: 't', ok, source: 'check',
    checks: [{ passed: ok, proves: 'P', detail }],
  });

  it('keeps a passed step passed, counts failures and says why a learner is stuck', () => {
    const room = new Room(lessons, 0, 1, 10);
    room.addLearner({ clientId: 'c1', name: '=cmd|calc', joinedAt: at(0) });
    room.apply(result('r1', 1, true));
    room.apply(result('r2', 1, false, 'other'));
    room.apply(result('r3', 2, false, 'd1', 2));
    room.apply(result('r4', 2, false, 'd2', 3));
    room.apply(result('r5', 2, false, 'd2', 4));
    let v = room.view(new Date(at(5)));
    expect(v.rows[0]!.cells.map((c) => c.state)).toEqual(['passed', 'failing']);
    expect(v.rows[0]!.cells[1]).toMatchObject({ text: 'P — d2', fails: 3 });
    expect(v.rows[0]!.stuck).toBeUndefined(); // d1 then d2 twice: not yet 3 times the same
    room.apply(result('r6', 2, false, 'd2', 5));
    expect(room.view(new Date(at(6))).rows[0]!.stuck).toBe('the same check failed 3 times in a row (a step 2)');
    room.apply(result('r7', 2, true, '', 6));
    expect(room.view(new Date(at(7))).rows[0]!.stuck).toBeUndefined(); // everything released is passed
    expect(room.view(new Date(at(7))).bars).toEqual([{ passed: 1, failing: 0 }, { passed: 1, failing: 0 }]);
    room.released = 2;
    v = room.view(new Date(at(20)));
    expect(v.rows[0]!.stuck).toBe('no progress for 14 min');
    expect(v.next).toBeUndefined();
    // a spreadsheet would run "=cmd|calc" as a formula: the export prefixes it
    expect(toCsv(v)).toContain(`"'=cmd|calc","a","1","one","passed"`);
  });
});

describe('serve and join refuse without leaving anything behind', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serveClassroom({ port: 0, host: '127.0.0.1', db: join(base, 'room.db'), lessonsDir: LESSONS, code: 'UNIT-ROOM', stuckMinutes: 10 });
  });
  afterAll(async () => server?.close());

  it('a mistyped --from makes no database', async () => {
    await expect(serveClassroom({ port: 0, host: '127.0.0.1', db: join(base, 'none.db'), lessonsDir: LESSONS, from: 'nope', stuckMinutes: 10 }))
      .rejects.toThrow('--from: no lesson "nope"');
    expect(existsSync(join(base, 'none.db'))).toBe(false);
  });

  it('a wrong code or a taken name is a clear error, and switches no journal on', async () => {
    const state = join(base, 'learner-wrong');
    const wrong = new ClassroomClient({ url: server.url, name: 'ada', code: 'OTHER-ROOM', stateDir: state, lessonsDir: LESSONS });
    await expect(wrong.start()).rejects.toThrow('wrong join code for this room');
    expect(existsSync(join(state, 'results.jsonl'))).toBe(false);
    expect(existsSync(join(state, 'classroom.json'))).toBe(false);
    const ada = new ClassroomClient({ url: server.url, name: 'ada', code: 'UNIT-ROOM', stateDir: join(base, 'ada'), lessonsDir: LESSONS });
    await ada.start();
    expect(existsSync(join(base, 'ada', 'results.jsonl'))).toBe(true);
    const twin = new ClassroomClient({ url: server.url, name: 'ADA', code: 'UNIT-ROOM', stateDir: join(base, 'twin'), lessonsDir: LESSONS });
    await expect(twin.start()).rejects.toThrow('the name "ADA" is taken in this room');
    await ada.close();
    // the same machine joining again keeps its identity (and its row)
    const again = new ClassroomClient({ url: server.url, name: 'ada', code: 'UNIT-ROOM', stateDir: join(base, 'ada'), lessonsDir: LESSONS });
    expect(again.clientId).toBe(ada.clientId);
    await again.start();
    await again.close();
  });

  it("sends the course's progress marks too: passed, or failing with how many checks passed", async () => {
    const state = join(base, 'tui-learner');
    const lesson = loadLessons(LESSONS).lessons[0]!; // the first lesson: released when a room starts
    const p = loadProgress(progressFile({ BOXLAB_STATE: state }));
    recordStep(p, lesson, 0, { ok: true, checksPassed: 2, checksTotal: 2 });
    recordStep(p, lesson, 1, { ok: false, checksPassed: 2, checksTotal: 4 });
    saveProgress(progressFile({ BOXLAB_STATE: state }), p);
    const client = new ClassroomClient({ url: server.url, name: 'tui learner', code: 'UNIT-ROOM', stateDir: state, lessonsDir: LESSONS, pollMs: 100 });
    await client.start();
    const row = await (async () => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const view = (await (await fetch(`${server.url}/api/room?key=${server.key}`)).json()) as RoomView;
        const r = view.rows.find((x) => x.name === 'tui learner');
        if (r && r.cells[1]!.state !== 'none') return r;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('the progress marks did not reach the room');
    })();
    await client.close();
    expect(row.cells.slice(0, 3).map((c) => c.state)).toEqual(['passed', 'failing', 'none']);
    expect(row.cells[1]!.text).toBe('in the course: 2 of 4 checks passed');
  });

  it('a lock left by a killed server is cleared; a live server on the same database is refused', async () => {
    const db = join(base, 'stale.db');
    mkdirSync(`${db}.lock`); // what node-sqlite3-wasm leaves when its process is killed
    writeFileSync(`${db}.owner`, '999999999\n'); // no such process
    const s = await serveClassroom({ port: 0, host: '127.0.0.1', db, lessonsDir: LESSONS, stuckMinutes: 10 });
    await s.close();
    expect(existsSync(`${db}.owner`)).toBe(false);
    writeFileSync(`${db}.owner`, '1\n'); // a live process
    await expect(serveClassroom({ port: 0, host: '127.0.0.1', db, lessonsDir: LESSONS, stuckMinutes: 10 }))
      .rejects.toThrow('is in use by another classroom server (pid 1)');
  });

  it('a server that lost its database gets every result again: the learner rejoins and resends', async () => {
    const first = await serveClassroom({ port: 0, host: '127.0.0.1', db: join(base, 'lost-1.db'), lessonsDir: LESSONS, code: 'LOST-ROOM', stuckMinutes: 10 });
    const state = join(base, 'lost-learner');
    const client = new ClassroomClient({ url: first.url, name: 'bo', code: 'LOST-ROOM', stateDir: state, lessonsDir: LESSONS, pollMs: 100 });
    await client.start();
    const lesson = loadLessons(LESSONS).lessons[0]!;
    journalStep(lesson.meta.id, step({ ok: true, checks: [] }), { BOXLAB_STATE: state });
    // a pooled connection to the closed server may fail once: count that as "not yet"
    const count = async (s: RunningServer) => ((await (await fetch(`${s.url}/api/room?key=${s.key}`)).json()) as RoomView).results;
    const wait = async (s: RunningServer) => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) if ((await count(s).catch(() => 0)) === 1) return;
      throw new Error('the result did not arrive');
    };
    await wait(first);
    await first.close();
    const second = await serveClassroom({ port: first.port, host: '127.0.0.1', db: join(base, 'lost-2.db'), lessonsDir: LESSONS, code: 'LOST-ROOM', stuckMinutes: 10 });
    try {
      await wait(second);
    } finally {
      await client.close();
      await second.close();
    }
  });

  it('a restarted server keeps its code and instructor key', async () => {
    const db = join(base, 'keep.db');
    const first = await serveClassroom({ port: 0, host: '127.0.0.1', db, lessonsDir: LESSONS, stuckMinutes: 10 });
    await first.close();
    const second = await serveClassroom({ port: 0, host: '127.0.0.1', db, lessonsDir: LESSONS, stuckMinutes: 10 });
    await second.close();
    expect([second.code, second.key]).toEqual([first.code, first.key]);
  });
});
