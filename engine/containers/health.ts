import { ProcessIO } from './io.js';
import type { ContainerRecord } from './types.js';

/**
 * docker's HEALTHCHECK / --health-*: a probe command exec'd in the running container every Interval. Its
 * State.Health goes starting → healthy at the first success; `Retries` failures in a row make it unhealthy
 * (failures during StartPeriod do not count). A probe that outlives Timeout is killed and counts as a failure.
 * The last 5 results are kept in State.Health.Log, each output cut to 4 KiB, as dockerd does.
 */

export interface Healthcheck {
  /** ["CMD", argv…], ["CMD-SHELL", "command"], ["NONE"] (off), or [] (the image's) */
  Test?: string[] | null;
  /** nanoseconds; 0 means docker's default */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface HealthLogEntry { Start: string; End: string; ExitCode: number; Output: string }
export interface HealthState { Status: 'starting' | 'healthy' | 'unhealthy'; FailingStreak: number; Log: HealthLogEntry[] }

const NS_PER_MS = 1e6;
const DEFAULT_MS = 30_000;
const MAX_OUTPUT = 4096;
const KEEP_RESULTS = 5;

/** The probe's argv, or undefined when the container has no (or a disabled) healthcheck. */
export function probeArgv(hc: Healthcheck | undefined | null): string[] | undefined {
  const test = hc?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return test.length > 1 ? test.slice(1) : undefined;
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return undefined;
}

/** What the monitor needs from the Runtime (which writes the record and emits the events). */
export interface HealthHost {
  find(id: string): ContainerRecord | undefined;
  /** the Runtime's record(): applies the change, saves, emits `action` when given */
  change(rec: ContainerRecord, action: string | undefined, change: () => void): void;
  /** runs argv in the container like `docker exec`; resolves with its exit code (-1 if killed for the timeout) */
  exec(rec: ContainerRecord, argv: string[], io: ProcessIO, timeoutMs: number): Promise<number>;
}

export class HealthMonitors {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly host: HealthHost) {}

  /** At each start: Health is reset to starting and the first probe runs one Interval later. */
  start(rec: ContainerRecord): void {
    const hc = rec.Config.Healthcheck as Healthcheck | undefined;
    const argv = probeArgv(hc);
    this.stop(rec.Id);
    if (!argv) return;
    const startedAt = Date.now();
    const ms = (ns: number | undefined, dflt: number): number => (ns && ns > 0 ? ns / NS_PER_MS : dflt);
    const interval = ms(hc!.Interval, DEFAULT_MS);
    const timeout = ms(hc!.Timeout, DEFAULT_MS);
    const startPeriod = ms(hc!.StartPeriod, 0);
    const retries = hc!.Retries && hc!.Retries > 0 ? hc!.Retries : 3;
    this.host.change(rec, undefined, () => { stateOf(rec).Health = { Status: 'starting', FailingStreak: 0, Log: [] }; });
    const probe = async (): Promise<void> => {
      const current = this.host.find(rec.Id);
      if (!current?.State.Running || !this.timers.has(rec.Id)) return;
      const result = await this.run(current, argv, timeout);
      if (!this.timers.has(rec.Id)) return; // stopped meanwhile
      this.record(current, result, retries, Date.now() - startedAt < startPeriod);
      this.timers.set(rec.Id, setTimeout(() => void probe(), interval).unref());
    };
    this.timers.set(rec.Id, setTimeout(() => void probe(), interval).unref());
  }

  stop(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  private async run(rec: ContainerRecord, argv: string[], timeoutMs: number): Promise<HealthLogEntry> {
    const start = new Date().toISOString();
    const io = new ProcessIO(false);
    let output = '';
    io.on('data', (_stream, chunk) => {
      if (output.length < MAX_OUTPUT) output = (output + chunk.toString()).slice(0, MAX_OUTPUT);
    });
    let exitCode: number;
    try {
      exitCode = await this.host.exec(rec, argv, io, timeoutMs);
      if (exitCode === -1) output = `Health check exceeded timeout (${timeoutMs / 1000}s)`;
    } catch (e) {
      exitCode = -1;
      output = (e as Error).message;
    }
    return { Start: start, End: new Date().toISOString(), ExitCode: exitCode, Output: output };
  }

  private record(rec: ContainerRecord, result: HealthLogEntry, retries: number, inStartPeriod: boolean): void {
    const health = stateOf(rec).Health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
    const before = health.Status;
    let status = before;
    let streak = health.FailingStreak;
    if (result.ExitCode === 0) {
      status = 'healthy';
      streak = 0;
    } else if (!inStartPeriod) {
      streak += 1;
      if (streak >= retries) status = 'unhealthy';
    }
    const action = status !== before ? `health_status: ${status}` : undefined;
    this.host.change(rec, action, () => {
      stateOf(rec).Health = { Status: status, FailingStreak: streak, Log: [...health.Log, result].slice(-KEEP_RESULTS) };
    });
  }
}

function stateOf(rec: ContainerRecord): { Health?: HealthState } {
  return rec.State as { Health?: HealthState };
}
