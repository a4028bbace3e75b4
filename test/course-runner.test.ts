import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLesson } from '../course/parse.js';
import { LessonSession, runLesson, type RunEvent } from '../course/runner.js';
import { DaemonTraceSource, FakeTraceSource } from '../course/trace-source.js';
import type { ExecOptions, ExecResult, Executor } from '../course/exec.js';
import type { TraceEvent } from '../engine/sys/trace.js';
import { GOOD_LESSON } from './course-fixtures.js';

/** Scripted executor: answers by the first matching pattern, records every command and its env. */
class FakeExecutor implements Executor {
  calls: { command: string; opts: ExecOptions }[] = [];
  constructor(private readonly answers: [RegExp, Partial<ExecResult> | ((cmd: string) => Partial<ExecResult>)][], private readonly onRun?: (cmd: string) => void) {}
  async run(command: string, opts: ExecOptions): Promise<ExecResult> {
    this.calls.push({ command, opts });
    this.onRun?.(command);
    for (const [re, a] of this.answers) {
      if (re.test(command)) {
        const r = typeof a === 'function' ? a(command) : a;
        return { stdout: '', stderr: '', exitCode: 0, durationMs: 1, ...r };
      }
    }
    return { stdout: '', stderr: '', exitCode: 0, durationMs: 1 };
  }
}

const lesson = parseLesson(GOOD_LESSON, '/tmp/01-demo/lesson.md').lesson!;
let hostnameCalls = 0;
const answers: [RegExp, Partial<ExecResult> | ((c: string) => Partial<ExecResult>)][] = [
  [/^hostname$/, () => ({ stdout: ++hostnameCalls % 2 === 1 ? 'host\n' : 'host\nextra\n' })],
  [/^boxlab run/, { stdout: 'abc123\n' }],
  [/^boxlab inspect -f '\{\{\.State\.Pid\}\}' demo-web$/, { stdout: `${process.pid}\n` }],
  [/^readlink \/proc\/\d+\/ns\/uts$/, { stdout: 'uts:[4026531838]\n' }],
  [/^echo 4026531838$/, { stdout: '4026531838\n' }],
];

describe('runner with a fake executor', () => {
  it('runs every block in order, substitutes captures, diffs before/after, evaluates checks', async () => {
    hostnameCalls = 0;
    const ex = new FakeExecutor(answers);
    const trace = new FakeTraceSource();
    const events: RunEvent[] = [];
    const report = await runLesson(lesson, {
      executor: ex, traceSource: trace, cgroup: 'v1', target: { socket: '/tmp/x.sock', root: '/tmp/xroot' },
      binDir: '/opt/boxlab/bin', traceDrainMs: 0,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'command' && e.run.command.startsWith('boxlab run')) {
          trace.emit({ time: 1, kind: 'syscall', name: 'clone', args: 'CLONE_NEWUTS', result: '42', durationMs: 0.1, pid: 1 });
        }
      },
    });
    expect(report.ok).toBe(true);
    expect(ex.calls.map((c) => c.command)).toEqual([
      'boxlab rm -f demo-web 2>/dev/null || true', // prepare: leftovers of a crashed run
      'hostname',
      'boxlab run -d --name demo-web --hostname lab busybox sleep 600',
      "boxlab inspect -f '{{.State.Pid}}' demo-web",
      `readlink /proc/${process.pid}/ns/uts`,
      'hostname',
      'echo 4026531838',
      'boxlab rm -f demo-web 2>/dev/null || true', // cleanup at the end
    ]);
    const env = ex.calls[2]!.opts.env;
    expect(env.PATH!.startsWith('/opt/boxlab/bin:')).toBe(true);
    expect(env).toMatchObject({ BOXLAB_SOCKET: '/tmp/x.sock', BOXLAB_ROOT: '/tmp/xroot' });
    expect(report.steps[0]!.captures).toEqual([
      { name: 'started', value: 'abc123' },
      { name: 'web.pid', value: String(process.pid) },
      { name: 'web.uts', value: '4026531838' },
    ]);
    expect(report.steps[0]!.trace.map((t) => t.name)).toEqual(['clone']);
    expect(report.steps[1]!.trace).toEqual([]);
    const after = report.steps[1]!.observations[0]!;
    expect(after.diff).toEqual([{ op: ' ', text: 'host' }, { op: '+', text: 'extra' }]);
    expect(report.steps[1]!.checks.map((c) => [c.passed, c.proves])).toEqual([
      [true, 'The container is a process with a pid on the host.'],
      [true, 'The namespace has an inode number of its own.'],
      [true, "The process shows up in the host's /proc."],
    ]);
    expect(events.filter((e) => e.type === 'trace')).toHaveLength(1);
    expect(trace.subscribers).toBe(0);
  });

  it('skips blocks and checks for the other cgroup version', async () => {
    hostnameCalls = 0;
    const report = await runLesson(lesson, { executor: new FakeExecutor(answers), cgroup: 'v2', traceDrainMs: 0 });
    expect(report.steps[1]!.checks).toHaveLength(2);
  });

  it('a failing action stops the step with a hint, later steps do not run, cleanup still runs', async () => {
    hostnameCalls = 0;
    const ex = new FakeExecutor([[/^boxlab run/, { exitCode: 125, stderr: 'Error: Conflict. The container name "/demo-web" is already in use\n' }], ...answers]);
    const report = await runLesson(lesson, { executor: ex, cgroup: 'v1', traceDrainMs: 0 });
    expect(report.ok).toBe(false);
    expect(report.steps).toHaveLength(1);
    expect(report.steps[0]!.error).toMatch(/boxlab run .*: exit 125: Error: Conflict/);
    expect(report.steps[0]!.hint).toMatch(/already in use|in the way/);
    expect(ex.calls.at(-1)!.command).toBe('boxlab rm -f demo-web 2>/dev/null || true');
  });

  it('a failing check fails the step but the other checks still run', async () => {
    hostnameCalls = 0;
    const ex = new FakeExecutor([[/^echo /, { stdout: '0\n' }], ...answers]);
    const report = await runLesson(lesson, { executor: ex, cgroup: 'v1', traceDrainMs: 0 });
    const checks = report.steps[1]!.checks;
    expect(checks.map((c) => c.passed)).toEqual([true, false, true]);
    expect(checks[1]!.detail).toBe('"0" is the same as "0"');
    expect(report.steps[1]!.hint).toBe('look at /proc');
    expect(report.ok).toBe(false);
  });

  it('a capture that finds nothing names itself', async () => {
    const ex = new FakeExecutor([[/^readlink/, { stdout: 'mnt:[1]\n' }], ...answers]);
    const report = await runLesson(lesson, { executor: ex, cgroup: 'v1', traceDrainMs: 0 });
    expect(report.steps[0]!.error).toMatch(/^capture web.uts: \/uts:\\\[\(\\d\+\)\\\]\/ did not match/);
  });

  it('running a later step replays earlier ones; an earlier step again starts over with cleanup', async () => {
    hostnameCalls = 0;
    const ex = new FakeExecutor(answers);
    const s = new LessonSession(lesson, { executor: ex, cgroup: 'v1', traceDrainMs: 0 });
    const r2 = await s.runStep(1);
    expect(r2.ok).toBe(true);
    expect(s.results[0]!.catchUp).toBe(true);
    expect(r2.catchUp).toBe(false);
    ex.calls.length = 0;
    const r1 = await s.runStep(0);
    expect(r1.ok).toBe(true);
    expect(ex.calls[0]!.command).toBe('boxlab rm -f demo-web 2>/dev/null || true');
    expect(s.nextStep).toBe(1);
    await s.cleanup();
  });
});

describe('runner with real host commands', () => {
  const real = `---
id: 09-real
title: Real commands
summary: Host commands only.
minutes: 1
---

## Step: Read the host

\`\`\`observe name=hn
hostname
\`\`\`

\`\`\`capture
uts:
  run: readlink /proc/self/ns/uts
  match: 'uts:\\[(\\d+)\\]'
me: echo {{lesson.dir}}
\`\`\`

\`\`\`check
- value: "{{hn}}"
  equals: ${hostname()}
  proves: The observation captured the real hostname of this machine.
- run: readlink /proc/$$/ns/uts
  contains: "{{uts}}"
  proves: The shell running the check shares the UTS namespace of this process (no container here).
- run: sh -c 'echo nope >&2; exit 1'
  exit: 1
  contains: nope
  proves: A run check sees the exit code of its command, and its error text.
- file: /proc/self/ns/uts
  exists: true
  proves: The kernel exposes namespaces as files under /proc.
- value: "{{uts}}"
  gt: 4026531000
  proves: Namespace inode numbers are large numbers handed out by the kernel.
\`\`\`
`;
  it('runs hostname and readlink for real and checks them', async () => {
    const l = parseLesson(real, '/tmp/09-real/lesson.md').lesson!;
    const report = await runLesson(l, { traceDrainMs: 0, cgroup: 'v1' });
    const step = report.steps[0]!;
    expect(step.error).toBeUndefined();
    expect(step.checks.filter((c) => !c.passed)).toEqual([]);
    expect(step.checks).toHaveLength(5);
    const inode = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/uts'))![1];
    expect(step.captures).toContainEqual({ name: 'uts', value: inode });
    expect(step.observations[0]!.output).toBe(hostname());
  });
});

describe('counterfactual run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-cf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lesson = `---
id: 09-cf
title: Counterfactual
summary: Which checks could have failed.
minutes: 1
---

# Counterfactual

## Step: Make a file

\`\`\`observe name=made changes
sh -c 'echo made > ${dir}/f; cat ${dir}/f'
\`\`\`

\`\`\`check
- file: ${dir}/f
  exists: true
  proves: The step made the file, so without it this check fails.
- run: echo same
  equals: same
  proves: This check passes whatever the step did, so it proves nothing.
- run: echo same
  equals: same
  invariant: It is declared as a guard that holds either way.
  proves: This check passes whatever the step did, and says so.
- value: "{{made}}"
  equals: made
  proves: The output of the skipped block is missing without the step.
\`\`\`

## Step: Look at it

\`\`\`capture
content: cat ${dir}/f
\`\`\`

\`\`\`check
- value: "{{content}}"
  equals: made
  proves: A looking step's check is judged against the state before the acting step before it.
\`\`\`
`;
  it('marks every check that passes with its step\'s actions skipped, looking steps judged with the acting step before them', async () => {
    const l = parseLesson(lesson, join(dir, 'lesson.md')).lesson!;
    const report = await runLesson(l, { traceDrainMs: 0, cgroup: 'v1', counterfactual: true });
    const checks = report.steps.flatMap((s) => s.checks);
    expect(checks.every((c) => c.passed)).toBe(true);
    expect(checks.map((c) => c.withoutAction)).toEqual(['failed', 'passed', 'passed', 'failed', 'failed']);
    expect(checks[2]!.invariant).toMatch(/guard/);
  });

  it('does nothing extra without the option', async () => {
    rmSync(join(dir, 'f'), { force: true });
    const l = parseLesson(lesson, join(dir, 'lesson.md')).lesson!;
    const report = await runLesson(l, { traceDrainMs: 0, cgroup: 'v1' });
    expect(report.steps.flatMap((s) => s.checks).map((c) => c.withoutAction)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('daemon trace source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads newline-delimited TraceEvents from GET /events?type=trace on a unix socket, across torn chunks', async () => {
    const sock = join(dir, 'd.sock');
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.flushHeaders();
      const a: TraceEvent = { time: 1, kind: 'syscall', name: 'unshare', args: 'CLONE_NEWUTS', result: '0', durationMs: 0.2, pid: 7 };
      const b: TraceEvent = { time: 2, kind: 'command', name: 'ip', args: 'link add', error: 'exit 2', durationMs: 3, pid: 7, container: 'abc' };
      const text = `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`;
      res.write(text.slice(0, 10));
      setTimeout(() => res.write(text.slice(10)), 20);
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const got: TraceEvent[] = [];
      const stop = await new DaemonTraceSource(sock).subscribe((e) => got.push(e));
      await new Promise((r) => setTimeout(r, 150));
      stop();
      expect(paths).toEqual(['/events?type=trace']);
      expect(got.map((e) => e.name)).toEqual(['unshare', 'ip']);
      expect(got[1]!.container).toBe('abc');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('does not hold the lesson up when no daemon answers', async () => {
    const stop = await new DaemonTraceSource(join(dir, 'none.sock'), 10).subscribe(() => {});
    stop();
  });
});
