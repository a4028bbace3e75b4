import type { CgroupManager } from '../cgroups/index.js';
import { processStartTime } from '../namespaces/shim.js';
import { ProcessIO } from './io.js';
import type { ExitStatus } from './launch.js';
import { LogTail, type LogEntry } from './logs.js';
import { namespaceIds } from './plan.js';
import { connectShim, readShimExit } from './shim-client.js';
import { isAlive } from './config.js';
import { watchAdopted } from './exits.js';
import type { Started } from './start.js';
import type { ContainerRecord } from './types.js';

export interface ReattachDeps {
  /** the container's state directory */
  dir: string;
  cgroup: CgroupManager;
  /** log entries the shim writes from now on, as they land in the file */
  onLog: (entry: LogEntry) => void;
  /** the container's live stdio and exit, once connected to its shim again */
  onLive: (live: Started) => void;
}

/** A shim died without recording an exit: its init may still run, orphaned, with no one reading its output. */
function killOrphan(rec: ContainerRecord): void {
  if (!rec.Boxlab.Namespaces.pid || namespaceIds(rec.State.Pid).pid !== rec.Boxlab.Namespaces.pid) return;
  try {
    process.kill(rec.State.Pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * A container under boxlab-shim, found by a restarted daemon (docs/live-restore.md): the shim recorded its
 * exit if it came while nobody watched; if it still runs, the daemon connects to the shim again, follows the
 * log from its end and resolves at the exit. The pid is trusted only with the shim's recorded start time.
 */
export async function reattachShim(rec: ContainerRecord, deps: ReattachDeps): Promise<ExitStatus> {
  const shim = rec.Boxlab.Shim!;
  const recorded = (): ExitStatus | undefined => {
    const s = readShimExit(deps.dir);
    return s && { exitCode: s.ExitCode, signal: null, finishedAt: s.FinishedAt };
  };
  const early = recorded();
  if (early) return early;
  if (processStartTime(shim.Pid) === shim.StartTime) {
    const io = new ProcessIO(false);
    const log = new LogTail(rec.LogPath, true);
    io.on('data', () => {
      for (const entry of log.poll()) deps.onLog(entry);
    });
    try {
      const conn = await connectShim(shim.Pid, deps.dir, io);
      if (rec.Config.OpenStdin) io.stdin = conn.stdin;
      const exited = conn.exited.then((s): ExitStatus => {
        if (s) return { exitCode: s.ExitCode, signal: null, finishedAt: s.FinishedAt };
        killOrphan(rec);
        return { exitCode: 255, signal: null, error: 'boxlab-shim was killed before the container exited; its exit status is unknown' };
      });
      deps.onLive({ launched: { pid: rec.State.Pid, shimPid: shim.Pid, io, exited }, cgroup: deps.cgroup, log });
      return await exited;
    } catch {
      // the shim exited between the check and the connect: its exit file says how
      const late = recorded();
      if (late) return late;
    }
  }
  killOrphan(rec);
  return { exitCode: 255, signal: null, error: 'boxlab-shim was gone before boxlabd restarted and recorded no exit; the exit status is unknown' };
}

export interface RecoveryDeps {
  containerDir(id: string): string;
  cgroupFor(id: string): CgroupManager;
  /** from now on the container's exit is this daemon's to record */
  adopt(id: string): void;
  onExit(id: string, exitCode: number, error: string, finishedAt?: string): Promise<void>;
  onLog(id: string, entry: LogEntry): void;
  onLive(id: string, live: Started): void;
}

/**
 * After a daemon restart: the records that say running. One under boxlab-shim is re-attached (its exit
 * status and log were kept by the shim); one without a shim that is still alive is adopted and watched until
 * it exits, and one that is gone exited while nobody watched — for those two the exit status is lost (it was
 * the old daemon's child), which the record says.
 */
export function recoverContainers(records: ContainerRecord[], deps: RecoveryDeps): void {
  for (const rec of records) {
    if (rec.State.Status !== 'running' && rec.State.Status !== 'paused') continue;
    if (rec.Boxlab.Shim) {
      deps.adopt(rec.Id);
      void reattachShim(rec, {
        dir: deps.containerDir(rec.Id), cgroup: deps.cgroupFor(rec.Id),
        onLog: (entry) => deps.onLog(rec.Id, entry), onLive: (live) => deps.onLive(rec.Id, live),
      }).then((status) => deps.onExit(rec.Id, status.exitCode, status.error ?? '', status.finishedAt));
      continue;
    }
    if (isAlive(rec.State.Pid)) {
      deps.adopt(rec.Id);
      watchAdopted(rec.State.Pid, () => void deps.onExit(rec.Id, 255, 'boxlabd restarted while this container ran; its exit status is unknown'));
      continue;
    }
    void deps.onExit(rec.Id, 255, 'boxlabd was not running when this container exited; its exit status is unknown');
  }
}
