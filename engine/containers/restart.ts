import { UserError } from '../sys/errors.js';
import type { ContainerRecord, HostConfig } from './types.js';

/**
 * docker's restart policies (moby's restartmanager): which exits are followed by a new start, and after how
 * long. The decision is pure; the Runtime owns the record and does the restarting, this only keeps the timers
 * and the back-off of each container.
 *
 *   no              never
 *   always          every exit, unless the container was stopped (or killed) by a client
 *   unless-stopped  the same; and after a daemon restart only if it had not been stopped by a client
 *   on-failure[:N]  a non-zero exit, at most N times in a row (N = 0: no limit)
 *
 * The delay starts at 100 ms and doubles at each restart up to a minute; a run of 10 s or more resets it.
 */

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
const RESET_AFTER_MS = 10_000;

const NAMES = ['', 'no', 'always', 'unless-stopped', 'on-failure'];

/** Refused at create and update, with dockerd's words where clients match on them. */
export function validateRestartPolicy(hc: HostConfig): void {
  const p = hc.RestartPolicy;
  if (!p) return;
  const name = p.Name ?? '';
  if (!NAMES.includes(name)) throw new UserError(`invalid restart policy '${name}': use no, always, unless-stopped or on-failure[:max-retries]`);
  const max = p.MaximumRetryCount ?? 0;
  if (max < 0) throw new UserError('invalid value for restart policy: maximum retry count cannot be negative');
  if (max > 0 && name !== 'on-failure') throw new UserError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (hc.AutoRemove && name !== '' && name !== 'no') throw new UserError(`conflicting options: cannot specify both --restart and --rm`);
}

/** Whether an exit with `exitCode` is followed by a restart (the count is the container's RestartCount). */
export function shouldRestart(rec: ContainerRecord, exitCode: number, manuallyStopped: boolean): boolean {
  const { Name = 'no', MaximumRetryCount = 0 } = rec.HostConfig.RestartPolicy ?? {};
  if (manuallyStopped) return false;
  switch (Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (MaximumRetryCount === 0 || rec.RestartCount < MaximumRetryCount);
    default:
      return false;
  }
}

/** At daemon start: a stopped container its policy brings back (it was not stopped by a client). */
export function restartsAtBoot(rec: ContainerRecord, manuallyStopped: boolean): boolean {
  const name = rec.HostConfig.RestartPolicy?.Name;
  if (rec.State.Status !== 'exited' || manuallyStopped || rec.State.StartedAt.startsWith('0001')) return false;
  return name === 'always' || name === 'unless-stopped' || (name === 'on-failure' && shouldRestart(rec, rec.State.ExitCode, false));
}

/** What the policies need from the Runtime, which stays the one writer of records. */
export interface RestartHost {
  find(id: string): ContainerRecord | undefined;
  /** the Runtime's record(): applies `change` to the record and saves it */
  change(rec: ContainerRecord, change: () => void): void;
  /** starts a stopped container again (the Runtime's start, without a client's reset) */
  start(rec: ContainerRecord): Promise<unknown>;
}

/** The pending restarts of a Runtime: one timer per container, its back-off, and the client's stops. */
export class RestartPolicies {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();
  /** set by the daemon's own shutdown: its stops are not a client's (the policies bring them back at boot) */
  private shuttingDown = false;

  constructor(private readonly host: RestartHost) {}

  /** At daemon start: stopped containers whose policy brings them back. */
  boot(records: ContainerRecord[]): void {
    for (const rec of records) if (restartsAtBoot(rec, rec.Boxlab.ManuallyStopped ?? false)) this.schedule(rec.Id, 0, false);
  }

  /** Whether this exit is followed by a restart (the Runtime records "restarting", then calls `schedule`). */
  decide(rec: ContainerRecord, exitCode: number): boolean {
    return !this.shuttingDown && shouldRestart(rec, exitCode, rec.Boxlab.ManuallyStopped ?? false);
  }

  /** Starts the container again after its back-off; `ranMs`: how long its last run lasted. */
  schedule(id: string, ranMs: number, counts = true): void {
    const last = ranMs >= RESET_AFTER_MS ? 0 : (this.delays.get(id) ?? 0);
    const delay = last === 0 ? FIRST_DELAY_MS : Math.min(last * 2, MAX_DELAY_MS);
    this.delays.set(id, delay);
    this.drop(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.restart(id, counts);
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }

  private async restart(id: string, counts: boolean): Promise<void> {
    const rec = this.host.find(id);
    if (!rec || rec.State.Running || this.shuttingDown || (counts && !rec.State.Restarting)) return;
    if (counts) this.host.change(rec, () => { rec.RestartCount += 1; });
    try {
      await this.host.start(rec);
    } catch {
      // the start recorded its error; the container stays stopped, as dockerd leaves one it cannot start
      this.host.change(rec, () => Object.assign(rec.State, { Status: 'exited', Restarting: false }));
    }
  }

  /** A client's start: the count and the back-off begin again (docker's ResetRestartManager). */
  clientStart(rec: ContainerRecord): void {
    this.drop(rec.Id);
    this.delays.delete(rec.Id);
    this.host.change(rec, () => {
      rec.RestartCount = 0;
      delete rec.Boxlab.ManuallyStopped;
    });
  }

  /** A client's stop, kill or forced remove (docker's HasBeenManuallyStopped): no restart after this exit. */
  clientStop(rec: ContainerRecord): void {
    if (this.shuttingDown || rec.Boxlab.ManuallyStopped) return;
    this.host.change(rec, () => { rec.Boxlab.ManuallyStopped = true; });
  }

  /** A container waiting for its restart stays stopped instead; returns whether it was waiting. */
  cancel(rec: ContainerRecord): boolean {
    const pending = this.drop(rec.Id);
    if (!pending && !rec.State.Restarting) return false;
    this.host.change(rec, () => Object.assign(rec.State, { Status: 'exited', Restarting: false }));
    return true;
  }

  /** The daemon stops: no restart from now on. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const id of [...this.timers.keys()]) this.drop(id);
  }

  private drop(id: string): boolean {
    const timer = this.timers.get(id);
    if (!timer) return false;
    clearTimeout(timer);
    this.timers.delete(id);
    return true;
  }
}
