import React from 'react';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { marked } from 'marked';
import type { TraceEvent } from '../engine/sys/trace.js';
import { loadLessons } from '../course/lint.js';
import { emptyProgress, recordStep } from '../course/progress.js';
import type { StepResult } from '../course/runner.js';
import { Help } from '../tui/Help.js';
import { Markdown } from '../tui/markdown.js';
import { Menu } from '../tui/Menu.js';
import { GLOBAL, keyBar, MODES } from '../tui/modes.js';
import { EvidencePane } from '../tui/panes.js';
import { initialState, PANES, reduce } from '../tui/state.js';
import { expandTabs, wrapWords } from '../tui/text.js';
import { phases, traceRows } from '../tui/trace-view.js';

const plain = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const REPO = join(import.meta.dirname, '..');
const { lessons } = loadLessons(join(REPO, 'lessons'));

/** Progress as a learner has it half-way through the course: some lessons done, some started, some new. */
function someProgress() {
  const p = emptyProgress();
  lessons.forEach((l, i) => {
    if (i % 3 === 0) l.steps.forEach((_, s) => recordStep(p, l, s, { ok: true, checksPassed: 1, checksTotal: 1 }));
    else if (i % 3 === 1) recordStep(p, l, 0, { ok: true, checksPassed: 1, checksTotal: 1 });
  });
  return p;
}

describe('text helpers', () => {
  it('expands tabs to the next multiple of 8, so no character is pushed off the line', () => {
    expect(expandTabs('Name:\tsleep')).toBe('Name:   sleep');
    expect(expandTabs('NSpid:\t30552\t1')).toBe('NSpid:  30552   1');
    expect(expandTabs('no tabs')).toBe('no tabs');
  });

  it('wraps words without a leading space, cuts long words, ends a cut text with …', () => {
    expect(wrapWords('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapWords('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapWords('one two three four five', 9, 2)).toEqual(['one two', 'three…']);
  });
});

describe('menu with progress', () => {
  for (const [columns, rows] of [[80, 24], [120, 40]] as const) {
    it(`${columns}×${rows}: every row in view is drawn whole, with its mark, the cursor on the selected one`, () => {
      const p = someProgress();
      const height = rows - 1;
      for (const selected of [...lessons.keys()].filter((i) => i % 4 === 0 || i === lessons.length - 1)) {
        const f = plain(render(<Menu lessons={lessons} progress={p} selected={selected} width={columns} height={height} hidden={0}
          welcome={['Welcome! Every step runs real containers here and shows the kernel\'s evidence. ? lists the keys.']} />).lastFrame());
        const lines = f.split('\n');
        expect(lines.length).toBeLessThanOrEqual(height);
        for (const l of lines) expect(l.length, l).toBeLessThan(columns);
        const rowsShown = lines.filter((l) => /^[▸ ] [✓◐·] \d\d-/.test(l));
        // each lesson row is one line: the ids in view are consecutive lessons, none lost or merged
        const ids = rowsShown.map((l) => /^[▸ ] [✓◐·] (\S+?)(…|\s)/.exec(l)![1]!);
        const first = lessons.findIndex((l) => l.meta.id.startsWith(ids[0]!));
        ids.forEach((id, i) => expect(lessons[first + i]!.meta.id.startsWith(id), `${id} in\n${f}`).toBe(true));
        expect(rowsShown.filter((l) => l.startsWith('▸'))).toHaveLength(1);
        expect(f).toMatch(new RegExp(`^▸ . ${lessons[selected]!.meta.id.slice(0, 10)}`, 'm'));
        if (columns === 120) expect(rowsShown).toHaveLength(lessons.length);
        // the whole key bar, and the whole welcome line (wrapped, not cut)
        expect(lines.at(-1)).toMatch(/⏎ open · .*\? help · q quit$/);
        expect(f.replace(/\n/g, ' ')).toContain("shows the kernel's evidence. ? lists the keys.");
      }
    });
  }

  it('a long summary wraps into two lines and ends with … when longer', () => {
    const long = { ...lessons[0]!, meta: { ...lessons[0]!.meta, summary: 'word '.repeat(60).trim() } };
    const f = plain(render(<Menu lessons={[long]} progress={emptyProgress()} selected={0} width={80} height={23} hidden={0} />).lastFrame());
    const summary = f.split('\n').filter((l) => l.startsWith('word'));
    expect(summary).toHaveLength(2);
    expect(summary[1]).toMatch(/…$/);
  });
});

describe('keys come from one registry', () => {
  it('the help lists every binding of the mode, aligned, with the pane keys derived from the panes', () => {
    const f = plain(render(<Help width={80} mode="lesson" />).lastFrame());
    const rows = f.split('\n').filter((l) => /^│ \S/.test(l) && !l.includes('Keys'));
    const bindings = [...MODES.lesson.bindings, ...GLOBAL];
    for (const b of bindings) expect(f).toContain(b.help);
    // the description column starts at the same place on every row (the `s` row included)
    const col = bindings.map((b) => rows.find((l) => l.includes(b.help))!.indexOf(b.help));
    expect(new Set(col).size, rows.join('\n')).toBe(1);
    expect(f).toContain(`tab  ${PANES.map((_, i) => i + 1).join(' ')}`);
    expect(f).toMatch(/^│ s +shell in the lesson's container \(exit returns\)/m);
  });

  it('the key bar keeps the main key and the way out at 80 columns and narrower', () => {
    for (const w of [79, 59, 39]) {
      const bar = keyBar('lesson', w);
      expect(bar.length).toBeLessThanOrEqual(w);
      expect(bar).toMatch(/^⏎ run · .*\? help · q back$/);
    }
    expect(keyBar('lesson', 119)).toBe('⏎ run · ↑↓ step · tab pane · PgUp/PgDn scroll · s shell · h host · t task · l 中文 · ? help · q back');
  });

  it('one reducer: tab cycles the registered panes both ways, numbers pick them, a lesson opens at its resume step', () => {
    const l = lessons.find((x) => x.steps.length >= 3)!;
    const p = emptyProgress();
    recordStep(p, l, 0, { ok: true, checksPassed: 1, checksTotal: 1 });
    let s = initialState(p, lessons, l);
    expect(s.mode).toBe('lesson');
    expect(s.lesson!.entries[s.lesson!.selected]!.step).toBe(1);
    for (const pane of [...PANES.slice(1), PANES[0]]) {
      s = reduce(s, { type: 'pane/cycle', delta: 1 });
      expect(s.lesson!.pane).toBe(pane.id);
    }
    s = reduce(s, { type: 'pane/cycle', delta: -1 });
    expect(s.lesson!.pane).toBe(PANES.at(-1)!.id);
    s = reduce(s, { type: 'lesson/closed' });
    expect(s).toMatchObject({ mode: 'menu', lesson: undefined });
  });
});

const ev = (name: string, args: string, pid = 100, extra: Partial<TraceEvent> = {}): TraceEvent =>
  ({ time: 0, kind: 'syscall', name, args, result: '0', durationMs: 0.01, pid, ...extra });
const api = (args: string): TraceEvent => ({ time: 0, kind: 'note', name: 'api', args, durationMs: 0, pid: 100 });

describe('trace grouped by phase', () => {
  /** One `run`, shaped as boxlabd traces it (pid 100 the daemon, pid 1 the init inside its pid namespace). */
  const RUN: TraceEvent[] = [
    api('POST /containers/create'),
    ev('seccomp_export_bpf', 'ctx, 32'),
    api('POST /containers/abc/wait'),
    api('POST /containers/abc/start'),
    { time: 0, kind: 'note', name: 'init', args: 'taken warm from the pool', durationMs: 0, pid: 100 },
    ev('mkdir', '/sys/fs/cgroup/pids/boxlab/abc'),
    ev('write', '/sys/fs/cgroup/pids/boxlab/abc/cgroup.procs, "4242"'),
    ev('socketpair', 'AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0'),
    ev('unshare', 'CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET'),
    ev('clone', 'node init.js (inherits mnt, uts, ipc, pid, net namespaces)'),
    ev('setns', '/proc/100/ns/mnt, CLONE_NEWNS'),
    { time: 0, kind: 'command', name: 'ip', args: 'link add veth0 type veth peer name eth0 netns /proc/4242/ns/net', result: 'exit 0', durationMs: 3, pid: 100 },
    ev('mount', 'NULL, "/", NULL, MS_REC|MS_PRIVATE', 1),
    ev('pivot_root', '".", "."', 1),
    ...['CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_SYS_MODULE'].flatMap((c) => Array.from({ length: 1 }, () => ev('prctl', `PR_CAPBSET_DROP, ${c}`, 1))),
    ev('seccomp', 'SECCOMP_SET_MODE_FILTER, 0, {len=1001}', 1),
    ev('rmdir', '/sys/fs/cgroup/pids/boxlab/abc'),
    ev('flock', '"/lock", LOCK_EX'),
  ];

  it('derives client → API, create, start, the pool refill, init and exit from what the events carry', () => {
    expect(phases(RUN)).toEqual([
      'create', 'create', 'api', 'start', 'start', 'start', 'start', 'pool', 'pool', 'pool', 'pool', 'start',
      'init', 'init', 'init', 'init', 'init', 'init', 'exit', 'exit',
    ]);
    const headings = traceRows(RUN).filter((r) => r.kind === 'phase').map((r) => r.kind === 'phase' && r.phase);
    expect(headings).toEqual(['create', 'api', 'start', 'pool', 'start', 'init', 'exit']);
  });

  it('an exec is its own phase: the daemon enters the container, the new process drops caps', () => {
    const exec = [api('POST /containers/web/exec'), api('POST /exec/e1/start'), ev('setns', '/proc/4242/ns/uts, CLONE_NEWUTS'),
      ev('clone', 'node init.js'), ev('setns', '/proc/100/ns/uts, CLONE_NEWUTS'), ev('prctl', 'PR_CAPBSET_DROP, CAP_SYS_ADMIN', 7)];
    expect(phases(exec)).toEqual(['api', 'exec', 'exec', 'exec', 'exec', 'exec']);
  });

  it('folds 40 prctl(PR_CAPBSET_DROP, …) calls into one line that names what was dropped', () => {
    const drops = Array.from({ length: 40 }, (_, i) => ev('prctl', `PR_CAPBSET_DROP, CAP_${i}`, 1));
    const rows = traceRows([api('POST /containers/abc/start'), ...drops, ev('prctl', 'PR_SET_KEEPCAPS, 1', 1)]).filter((r) => r.kind === 'event');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ count: 40 });
    expect(rows[1]!.kind === 'event' && rows[1]!.text).toMatch(/^prctl\(PR_CAPBSET_DROP, …\) = 0 ×40: CAP_0 CAP_1 CAP_2 /);
    // the very same command twice folds too; different calls never do
    const same = traceRows([ev('x', 'a'), ev('x', 'a'), ev('y', 'a')]).filter((r) => r.kind === 'event');
    expect(same.map((r) => r.kind === 'event' && r.text)).toEqual(['x(a) = 0 (0.01 ms) ×2', 'y(a) = 0 (0.01 ms)']);
  });
});

describe('evidence and lesson text at 80 columns', () => {
  it('no evidence line loses a character to a tab', () => {
    const status = 'Name:\tsleep\nPPid:\t2792\nNSpid:\t30552\t1';
    const result = {
      index: 0, title: 'Status', ok: true, catchUp: false, trace: [], observations: [], captures: [{ name: 'pid', value: '1\t2' }], checks: [],
      actions: [{ command: 'grep . /proc/1/status', kind: 'action', ok: true, stdout: status, stderr: '', exitCode: 0, durationMs: 1 }],
    } as unknown as StepResult;
    const f = plain(render(<Box54><EvidencePane result={result} height={20} offset={0} running={false} /></Box54>).lastFrame());
    for (const want of ['Name:   sleep', 'PPid:   2792', 'NSpid:  30552   1', 'pid = 1       2']) expect(f).toContain(want);
    expect(f).not.toContain('\t');
  });

  it('a table too wide for the pane becomes records; wrapped lines never start with a space', () => {
    const md = '| Flag | What it isolates | Since |\n|---|---|---|\n| CLONE_NEWUTS | the hostname and the NIS domain name of the container | 2.6.19 |\n| CLONE_NEWPID | the process ids, so that the first process is pid 1 | 2.6.24 |\n\n'
      + 'A paragraph long enough to wrap several times inside a pane of fifty columns, with **bold words** and `code spans` in it.\n';
    const f = plain(render(<Markdown tokens={marked.lexer(md)} width={50} />).lastFrame());
    expect(f).toMatch(/^Flag +CLONE_NEWUTS$/m);
    expect(f).toMatch(/^What it isolates +the hostname and the NIS domain/m);
    expect(f).toMatch(/^Since +2\.6\.24$/m);
    const lines = f.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(50);
    const para = lines.slice(lines.findIndex((l) => l.startsWith('A paragraph'))).filter((l) => l.trim() !== '');
    expect(para.length).toBeGreaterThanOrEqual(3);
    for (const line of para) expect(line, f).not.toMatch(/^ /);
  });

  it('no wrapped line of any lesson paragraph starts with a space (the lesson pane at 80 columns)', () => {
    let shown = 0;
    for (const l of lessons) {
      for (const tokens of [l.intro, ...l.steps.map((st) => st.tokens), l.outro]) {
        const f = plain(render(<Markdown tokens={tokens.filter((t) => t.type === 'paragraph')} width={53} />).lastFrame());
        for (const line of f.split('\n')) {
          shown++;
          expect(line, `${l.meta.id}:\n${f}`).not.toMatch(/^ \S/);
        }
      }
    }
    expect(shown).toBeGreaterThan(500);
  });

  it('every lesson that names a shell container starts one under that name that outlives its step', () => {
    for (const l of lessons.filter((x) => x.meta.shell)) {
      const text = readFileSync(l.file, 'utf8');
      expect(text, `${l.meta.id} shell: ${l.meta.shell}`).toMatch(new RegExp(`boxlab (run -d|create) [^\\n]*--name ${l.meta.shell} `));
    }
  });
});

function Box54({ children }: { children: React.ReactNode }): React.ReactElement {
  return <Box width={54} flexDirection="column">{children}</Box>;
}
