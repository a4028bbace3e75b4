import { isAlive } from './config.js';
import type { CgroupManager } from '../cgroups/index.js';

/** docker's `GET /events` message shape. */
export interface DockerEvent {
  Type: 'container';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

interface EventSource {
  on(name: 'event', listener: (e: DockerEvent) => void): unknown;
  off(name: 'event', listener: (e: DockerEvent) => void): unknown;
}

/**
 * Who is waiting for which container to exit. `onExit` settles a container's waiters once its record says
 * exited, so a `wait`, `stop` or `kill` that returns has a record that no longer says running.
 */
export class ExitWaiters {
  private readonly waiting = new Map<string, (() => void)[]>();

  /** Resolves at the container's next exit (its waiters are settled after the record is saved). */
  next(id: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiting.get(id) ?? [];
      list.push(resolve);
      this.waiting.set(id, list);
    });
  }

  settle(id: string): void {
    const list = this.waiting.get(id) ?? [];
    this.waiting.delete(id);
    for (const resolve of list) resolve();
  }
}

/** Resolves when the container's `destroy` event is emitted (docker wait's `removed` condition). */
export function destroyed(events: EventSource, id: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (e: DockerEvent): void => {
      if (e.Actor.ID !== id || e.Action !== 'destroy') return;
      events.off('event', check);
      resolve();
    };
    events.on('event', check);
  });
}

/**
 * A container found running after a daemon restart is not our child: no SIGCHLD, no waitpid. Polling its
 * pid is the only way to learn it exited (a pidfd would do, but the pid may already be reused by then).
 */
export function watchAdopted(pid: number, gone: () => void): void {
  const timer = setInterval(() => {
    if (isAlive(pid)) return;
    clearInterval(timer);
    gone();
  }, 200);
  timer.unref();
}

/** After an exit: whether the kernel OOM-killed in the cgroup, then the cgroup is removed (reset sweeps a leftover). */
export function releaseCgroup(cgroup: CgroupManager): boolean {
  let oomKilled = false;
  try {
    oomKilled = cgroup.oomKilled();
  } catch {
    // cgroup already gone
  }
  try {
    cgroup.destroy();
  } catch {
    // reset will find it
  }
  return oomKilled;
}

/** A signal to a container's pid that may have exited meanwhile (never to pid 0: that is our own group). */
export function signalIfAlive(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

/** docker stop's escalation: `signal`, then SIGKILL after `timeoutSec` if the container has not exited. */
export async function signalThenKill(pid: number, signal: NodeJS.Signals, exited: Promise<void>, timeoutSec: number): Promise<void> {
  signalIfAlive(pid, signal);
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), Math.max(0, timeoutSec) * 1000))]);
  if (!timedOut) return;
  signalIfAlive(pid, 'SIGKILL');
  await exited;
}
