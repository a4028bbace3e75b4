import { join } from 'node:path';
import { resourcesOf, type CgroupManager } from '../cgroups/index.js';
import type { InitPool } from '../namespaces/pool.js';
import type { NetworkManager } from '../network/index.js';
import { ownedPipe, prepareRemappedDirs, startRemapped, userNamespaceSpawnArgs, type RemappedStart } from '../security/index.js';
import type { SecurityPlan } from '../security/plan-types.js';
import { etcPaths } from './files.js';
import { launch, usesShim, type Launched, type LaunchOptions } from './launch.js';
import { LogTail, LogWriter, type LogEntry } from './logs.js';
import { basename } from 'node:path';
import { processEnv } from './config.js';
import { ProcessIO } from './io.js';
import { startNetwork, stopNetwork } from './network.js';
import { namespaceIds, namespacePlan } from './plan.js';
import { processStartTime } from '../namespaces/shim.js';
import type { ContainerRecord } from './types.js';

/**
 * Starting a created container: the parent's half of runc's process_linux.go. In order: the stdio and log
 * plumbing, a (warm or fresh) init blocked on its sync socket, then — while it waits — its user namespace maps
 * (--userns remap), its cgroup with the limits, its network; then the init is released to build the rootfs
 * and exec the command (docs/architecture.md, "Starting a container"). All or nothing: on failure whatever
 * was made is undone and the error propagates. The Runtime records the outcome; this file writes no state.
 */

export interface StartDeps {
  root: string;
  pool: InitPool;
  network: NetworkManager;
  containerDir: string;
  cgroup: CgroupManager;
  /** the security plan decided at create */
  security: SecurityPlan;
  /** other containers, for --pid/--ipc/--network container:<name> */
  find: (ref: string) => ContainerRecord | undefined;
  /** clients that attached before the start: they get the new stdio at once */
  attachers: ((io: ProcessIO) => void)[];
  onLog: (entry: LogEntry) => void;
}

export interface Started {
  launched: Launched;
  cgroup: CgroupManager;
  /** the daemon's own log writer, or (under boxlab-shim, which writes the log) a tail of the shim's log */
  log: LogWriter | LogTail;
}

export async function startContainer(rec: ContainerRecord, deps: StartDeps): Promise<Started> {
  const plan = namespacePlan(rec, deps.find);
  const etc = etcPaths(deps.containerDir);
  const data = rec.GraphDriver.Data;
  const { cgroup } = deps;
  const io = new ProcessIO(rec.Config.Tty);
  const keepLog = rec.HostConfig.LogConfig?.Type !== 'none';
  const alloc = rec.Boxlab.Userns;
  let remapped: RemappedStart | undefined;
  let stdinFd: { read: number; write: number } | undefined;
  if (alloc) {
    prepareRemappedDirs(alloc, [data.UpperDir, data.WorkDir, data.MergedDir, etc.hostname, etc.hosts, etc.resolvConf]);
    if (rec.Config.OpenStdin && !rec.Config.Tty) {
      // The launcher's own stdin pipe dies with it; the init keeps reading from a pipe the daemon owns.
      const [read, write] = ownedPipe();
      stdinFd = { read, write };
    }
  }
  let log: LogWriter | LogTail = new LogWriter(rec.LogPath);
  try {
    const options: LaunchOptions = {
      io,
      // --log-driver none: nothing is kept (and `logs` is refused, as dockerd does)
      shim: { dir: deps.containerDir, ...(keepLog && { logName: basename(rec.LogPath) }), openStdin: rec.Config.OpenStdin },
      plan: alloc ? {} : plan,
      ...(alloc && { launcher: userNamespaceSpawnArgs(['uts', 'ipc', 'net', 'pid']) }),
      ...(stdinFd && { stdinFd }),
      pool: deps.pool,
      tty: rec.Config.Tty,
      openStdin: rec.Config.OpenStdin,
      consoleSize: rec.HostConfig.ConsoleSize ?? null,
      config: {
        mode: 'run',
        containerId: rec.Id,
        rootfs: { lowerdirs: data.LowerDir.split(':'), upper: data.UpperDir, work: data.WorkDir, merged: data.MergedDir },
        binds: [
          { source: etc.hostname, target: '/etc/hostname' },
          { source: etc.hosts, target: '/etc/hosts' },
          { source: etc.resolvConf, target: '/etc/resolv.conf' },
          ...(rec.Boxlab.Mounts ?? []).map((m) => ({ source: m.source, target: m.target, readonly: m.readonly,
            ...(m.kind === 'tmpfs' && { tmpfs: m.options ?? '' }) })),
        ],
        readonlyRoot: rec.HostConfig.ReadonlyRootfs ?? false,
        mountProc: true,
        newNetNs: plan.net === 'new',
        ...(plan.uts === 'new' && { hostname: rec.Config.Hostname }),
        newCgroupNs: plan.cgroup === 'new',
        args: [rec.Path, ...rec.Args],
        env: processEnv(rec.Config.Env),
        cwd: rec.Config.WorkingDir,
        user: rec.Config.User,
        groupAdd: (rec.HostConfig.GroupAdd ?? []).map(String),
        tty: rec.Config.Tty,
        security: deps.security,
      },
      prepare: async (launcherPid) => {
        let pid = launcherPid;
        let lowerdirs: string[] | undefined;
        if (alloc) {
          // uid_map/gid_map written while the init waits; layers idmapped to the range (or chowned copies).
          remapped = await startRemapped({ launcherPid, forked: true, allocation: alloc, lowerdirs: data.LowerDir.split(':'),
            mountDir: join(deps.containerDir, 'idmap'), stateRoot: deps.root });
          pid = remapped.initPid;
          lowerdirs = remapped.lowerdirs;
        }
        cgroup.create();
        cgroup.set(resourcesOf(rec.HostConfig));
        cgroup.apply(pid);
        // The init is blocked on its sync socket: the veth and /etc/hosts are in place before the command
        // runs; the init sets eth0's address and default route itself (`interfaces` in its config).
        const net = await startNetwork(deps.network, rec, pid, deps.containerDir);
        return { pid, config: { ...net, ...(lowerdirs && { userns: true, newCgroupNs: plan.cgroup === 'new',
          rootfs: { lowerdirs, upper: data.UpperDir, work: data.WorkDir, merged: data.MergedDir } }) } };
      },
    };
    if (usesShim(options)) log = new LogTail(rec.LogPath, true);
    if (keepLog) {
      // Under the shim the log is written already when the output arrives here: follow the file instead.
      const writer = log;
      io.on('data', (stream, chunk) => {
        for (const entry of writer instanceof LogWriter ? writer.write(stream, chunk) : writer.poll()) deps.onLog(entry);
      });
    }
    for (const attach of deps.attachers) attach(io);
    const launched = await launch(options);
    // The init's mount namespace holds its own copies of the idmapped layers: the daemon's can go.
    remapped?.release();
    return { launched, cgroup, log };
  } catch (e) {
    remapped?.release();
    await stopNetwork(deps.network, rec).catch(() => undefined);
    cgroup.destroy();
    throw e;
  }
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The record of a container that just started: running, its namespaces and cgroup dirs, its shim if any. */
export function markStarted(rec: ContainerRecord, { launched, cgroup }: Started): void {
  Object.assign(rec.State, { Status: 'running', Running: true, Restarting: false, Paused: false, OOMKilled: false, Pid: launched.pid, ExitCode: 0, Error: '',
    StartedAt: new Date().toISOString(), FinishedAt: ZERO_TIME });
  rec.Boxlab.Namespaces = namespaceIds(launched.pid);
  rec.Boxlab.CgroupPaths = cgroup.dirs();
  const shimStart = launched.shimPid && processStartTime(launched.shimPid);
  if (shimStart) rec.Boxlab.Shim = { Pid: launched.shimPid!, StartTime: shimStart };
  else delete rec.Boxlab.Shim;
}
