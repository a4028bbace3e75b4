import { existsSync } from 'node:fs';
import type { TraceEvent } from '../engine/sys/trace.js';
import { evaluateCheck, type CheckResult } from './checks.js';
import { diffLines, type DiffLine } from './diff.js';
import { binDir as defaultBinDir, DEFAULT_ROOT, DEFAULT_SOCKET, detectCgroupVersion, type DaemonTarget } from './env.js';
import { shellExecutor, type ExecResult, type Executor } from './exec.js';
import { extractJson, extractMatch } from './extract.js';
import { substitute } from './placeholders.js';
import { nullTraceSource, type TraceSource } from './trace-source.js';
import type { ActionBlock, Capture, CaptureBlock, CgroupVersion, Check, CheckBlock, Lesson, ObserveBlock, Step } from './types.js';
import { t } from '../i18n/index.js';

export interface CommandRun extends ExecResult {
  command: string;
  kind: 'action' | 'observe' | 'capture' | 'check' | 'cleanup';
  ok: boolean;
}

export interface Observation {
  name?: string;
  phase?: 'before' | 'after';
  runs: CommandRun[];
  /** all commands' stdout joined: the value of the observation */
  output: string;
  /** for an `after` observation: the difference from its `before` */
  diff?: DiffLine[];
}

export interface StepResult {
  index: number;
  title: string;
  ok: boolean;
  /** replayed to rebuild state for a later step, not asked for by the learner */
  catchUp: boolean;
  actions: CommandRun[];
  observations: Observation[];
  captures: { name: string; value: string }[];
  checks: CheckResult[];
  trace: TraceEvent[];
  /** why the step stopped early */
  error?: string;
  hint?: string;
}

export type RunEvent =
  | { type: 'step-start'; step: number; catchUp: boolean }
  | { type: 'command'; step: number; run: CommandRun }
  | { type: 'observation'; step: number; observation: Observation }
  | { type: 'capture'; step: number; name: string; value: string }
  | { type: 'check'; step: number; result: CheckResult }
  | { type: 'trace'; step: number; event: TraceEvent }
  | { type: 'step-end'; step: number; result: StepResult }
  | { type: 'cleanup'; failures: string[] };

export interface SessionOptions {
  executor?: Executor;
  traceSource?: TraceSource;
  target?: DaemonTarget;
  cgroup?: CgroupVersion;
  onEvent?: (e: RunEvent) => void;
  commandTimeoutMs?: number;
  /** folder put first on PATH so `boxlab` in a lesson is this build */
  binDir?: string;
  /** how long to keep listening for trace events after a step's last command */
  traceDrainMs?: number;
  /** stop after the running step (Ctrl-C in `boxlab check`); cleanup still runs */
  signal?: AbortSignal;
  /**
   * Also evaluate every check with its step's actions skipped (`boxlab check --counterfactual`): each
   * result then says whether the check passed without the action, i.e. whether it could have failed.
   */
  counterfactual?: boolean;
}

/** A step that changes state: an action, or an observe marked `changes`. Its checks must depend on it. */
export function stepActs(step: Step, cgroup: CgroupVersion): boolean {
  return step.blocks.some((b) => (b.cgroup === undefined || b.cgroup === cgroup) && (b.kind === 'action' || (b.kind === 'observe' && b.changes)));
}

/** A block failed in a way that makes the rest of the step meaningless. */
class StepFailure extends Error {
  constructor(message: string, readonly hint: string) { super(message); }
}

function hintFor(run: CommandRun): string {
  const err = `${run.stderr}\n${run.stdout}`;
  if (/not found/.test(err) && run.exitCode === 127) return t().rnToolMissing;
  if (/ECONNREFUSED|ENOENT.*sock|daemon/i.test(err)) return t().rnNoDaemon;
  if (run.kind === 'action' && /already in use|Conflict/i.test(err)) return t().rnInTheWay;
  return t().rnReadError;
}

/**
 * One learner's pass through one lesson: runs steps in order, keeps the values they capture, and cleans
 * up. The TUI keeps a session open while the lesson is on screen; `boxlab check` runs one to the end.
 */
export class LessonSession {
  readonly values = new Map<string, string>();
  readonly results: StepResult[] = [];
  readonly cgroup: CgroupVersion;
  /** index of the next step that has not run in this session */
  nextStep = 0;
  private prepared = false;
  private busy = false;
  private readonly executor: Executor;
  private readonly traceSource: TraceSource;
  private readonly env: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(readonly lesson: Lesson, private readonly opts: SessionOptions = {}) {
    this.executor = opts.executor ?? shellExecutor;
    this.traceSource = opts.traceSource ?? nullTraceSource;
    this.cgroup = opts.cgroup ?? detectCgroupVersion();
    this.timeoutMs = opts.commandTimeoutMs ?? 60_000;
    const bin = opts.binDir ?? defaultBinDir();
    this.env = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
      ...(opts.target?.socket !== undefined && { BOXLAB_SOCKET: opts.target.socket }),
      ...(opts.target?.root !== undefined && { BOXLAB_ROOT: opts.target.root }),
    };
    this.resetValues();
  }

  /** PATH and daemon variables lesson commands run with; a shell opened from the TUI gets the same. */
  get commandEnv(): Record<string, string> {
    return { ...this.env };
  }

  get running(): boolean {
    return this.busy;
  }

  /** Why this lesson cannot run on this machine, if it cannot. */
  get unsupported(): string | undefined {
    const want = this.lesson.meta.cgroup;
    return want && want !== this.cgroup ? t().rnNeedsCgroup(want, this.cgroup) : undefined;
  }

  private resetValues(): void {
    this.values.clear();
    this.values.set('cgroup.version', this.cgroup);
    this.values.set('boxlab.socket', this.opts.target?.socket ?? DEFAULT_SOCKET);
    this.values.set('boxlab.root', this.opts.target?.root ?? DEFAULT_ROOT);
    this.values.set('lesson.dir', this.lesson.dir);
  }

  private emit(e: RunEvent): void {
    this.opts.onEvent?.(e);
  }

  private applies(b: { cgroup?: CgroupVersion }): boolean {
    return b.cgroup === undefined || b.cgroup === this.cgroup;
  }

  private async exec(kind: CommandRun['kind'], command: string, timeoutMs?: number): Promise<CommandRun> {
    const r = await this.executor.run(command, {
      env: this.env, timeoutMs: timeoutMs ?? this.timeoutMs, ...(existsSync(this.lesson.dir) && { cwd: this.lesson.dir }),
    });
    return { ...r, command, kind, ok: r.exitCode === 0 };
  }

  /** Runs every cleanup command; returns the failures (commands and their last stderr line). */
  async cleanup(): Promise<string[]> {
    const failures: string[] = [];
    for (const block of this.lesson.cleanup) {
      if (!this.applies(block)) continue;
      for (const c of block.commands) {
        let line: string;
        try { line = substitute(c.text, this.values); } catch (e) { failures.push(`${c.text}: ${(e as Error).message}`); continue; }
        const r = await this.exec('cleanup', line, block.timeoutMs);
        if (!r.ok) failures.push(`${line}: exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`);
      }
    }
    this.emit({ type: 'cleanup', failures });
    return failures;
  }

  /** Clears what an earlier crashed run left behind; called once before the first step. */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    await this.cleanup();
    this.prepared = true;
  }

  /**
   * Runs step `index`. Steps before it that have not run in this session are replayed first so their
   * containers and values exist; asking for an earlier step again starts the lesson over (cleanup first).
   */
  async runStep(index: number): Promise<StepResult> {
    if (this.busy) throw new Error('a step is already running');
    if (index < 0 || index >= this.lesson.steps.length) throw new RangeError(`no step ${index + 1} in ${this.lesson.meta.id}`);
    this.busy = true;
    let current = this.nextStep;
    const unsubscribe = await this.traceSource.subscribe((event) => {
      this.traceSink?.push(event);
      this.emit({ type: 'trace', step: current, event });
    });
    try {
      if (index < this.nextStep) {
        await this.cleanup();
        this.resetValues();
        this.results.length = 0;
        this.nextStep = 0;
        this.prepared = true;
      } else {
        await this.prepare();
      }
      let result: StepResult | undefined;
      for (let i = this.nextStep; i <= index; i++) {
        current = i;
        result = await this.runOne(this.lesson.steps[i]!, i < index);
        this.nextStep = i + 1;
        if (!result.ok && i < index) {
          // a replayed step failed: the asked-for step cannot run on top of it
          return result;
        }
      }
      return result!;
    } finally {
      await new Promise((r) => setTimeout(r, this.opts.traceDrainMs ?? 100));
      unsubscribe();
      this.busy = false;
    }
  }

  /** trace events go to the step running now */
  private traceSink: TraceEvent[] | undefined;

  private async runOne(step: Step, catchUp: boolean): Promise<StepResult> {
    const result: StepResult = {
      index: step.index, title: step.title, ok: true, catchUp,
      actions: [], observations: [], captures: [], checks: [], trace: [],
    };
    this.traceSink = result.trace;
    this.results[step.index] = result;
    this.emit({ type: 'step-start', step: step.index, catchUp });
    if (this.opts.counterfactual && (step.index === 0 || stepActs(step, this.cgroup))) {
      let to = step.index + 1;
      while (to < this.lesson.steps.length && !stepActs(this.lesson.steps[to]!, this.cgroup)) to++;
      await this.shadow(step.index, to);
    }
    try {
      for (const block of step.blocks) {
        if (!this.applies(block)) continue;
        switch (block.kind) {
          case 'action': await this.runAction(block, result); break;
          case 'observe': await this.runObserve(block, result); break;
          case 'capture': await this.runCapture(block, result); break;
          case 'check': await this.runChecks(block, result); break;
        }
      }
    } catch (e) {
      result.ok = false;
      result.error = (e as Error).message;
      result.hint = e instanceof StepFailure ? e.hint : t().rnLessonBug;
    }
    if (result.checks.some((c) => !c.passed)) {
      result.ok = false;
      if (result.hint === undefined) result.hint = result.checks.find((c) => !c.passed && c.hint)?.hint ?? t().rnLookAtEvidence;
    }
    this.emit({ type: 'step-end', step: step.index, result });
    return result;
  }

  private async runAction(block: ActionBlock, result: StepResult): Promise<void> {
    const outs: string[] = [];
    for (const c of block.commands) {
      const run = await this.exec('action', substitute(c.text, this.values), block.timeoutMs);
      result.actions.push(run);
      this.emit({ type: 'command', step: result.index, run });
      // an expected failure is taught by its error message, so the value holds stderr too
      outs.push(block.expectFail ? `${run.stdout}\n${run.stderr}`.trim() : run.stdout);
      if (block.expectFail && run.ok) throw new StepFailure(t().rnExpectedFail(run.command), t().rnWorthReporting);
      if (!block.expectFail && !run.ok) {
        const said = run.stderr.trim().split('\n').pop() ?? '';
        throw new StepFailure(`${run.command}: exit ${run.exitCode}${said ? `: ${said}` : ''}`, hintFor(run));
      }
    }
    if (block.name) this.define(block.name, outs.join('\n').trim(), result);
    if (block.name && block.expectFail) this.define(`${block.name}.exit`, String(result.actions.at(-1)?.exitCode ?? ''), result);
  }

  private async runObserve(block: ObserveBlock, result: StepResult): Promise<void> {
    const runs: CommandRun[] = [];
    for (const c of block.commands) {
      const run = await this.exec('observe', substitute(c.text, this.values), block.timeoutMs);
      runs.push(run);
      this.emit({ type: 'command', step: result.index, run });
      if (!run.ok) {
        const said = run.stderr.trim().split('\n').pop() ?? '';
        result.observations.push({ runs, output: runs.map((r) => r.stdout).join('\n').trim(), ...(block.name !== undefined && { name: block.name }) });
        throw new StepFailure(`${run.command}: exit ${run.exitCode}${said ? `: ${said}` : ''}`, hintFor(run));
      }
    }
    const output = runs.map((r) => r.stdout).join('\n').trim();
    const obs: Observation = { runs, output, ...(block.name !== undefined && { name: block.name }), ...(block.phase !== undefined && { phase: block.phase }) };
    if (block.phase === 'after' && block.name) {
      const before = this.values.get(`${block.name}.before`);
      if (before !== undefined) obs.diff = diffLines(before, output);
    }
    result.observations.push(obs);
    this.emit({ type: 'observation', step: result.index, observation: obs });
    if (block.name) this.define(block.phase ? `${block.name}.${block.phase}` : block.name, output, result, false);
  }

  private async runCapture(block: CaptureBlock, result: StepResult): Promise<void> {
    for (const c of block.captures) {
      const value = await this.captureValue(c, block, this.values);
      this.define(c.name, value, result);
    }
  }

  /** Finds one capture's value from `values` and the machine; a capture that finds nothing is a StepFailure. */
  private async captureValue(c: Capture, block: CaptureBlock, values: ReadonlyMap<string, string>): Promise<string> {
    let text: string;
    if (c.run !== undefined) {
      const run = await this.exec('capture', substitute(c.run, values), block.timeoutMs);
      if (!run.ok) {
        const said = run.stderr.trim().split('\n').pop() ?? '';
        throw new StepFailure(`capture ${c.name}: ${run.command}: exit ${run.exitCode}${said ? `: ${said}` : ''}`, hintFor(run));
      }
      text = run.stdout;
    } else {
      text = values.get(c.from!) ?? '';
    }
    let value: string | undefined = text;
    if (c.match !== undefined) value = extractMatch(text, substitute(c.match, values));
    else if (c.json !== undefined) value = extractJson(text, c.json);
    value = value?.trim();
    if (value === undefined || value === '') {
      const how = c.match !== undefined ? t().rnNoMatch(c.match) : c.json !== undefined ? t().rnNoJson(c.json) : t().rnEmptyOutput;
      throw new StepFailure(t().rnCaptureFailed(c.name, how, JSON.stringify(text.trim().slice(0, 120))), t().rnUnexpectedOutput);
    }
    return value;
  }

  private async runChecks(block: CheckBlock, result: StepResult): Promise<void> {
    for (const check of block.checks) {
      if (!this.applies(check)) continue;
      const res = await this.evaluate(check, block, this.values);
      const without = this.shadowResults.get(check);
      if (without !== undefined) res.withoutAction = without ? 'passed' : 'failed';
      result.checks.push(res);
      this.emit({ type: 'check', step: result.index, result: res });
    }
  }

  /** Substitutes `values` into a check and evaluates it (running its command, if any). */
  private async evaluate(check: Check, block: CheckBlock, values: ReadonlyMap<string, string>): Promise<CheckResult> {
    // a hint or a task's proves may name the values of this run; one that cannot be filled in is shown as written
    const fillIn = (text: string): string => { try { return substitute(text, values); } catch { return text; } };
    const hint = check.hint === undefined ? undefined : fillIn(check.hint);
    const bound = {
      ...check, proves: fillIn(check.proves), ...(hint !== undefined && { hint }),
      ops: Object.fromEntries(Object.entries(check.ops).map(([k, v]) => [k, typeof v === 'string' ? substitute(v, values) : v])),
    };
    if ('run' in check.subject) {
      const run = await this.exec('check', substitute(check.subject.run, values), block.timeoutMs);
      return evaluateCheck({ ...bound, subject: { run: run.command } }, { text: run.stdout, exitCode: run.exitCode, stderr: run.stderr });
    }
    if ('file' in check.subject) {
      const path = substitute(check.subject.file, values);
      return evaluateCheck({ ...bound, subject: { file: path } }, { text: path });
    }
    return evaluateCheck(bound, { text: substitute(check.subject.value, values) });
  }

  /** counterfactual results: did the check pass with its step's actions skipped */
  private readonly shadowResults = new Map<Check, boolean>();

  /**
   * The counterfactual pass, run just before step `from` (an acting step, or the first): the blocks of steps
   * [from, to) run quietly on a copy of the values with every action and `changes` observe skipped —
   * captures and observations are re-read from the machine as it is *now*, before the action — and each
   * check's outcome is kept. Steps that only look (no action) belong to the acting step before them, so
   * their checks are judged against the state before that action. A capture or placeholder that cannot be
   * found here makes the checks using it fail, which is what they would do without the action.
   */
  private async shadow(from: number, to: number): Promise<void> {
    const values = new Map(this.values);
    for (let i = from; i < to; i++) {
      for (const block of this.lesson.steps[i]!.blocks) {
        if (!this.applies(block)) continue;
        try {
          switch (block.kind) {
            case 'action': break;
            case 'observe': {
              if (block.changes) break;
              const outs: string[] = [];
              for (const c of block.commands) {
                const run = await this.exec('observe', substitute(c.text, values), block.timeoutMs);
                if (!run.ok) throw new Error('observation failed');
                outs.push(run.stdout);
              }
              if (block.name) values.set(block.phase ? `${block.name}.${block.phase}` : block.name, outs.join('\n').trim());
              break;
            }
            case 'capture':
              for (const c of block.captures) {
                try {
                  const value = await this.captureValue(c, block, values);
                  if (value !== undefined && value !== '') values.set(c.name, value);
                } catch { /* not found without the action: checks that use it fail */ }
              }
              break;
            case 'check':
              for (const check of block.checks) {
                if (!this.applies(check)) continue;
                let passed = false;
                try { passed = (await this.evaluate(check, block, values)).passed; } catch { passed = false; }
                this.shadowResults.set(check, passed);
              }
              break;
          }
        } catch { /* this block found nothing without the action; the next may still read something */ }
      }
    }
  }

  private define(name: string, value: string, result: StepResult, record = true): void {
    this.values.set(name, value);
    if (record) {
      result.captures.push({ name, value });
      this.emit({ type: 'capture', step: result.index, name, value });
    }
  }
}

export interface LessonReport {
  id: string;
  title: string;
  ok: boolean;
  /** set when the lesson did not run on this machine (and that is not a failure) */
  skipped?: string;
  steps: StepResult[];
  cleanupFailures: string[];
}

/** Runs a whole lesson headless (for `boxlab check`): stops at the first step whose commands fail. */
export async function runLesson(lesson: Lesson, opts: SessionOptions = {}): Promise<LessonReport> {
  const session = new LessonSession(lesson, opts);
  const report: LessonReport = { id: lesson.meta.id, title: lesson.meta.title, ok: true, steps: [], cleanupFailures: [] };
  if (session.unsupported) return { ...report, skipped: session.unsupported };
  try {
    for (let i = 0; i < lesson.steps.length; i++) {
      if (opts.signal?.aborted) { report.ok = false; break; }
      const r = await session.runStep(i);
      report.steps.push(r);
      if (!r.ok) report.ok = false;
      if (r.error !== undefined) break;
    }
  } finally {
    report.cleanupFailures = await session.cleanup();
  }
  if (report.cleanupFailures.length > 0) report.ok = false;
  return report;
}
