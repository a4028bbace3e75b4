import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, UserError } from '../sys/errors.js';
import { withContainer } from '../sys/trace.js';
import { setWindowSize, openPath } from '../sys/calls.js';
import { joinPlan } from './plan.js';
import { securityPlan, userNamespaceJoin, ensureTraversable } from '../security/index.js';
import { INIT_PATH } from '../namespaces/spawn.js';
import { mergeEnv } from './config.js';
import { launch } from './launch.js';
import { ProcessIO } from './io.js';
/**
 * `exec`: a new process that joins every namespace of a running container — mount and cgroup included —
 * through the same init stage a container starts with (mode "exec": no rootfs work, just user, cwd, exec).
 */
export class ExecManager {
    runtime;
    execs = new Map();
    constructor(runtime) {
        this.runtime = runtime;
    }
    create(ref, config) {
        const rec = this.runtime.get(ref);
        if (!rec.State.Running)
            throw new ConflictError(`container ${rec.Id} is not running`);
        if (rec.State.Paused)
            throw new ConflictError(`container ${rec.Id} is paused, unpause the container before exec`);
        if (!Array.isArray(config.Cmd) || config.Cmd.length === 0)
            throw new UserError('no exec command specified');
        const id = randomBytes(32).toString('hex');
        const exec = {
            ID: id, ContainerID: rec.Id, Running: false, ExitCode: null, Pid: 0,
            ProcessConfig: { entrypoint: config.Cmd[0], arguments: config.Cmd.slice(1), tty: config.Tty ?? false, user: config.User ?? '', privileged: config.Privileged ?? false },
            OpenStdin: config.AttachStdin ?? false, OpenStdout: config.AttachStdout ?? true, OpenStderr: config.AttachStderr ?? true,
            config,
        };
        this.execs.set(id, exec);
        return exec;
    }
    get(id) {
        const exec = this.execs.get(id);
        if (!exec)
            throw new NotFoundError(`No such exec instance: ${id}`);
        return exec;
    }
    io(id) {
        return this.execs.get(id)?.launched?.io;
    }
    /**
     * Starts the exec; resolves once the command has been exec'd (or rejects with its start error). `io` carries
     * the caller's listeners already, so no output is lost.
     */
    async start(id, io = new ProcessIO(this.get(id).config.Tty ?? false)) {
        const exec = this.get(id);
        if (exec.Running || exec.ExitCode !== null)
            throw new ConflictError(`exec ${id} has already run`);
        const rec = this.runtime.get(exec.ContainerID);
        if (!rec.State.Running)
            throw new ConflictError(`container ${rec.Id} is not running`);
        const cgroup = this.runtime.cgroupOf(rec.Id);
        const c = exec.config;
        // The daemon opens the mount namespace and the init inherits it as fd 4: a remapped init could not open
        // /proc/<pid>/ns/mnt of a process owned by another uid.
        const mntFd = openPath(`/proc/${rec.State.Pid}/ns/mnt`);
        // nsenter makes the exec'd node the namespace's root — the range's host uid — before it loads init.js:
        // the checkout's directories must let that uid through (o+x), as the container's own state dirs do.
        if (rec.Boxlab.Userns)
            ensureTraversable(INIT_PATH);
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
                env: mergeEnv(rec.Config.Env, c.Env ?? []),
                cwd: c.WorkingDir || rec.Config.WorkingDir || '/',
                user: c.User || rec.Config.User || '',
                tty: c.Tty ?? false,
                // an exec'd process is confined like the container's own (docker: same capabilities and profile)
                security: securityPlan({ ...rec.HostConfig, Privileged: rec.HostConfig.Privileged || c.Privileged }),
            },
            prepare: (pid) => cgroup?.apply(pid),
        })).catch((e) => {
            exec.ExitCode = e.exitCode ?? 126;
            throw new UserError(e.message, { exitCode: e.exitCode ?? 126 });
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
    resize(id, rows, cols) {
        const master = this.get(id).launched?.io.ptyMaster;
        if (master !== undefined)
            setWindowSize(master, rows, cols);
    }
    inspect(id) {
        const { launched: _l, config: _c, ...rest } = this.get(id);
        return rest;
    }
}
//# sourceMappingURL=exec.js.map