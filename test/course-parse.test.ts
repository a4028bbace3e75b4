import { describe, expect, it } from 'vitest';
import { parseLesson } from '../course/parse.js';
import { lintLesson, loadLessons } from '../course/lint.js';
import { BASE_LESSON, GOOD_LESSON, lessonsFolder, lineOf } from './course-fixtures.js';

const F = '/x/01-demo/lesson.md';

function problems(text: string) {
  const r = parseLesson(text, F);
  const ds = [...r.diagnostics, ...(r.lesson ? lintLesson(r.lesson) : [])];
  return ds.map((d) => ({ line: d.line, message: d.message }));
}

function expectProblem(text: string, line: number, pattern: RegExp) {
  const ps = problems(text);
  expect(ps, JSON.stringify(ps, null, 1)).toContainEqual({ line, message: expect.stringMatching(pattern) });
}

describe('parsing a good lesson', () => {
  const r = parseLesson(GOOD_LESSON, F);
  const lesson = r.lesson!;

  it('has no diagnostics', () => {
    expect(r.diagnostics).toEqual([]);
    expect(lintLesson(lesson)).toEqual([]);
  });

  it('reads the front matter', () => {
    expect(lesson.meta).toEqual({
      id: '01-demo', title: 'Demo: a hostname of its own', summary: 'Shows every block kind.', minutes: 5,
      prerequisites: ['00-base'], shell: 'demo-web',
    });
  });

  it('splits steps, intro, outro and cleanup', () => {
    expect(lesson.steps.map((s) => s.title)).toEqual(['Start it', 'Look at it']);
    expect(lesson.steps[0]!.line).toBe(lineOf(GOOD_LESSON, '## Step: Start it'));
    expect(lesson.intro.some((t) => t.type === 'heading')).toBe(true);
    expect(lesson.outro.map((t) => t.type)).toContain('paragraph');
    expect(lesson.cleanup).toHaveLength(1);
    expect(lesson.cleanup[0]!.commands[0]!.text).toBe('boxlab rm -f demo-web 2>/dev/null || true');
  });

  it('reads blocks with attributes, continuations and lines', () => {
    const [obs, action, capture] = lesson.steps[0]!.blocks;
    expect(obs).toMatchObject({ kind: 'observe', name: 'hn', phase: 'before' });
    expect(action).toMatchObject({ kind: 'action', name: 'started', expectFail: false });
    expect(action?.kind === 'action' && action.commands).toEqual([
      { text: 'boxlab run -d --name demo-web --hostname lab busybox sleep 600', line: lineOf(GOOD_LESSON, 'boxlab run -d') },
    ]);
    expect(capture?.kind === 'capture' && capture.captures).toEqual([
      { name: 'web.pid', line: lineOf(GOOD_LESSON, 'web.pid:'), run: "boxlab inspect -f '{{.State.Pid}}' demo-web" },
      { name: 'web.uts', line: lineOf(GOOD_LESSON, 'web.uts:'), run: 'readlink /proc/{{web.pid}}/ns/uts', match: 'uts:\\[(\\d+)\\]' },
    ]);
  });

  it('reads checks with subject, operators, proves, hint and cgroup', () => {
    const check = lesson.steps[1]!.blocks[1]!;
    expect(check.kind).toBe('check');
    if (check.kind !== 'check') return;
    expect(check.checks).toHaveLength(3);
    expect(check.checks[0]).toMatchObject({ subject: { value: '{{web.pid}}' }, ops: { matches: '^\\d+$' }, line: lineOf(GOOD_LESSON, '- value: "{{web.pid}}"') });
    expect(check.checks[1]).toMatchObject({ subject: { run: 'echo {{web.uts}}' }, ops: { differs: '0' }, hint: 'look at /proc' });
    expect(check.checks[2]).toMatchObject({ subject: { file: '/proc/{{web.pid}}' }, ops: { exists: true }, cgroup: 'v1' });
  });

  it('loads a lessons folder with prerequisites resolved', () => {
    const f = lessonsFolder({ '00-base': BASE_LESSON, '01-demo': GOOD_LESSON });
    try {
      const { lessons, diagnostics } = loadLessons(f.dir);
      expect(diagnostics).toEqual([]);
      expect(lessons.map((l) => l.meta.id)).toEqual(['00-base', '01-demo']);
    } finally { f.cleanup(); }
  });
});

describe('each bad form gives its error with its line', () => {
  const G = GOOD_LESSON;
  it('missing front matter', () => expectProblem(G.replace(/^---\n/, ''), 1, /no front matter/));
  it('front matter key missing', () => expectProblem(G.replace('minutes: 5\n', ''), 2, /front matter minutes: missing/));
  it('front matter wrong type', () => expectProblem(G.replace('minutes: 5', 'minutes: soon'), lineOf(G, 'minutes:'), /minutes/));
  it('unknown front matter key', () => expectProblem(G.replace('minutes: 5', 'minutes: 5\nlevel: easy'), 2, /unknown key level/));
  it('front matter YAML syntax', () => expectProblem(G.replace('minutes: 5', 'minutes: [5'), lineOf(G, 'minutes:') + 1, /front matter YAML/));
  it('no steps', () => expectProblem(G.replace(/## Step: /g, '## '), lineOf(G, '# Demo') - 1, /no steps/));
  it('duplicate step title', () => expectProblem(G.replace('## Step: Look at it', '## Step: Start it'), lineOf(G, '## Step: Look at it'), /duplicate step title/));
  it('unknown attribute', () => expectProblem(G.replace('```action name=started', '```action name=started quiet'), lineOf(G, '```action'), /unknown attribute "quiet".*allowed: name, cgroup, expect, timeout/));
  it('bad cgroup attribute', () => expectProblem(G.replace('```action name=started', '```action cgroup=v3'), lineOf(G, '```action'), /cgroup=v1 or cgroup=v2/));
  it('action not a boxlab command', () => expectProblem(G.replace('boxlab run -d', 'docker run -d'), lineOf(G, 'boxlab run -d'), /action lines must be boxlab commands.*observe/));
  it('empty block', () => expectProblem(G.replace('```observe name=hn after\nhostname\n```', '```observe name=hn after\n```'), lineOf(G, '```observe name=hn after'), /empty observe block/));
  it('missing proves', () => expectProblem(G.replace('  proves: The container is a process with a pid on the host.\n', ''), lineOf(G, '- value: "{{web.pid}}"'), /proves/));
  it('too short proves', () => expectProblem(G.replace('The container is a process with a pid on the host.', 'yes'), lineOf(G, 'The container is a process'), /too short/));
  it('two subjects', () => expectProblem(G.replace('- value: "{{web.pid}}"', '- value: "{{web.pid}}"\n  run: echo 1'), lineOf(G, '- value: "{{web.pid}}"'), /exactly one subject.*value, run/));
  it('no operator', () => expectProblem(G.replace("  matches: '^\\d+$'\n", ''), lineOf(G, '- value: "{{web.pid}}"'), /at least one operator/));
  it('operator that does not fit the subject', () => expectProblem(G.replace("  matches: '^\\d+$'", '  exit: 0'), lineOf(G, '- value: "{{web.pid}}"'), /exit: only fits a run: check/));
  it('invalid regex', () => expectProblem(G.replace("matches: '^\\d+$'", "matches: '(['"), lineOf(G, "matches: '^"), /invalid regular expression/));
  it('unknown check key', () => expectProblem(G.replace('  hint: look at /proc', '  hnt: look at /proc'), lineOf(G, '- run: echo'), /unknown key hnt/));
  it('check is not a list', () => expectProblem(G.replace('- value: "{{web.pid}}"\n  matches', 'value: "{{web.pid}}"\nmatches').replace(/```check\n[\s\S]*?```/, '```check\nvalue: x\nequals: y\nproves: A sentence long enough to count.\n```'), lineOf(G, '```check') + 1, /YAML list/));
  it('check YAML syntax', () => expectProblem(G.replace('  hint: look at /proc', '  hint: [look'), lineOf(G, '  hint: look at /proc') + 1, /check YAML/));
  it('unknown placeholder', () => expectProblem(G.replace('- run: echo {{web.uts}}', '- run: echo {{web.ut}}'), lineOf(G, '- run: echo'), /\{\{web.ut\}\} is not defined before this point.*web.pid/));
  it('placeholder used before its capture', () => expectProblem(G.replace('hostname\n```\n\n```action', 'cat /proc/{{web.pid}}/status\n```\n\n```action'), lineOf(G, '```observe name=hn before') + 1, /\{\{web.pid\}\} is not defined/));
  it('check referencing a capture only defined on cgroup v2', () => {
    const t = G.replace('```capture\n', '```capture cgroup=v2\n');
    expectProblem(t, lineOf(G, '- value: "{{web.pid}}"'), /\{\{web.pid\}\} is not defined before this point \(on cgroup v1\)/);
  });
  it('capture from an undefined value', () => expectProblem(G.replace("web.uts:\n  run: readlink /proc/{{web.pid}}/ns/uts", 'web.uts:\n  from: nothing'), lineOf(G, 'web.uts:'), /\{\{nothing\}\} is not defined/));
  it('capture with run and from', () => expectProblem(G.replace("  match: 'uts", "  from: hn.before\n  match: 'uts"), lineOf(G, 'web.uts:'), /exactly one of run:/));
  it('value defined twice', () => expectProblem(G.replace('```action name=started', '```action name=hn.before'), lineOf(G, '```action'), /"hn.before" is already defined at line \d+/));
  it('capture key twice', () => expectProblem(G.replace('web.uts:\n', 'web.pid:\n'), lineOf(G, 'web.uts:'), /capture YAML: Map keys must be unique/));
  it('before without after', () => expectProblem(G.replace('```observe name=hn after', '```observe name=other'), lineOf(G, '```observe name=hn before'), /has no after pair/));
  it('before/after without a name', () => expectProblem(G.replace('```observe name=hn before', '```observe before'), lineOf(G, '```observe name=hn before'), /needs name=NAME/));
  it('block outside a step', () => expectProblem(G.replace('Intro with *emphasis*.', 'Intro.\n\n```observe\nhostname\n```'), lineOf(G, 'Intro with') + 2, /must sit inside a step/));
  it('cleanup using a captured value', () => expectProblem(G.replace('boxlab rm -f demo-web 2>', 'boxlab rm -f {{web.pid}} 2>'), lineOf(G, 'boxlab rm -f demo-web'), /cleanup uses \{\{web.pid\}\}/));

  it('lesson-set errors: prerequisite missing, id not the folder, cycles', () => {
    const f = lessonsFolder({
      '01-demo': GOOD_LESSON,
      '02-a': BASE_LESSON.replace('id: 00-base', 'id: 02-a').replace('minutes: 1', 'minutes: 1\nprerequisites: [03-b]'),
      '03-b': BASE_LESSON.replace('id: 00-base', 'id: 03-b').replace('minutes: 1', 'minutes: 1\nprerequisites: [02-a]'),
      '04-c': BASE_LESSON.replace('id: 00-base', 'id: zz-wrong'),
    });
    try {
      const ms = loadLessons(f.dir).diagnostics.map((d) => `${d.file.slice(f.dir.length + 1)}:${d.line}: ${d.message}`);
      expect(ms).toContainEqual(expect.stringMatching(/^01-demo\/lesson.md:2: prerequisite "00-base" is not a lesson/));
      expect(ms).toContainEqual(expect.stringMatching(/^04-c\/lesson.md:2: id "zz-wrong" does not match the folder name "04-c"/));
      expect(ms).toContainEqual(expect.stringMatching(/prerequisites form a cycle: 02-a → 03-b → 02-a/));
    } finally { f.cleanup(); }
  });
});
