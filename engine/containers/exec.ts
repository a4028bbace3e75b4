import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, UserError } from '../sys/errors.js';
import { withContainer } from '../sys/trace.js';
import { setWindowSize, openPath } from '../sys/calls.js';
import { joinPlan } from './plan.js';
import { securityPlan, userNamespaceJoin, ensureTraversable } from '../security/index.js';
import { INIT_PATH } from '../namespaces/spawn.js';
import { mergeEnv, processEnv } from './config.js';
import { launch, type Launched } from './launch.js';
import type { Runtime } from './runtime.js';
import { ProcessIO } from './io.js';
import { signalIfAlive } from './exits.js';

/** `POST /containers/{id}/exec` body (the subset boxlab uses). */
export interface ExecConfig {
  Cmd: string[];
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
  ConsoleSize?: [number, number] | null;
}

export interface ExecRecord {
  ID: string;
  ContainerID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  ProcessConfig: { entrypoint: string; arguments: string[]; tty: boolean; user: string; privileged: boolean };
  OpenStdin: boolean;
  OpenStdout: boolean;
  OpenStderr: boolean;
  config: ExecConfig;
  launched?: Launched;
}

/**
 * `exec`: a new process that joins every namespace of a running container — mount and cgroup included —
 * through the same init stage a container starts with (mode "exec": no rootfs work, just user, cwd, exec).
 */
export class ExecManager {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly runtime: Runtime) {}

  create(ref: string, config: ExecConfig): ExecRecord {
    const rec = this.runtime.get(ref);
    if (!rec.State.Running) throw new ConflictError(`container ${rec.Id} is not running`);
    if (rec.State.Paused) throw new ConflictError(`container ${rec.Id} is paused, unpause the container before exec`);
    if (!Array.isArray(config.Cmd) || config.Cmd.length === 0) throw new UserError('no exec command specified');
    const id = randomBytes(32).toString('hex');
    const exec: ExecRecord = {
      ID: id, ContainerID: rec.Id, Running: false, ExitCode: null, Pid: 0,
      ProcessConfig: { entrypoint: config.Cmd[0]!, arguments: config.Cmd.slice(1), tty: config.Tty ?? false, user: config.User ?? '', privileged: config.Privileged ?? false },
      OpenStdin: config.AttachStdin ?? false, OpenStdout: config.AttachStdout ?? true, OpenStderr: config.AttachStderr ?? true,
      config,
    };
    this.execs.set(id, exec);
    return exec;
  }

  get(id: string): ExecRecord {
    const exec = this.execs.get(id);
    if (!exec) throw new NotFoundError(`No such exec instance: ${id}`);
    return exec;
  }

  io(id: string): ProcessIO | undefined {
    return this.execs.get(id)?.launched?.io;
  }

  /**
   * Starts the exec; resolves once the command has been exec'd (or rejects with its start error). `io` carries
   * the caller's listeners already, so no output is lost.
   */
  async start(id: string, io: ProcessIO = new ProcessIO(this.get(id).config.Tty ?? false)): Promise<ExecRecord> {
    const exec = this.get(id);
    if (exec.Running || exec.ExitCode !== null) throw new ConflictError(`exec ${id} has already run`);
    const rec = this.runtime.get(exec.ContainerID);
    if (!rec.State.Running) throw new ConflictError(`container ${rec.Id} is not running`);
    const cgroup = this.runtime.liveCgroup(rec.Id);
    const c = exec.config;
    // The daemon opens the mount namespace and the init inherits it as fd 4: a remapped init could not open
    // /proc/<pid>/ns/mnt of a process owned by another uid.
    const mntFd = openPath(`/proc/${rec.State.Pid}/ns/mnt`);
    // nsenter makes the exec'd node the namespace's root — the range's host uid — before it loads init.js:
    // the checkout's directories must let that uid through (o+x), as the container's own state dirs do.
    if (rec.Boxlab.Userns) ensureTraversable(INIT_PATH);
    const launched = await withContainer(rec.Id, () => launch({
      extraFds: [mntFd],
      io,
      plan: joinPlan(rec.State.Pid),
      // a remapped container's user namespace is joined by nsenter(1): a threaded process cannot setns into one
      ...(rec.Boxlab.Userns && { launcher: userNamespaceJoin(rec.State.Pid) }),
      tty: c.Tty ?? false,
      openStdin: c.AttachStdin ?? false,
      consoleSize: c.ConsoleSize ?? null,
      config: {
        mode: 'exec',
        containerId: rec.Id,
        joinMountNs: 'fd:4',
        args: c.Cmd,
        env: processEnv(mergeEnv(rec.Config.Env, c.Env ?? [])),
        cwd: c.WorkingDir || rec.Config.WorkingDir || '/',
        user: c.User || rec.Config.User || '',
        groupAdd: (rec.HostConfig.GroupAdd ?? []).map(String),
        tty: c.Tty ?? false,
        // an exec'd process is confined like the container's own (docker: same capabilities and profile)
        security: c.Privileged && !rec.HostConfig.Privileged ? securityPlan({ ...rec.HostConfig, Privileged: true }) : this.runtime.securityOf(rec),
      },
      prepare: (pid) => cgroup?.apply(pid),
    })).catch((e: Error) => {
      // dockerd records 126 for every exec that could not be started (a missing binary too: `run` says 127)
      exec.ExitCode = 126;
      throw new UserError(e.message, { exitCode: 126 });
    });
    exec.launched = launched;
    exec.Running = true;
    exec.Pid = launched.pid;
    void launched.exited.then((s) => {
      exec.Running = false;
      exec.ExitCode = s.exitCode;
    });
    return exec;
  }

  /**
   * A healthcheck probe: argv exec'd as the container's user, output into `io`; resolves with its exit code,
   * or -1 when it outlived `timeoutMs` and was killed. The exec is forgotten afterwards.
   */
  async probe(ref: string, argv: string[], io: ProcessIO, timeoutMs: number): Promise<number> {
    const exec = this.create(ref, { Cmd: argv, AttachStdout: true, AttachStderr: true });
    try {
      const { launched } = await this.start(exec.ID, io);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          signalIfAlive(launched!.pid, 'SIGKILL');
          resolve(-1);
        }, timeoutMs);
      });
      const code = await Promise.race([launched!.exited.then((s) => s.exitCode), timedOut]);
      clearTimeout(timer);
      return code;
    } finally {
      this.execs.delete(exec.ID);
    }
  }

  resize(id: string, rows: number, cols: number): void {
    const master = this.get(id).launched?.io.ptyMaster;
    if (master !== undefined) setWindowSize(master, rows, cols);
  }

  inspect(id: string): Omit<ExecRecord, 'launched' | 'config'> {
    const { launched: _l, config: _c, ...rest } = this.get(id);
    return rest;
  }
}
