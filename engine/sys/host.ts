import { execa, execaSync } from 'execa';
import { emitTrace } from './trace.js';

export interface HostResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface HostOptions {
  /** input written to the command's stdin */
  input?: string;
  /** do not throw on a non-zero exit; return it */
  allowFailure?: boolean;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line as a learner would type it. */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map(quote).join(' ');
}

/** What a finished host command left behind; the fields carry execa's names (`ExecaError`). */
export interface HostCommandOutcome {
  /** the command line as a learner would type it */
  command: string;
  exitCode: number;
  /** the signal that ended it (e.g. SIGKILL after a timeout), when one did */
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * The one error for a failed host tool (`ip`, `iptables`, `mount`, `unshare` ...): its message names the
 * command line and the last thing it said on stderr; the fields carry everything execa reports.
 */
export class HostCommandError extends Error implements HostCommandOutcome {
  readonly command: string;
  readonly exitCode: number;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  constructor(outcome: HostCommandOutcome) {
    const said = outcome.stderr.trim().split('\n').pop() ?? '';
    const how = outcome.timedOut ? 'timed out' : outcome.signal ? `killed by ${outcome.signal}` : `exit ${outcome.exitCode}`;
    super(`${outcome.command}: ${how}${said ? `: ${said}` : ''}`);
    this.name = 'HostCommandError';
    this.command = outcome.command;
    this.exitCode = outcome.exitCode;
    if (outcome.signal !== undefined) this.signal = outcome.signal;
    this.stdout = outcome.stdout;
    this.stderr = outcome.stderr;
    this.timedOut = outcome.timedOut;
  }
}

function execaOptions(opts: HostOptions) {
  return {
    reject: false,
    stripFinalNewline: true,
    ...(opts.input !== undefined && { input: opts.input }),
    ...(opts.env !== undefined && { env: opts.env }),
    ...(opts.cwd !== undefined && { cwd: opts.cwd }),
    ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs }),
  } as const;
}

function finish(file: string, args: readonly string[], start: number, startHr: bigint,
  r: { stdout?: unknown; stderr?: unknown; exitCode?: number | undefined; failed: boolean; message?: string; signal?: string | undefined; timedOut?: boolean },
  opts: HostOptions): HostResult {
  const durationMs = Number(process.hrtime.bigint() - startHr) / 1e6;
  const exitCode = r.exitCode ?? -1;
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : (r.exitCode === undefined ? (r.message ?? '') : '');
  const line = commandLine(file, args);
  const args0 = line.slice(quote(file).length + 1);
  if (exitCode === 0) emitTrace({ time: start, kind: 'command', name: file, args: args0, result: 'exit 0', durationMs });
  else emitTrace({ time: start, kind: 'command', name: file, args: args0, error: `exit ${exitCode}`, durationMs });
  if (exitCode !== 0 && !opts.allowFailure) {
    throw new HostCommandError({
      command: line, exitCode, stdout, stderr, timedOut: r.timedOut === true, ...(r.signal !== undefined && { signal: r.signal }),
    });
  }
  return { stdout, stderr, exitCode };
}

/** Runs a host tool (`ip`, `iptables`, `lsns` ...) and records it in the trace. Throws on failure. */
export async function host(file: string, args: readonly string[], opts: HostOptions = {}): Promise<HostResult> {
  const start = Date.now();
  const startHr = process.hrtime.bigint();
  const r = await execa(file, args, execaOptions(opts));
  return finish(file, args, start, startHr, r, opts);
}

/** Synchronous twin of {@link host}, for the few places that must not yield (namespace switching). */
export function hostSync(file: string, args: readonly string[], opts: HostOptions = {}): HostResult {
  const start = Date.now();
  const startHr = process.hrtime.bigint();
  const r = execaSync(file, args, execaOptions(opts));
  return finish(file, args, start, startHr, r, opts);
}
