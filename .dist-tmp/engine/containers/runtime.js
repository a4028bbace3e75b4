import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { join } from 'node:path';
import { ConflictError, UserError } from '../sys/errors.js';
import { withContainer } from '../sys/trace.js';
import { setWindowSize } from '../sys/calls.js';
import { ImageStore, VolumeStore, prepareRootfs, removeRootfs, parseMounts, prepareMounts } from '../images/index.js';
import { cgroupManager, validateResources, hostCpus } from '../cgroups/index.js';
import { resolveUser } from '../namespaces/user.js';
import { ContainerStore } from './store.js';
import { LogWriter } from './logs.js';
import { writeEtcFiles, etcPaths } from './files.js';
import { mergeEnv, resolveCommand, validateModes, containerHostname } from './config.js';
import { namespacePlan, namespaceIds } from './plan.js';
import { launch } from './launch.js';
import { InitPool } from '../namespaces/pool.js';
import { ExecManager } from './exec.js';
import { emptyState } from './types.js';
import { ProcessIO } from './io.js';
import { securityPlan, resolveUsernsMode, assertUserNamespacesAvailable, allocateRange, releaseRange, reconcileRanges, prepareRemappedDirs, ownedPipe, userNamespaceSpawnArgs, startRemapped } from '../security/index.js';
import { networkManagerFor, precheckNetwork, startNetwork, stopNetwork, watchPeers } from '../network/index.js';
const signals = constants.signals;
function isAlive(pid) {
    if (pid <= 0)
        return false;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch {
        return false;
    }
}
export function parseSignal(s, fallback) {
    if (s === undefined || s === '')
        return fallback;
    if (/^\d+$/.test(s)) {
        const name = Object.entries(signals).find(([, n]) => n === Number(s))?.[0];
        if (name)
            return name;
    }
    else {
        const name = (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`);
        if (name in signals)
            return name;
    }
    throw new UserError(`invalid signal: ${s} (use a name like TERM or KILL, or a number)`);
}
const ZERO_TIME = '0001-01-01T00:00:00Z';
/** A remapped container owns all its namespaces: they must belong to its user namespace. */
function checkRemapModes(hc) {
    const shared = [['--pid', hc.PidMode], ['--ipc', hc.IpcMode], ['--uts', hc.UTSMode], ['--network', hc.NetworkMode], ['--cgroupns', hc.CgroupnsMode]]
        .filter(([, v]) => v === 'host' || v?.startsWith('container:'));
    if (shared.length)
        throw new UserError(`--userns remap needs the container's own namespaces: drop ${shared.map(([f, v]) => `${f} ${v}`).join(', ')} or add --userns host`);
}
/** A mount as `docker inspect` shows it under .Mounts. */
function dockerMount(m) {
    return {
        Type: m.kind, ...(m.volumeName !== undefined && { Name: m.volumeName }), Source: m.kind === 'tmpfs' ? '' : m.source,
        Destination: m.target, Driver: m.kind === 'volume' ? 'local' : '', Mode: m.readonly ? 'ro' : '', RW: !m.readonly, Propagation: m.kind === 'bind' ? 'rprivate' : '',
    };
}
/** The cgroup limits inside a HostConfig. */
export function resourcesOf(hc) {
    const r = {};
    if (hc.Memory)
        r.Memory = hc.Memory;
    if (hc.MemorySwap)
        r.MemorySwap = hc.MemorySwap;
    if (hc.NanoCpus)
        r.NanoCpus = hc.NanoCpus;
    if (hc.CpuShares)
        r.CpuShares = hc.CpuShares;
    if (hc.CpusetCpus)
        r.CpusetCpus = hc.CpusetCpus;
    if (hc.CpusetMems)
        r.CpusetMems = hc.CpusetMems;
    if (hc.PidsLimit)
        r.PidsLimit = hc.PidsLimit;
    return r;
}
/** The container lifecycle: create, start, stop, kill, wait, remove — the state machine behind the API. */
export class Runtime extends EventEmitter {
    opts;
    store;
    images;
    volumes;
    execs;
    /** a warm init for the next plain `run` */
    pool = new InitPool();
    live = new Map();
    /** running containers found after a restart: not our children, watched by polling */
    adopted = new Set();
    exitWaiters = new Map();
    /** clients that attached to a created container before it started (docker run attaches, then starts) */
    pendingAttach = new Map();
    constructor(opts) {
        super();
        this.opts = opts;
        this.setMaxListeners(0);
        this.store = new ContainerStore(opts.root);
        this.images = new ImageStore(opts.root);
        this.volumes = new VolumeStore(opts.root);
        this.execs = new ExecManager(this);
        this.recover();
        reconcileRanges(opts.root, new Set(this.store.all().filter((c) => c.Boxlab.Userns).map((c) => c.Id)));
        watchPeers(this.network(), (id) => this.store.find(id), (id) => this.store.containerDir(id));
    }
    /** One network manager per state root, shared with the /networks routes. */
    network() {
        return networkManagerFor(this.opts.root);
    }
    /**
     * After a daemon restart: records that say running. A process that is gone exited while nobody watched;
     * one still alive is adopted and watched until it exits. Either way its exit status is lost (it was the
     * old daemon's child), which the record says.
     */
    recover() {
        for (const rec of this.store.all()) {
            if (rec.State.Status !== 'running' && rec.State.Status !== 'paused')
                continue;
            if (isAlive(rec.State.Pid)) {
                this.adopted.add(rec.Id);
                const timer = setInterval(() => {
                    if (isAlive(rec.State.Pid))
                        return;
                    clearInterval(timer);
                    void this.onExit(rec.Id, 255, 'boxlabd restarted while this container ran; its exit status is unknown');
                }, 200);
                timer.unref();
                continue;
            }
            void this.onExit(rec.Id, 255, 'boxlabd was not running when this container exited; its exit status is unknown');
        }
    }
    emitEvent(rec, action, extra = {}) {
        const now = Date.now();
        this.emit('event', { Type: 'container', Action: action, Actor: { ID: rec.Id, Attributes: { name: rec.Name.slice(1), image: rec.Config.Image, ...extra } }, time: Math.floor(now / 1000), timeNano: now * 1e6 });
    }
    cgroupFor(id) {
        return cgroupManager({ parent: this.opts.cgroupParent, name: id });
    }
    async create(body, requestedName) {
        if (!body.Image)
            throw new UserError('no image given: name one, e.g. boxlab run busybox sh');
        const hc = body.HostConfig ?? {};
        validateModes(hc);
        await precheckNetwork(this.network(), body);
        validateResources(resourcesOf(hc), hostCpus());
        securityPlan(hc);
        const userns = resolveUsernsMode(hc.UsernsMode, this.opts.usernsDefault ?? 'host', { privileged: hc.Privileged ?? false });
        if (userns === 'remap')
            checkRemapModes(hc);
        if (body.Image === 'busybox' || body.Image === 'busybox:latest')
            await this.images.ensureBusybox();
        const image = this.images.resolve(body.Image);
        const img = image.Config;
        const { entrypoint, cmd, argv } = resolveCommand({ Entrypoint: img.Entrypoint ?? null, Cmd: img.Cmd ?? null }, body);
        if (argv.length === 0)
            throw new UserError('no command specified: the image has no CMD, so give one after the image name');
        const user = body.User || img.User || '';
        this.checkUser(user, image);
        // -v, --tmpfs and the image's VOLUMEs, validated before anything exists
        const mountSpecs = parseMounts(hc.Binds ?? [], hc.Tmpfs ?? {}, img.Volumes ?? {});
        const name = this.store.claimName(requestedName);
        const id = this.store.newId();
        const hostname = containerHostname(id, body);
        const dir = this.store.containerDir(id);
        const record = {
            Id: id,
            Created: new Date().toISOString(),
            Path: argv[0],
            Args: argv.slice(1),
            State: emptyState(),
            Image: image.Id,
            Name: name,
            RestartCount: 0,
            Driver: 'overlay2',
            Platform: 'linux',
            HostnamePath: '',
            HostsPath: '',
            ResolvConfPath: '',
            LogPath: join(dir, `${id}-json.log`),
            Config: {
                ...body,
                Image: body.Image,
                Hostname: hostname,
                Env: mergeEnv(img.Env ?? [], body.Env ?? []),
                Cmd: cmd,
                Entrypoint: entrypoint,
                WorkingDir: body.WorkingDir || img.WorkingDir || '/',
                User: user,
                Tty: body.Tty ?? false,
                OpenStdin: body.OpenStdin ?? false,
            },
            HostConfig: { NetworkMode: 'bridge', IpcMode: 'private', CgroupnsMode: 'private', ...hc },
            GraphDriver: { Name: 'overlay2', Data: { LowerDir: '', UpperDir: '', WorkDir: '', MergedDir: '' } },
            Mounts: [],
            NetworkSettings: { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: '' },
            Boxlab: { Namespaces: {}, CgroupPaths: {}, CgroupParent: this.opts.cgroupParent, InitLayer: '' },
        };
        delete record.Config.HostConfig;
        try {
            this.store.save(record);
            const etc = writeEtcFiles(dir, hostname);
            Object.assign(record, { HostnamePath: etc.hostname, HostsPath: etc.hosts, ResolvConfPath: etc.resolvConf });
            const rootfs = prepareRootfs(this.opts.root, id, this.images, image);
            record.GraphDriver.Data = { LowerDir: rootfs.lowerdirs.join(':'), UpperDir: rootfs.upper, WorkDir: rootfs.work, MergedDir: rootfs.merged };
            record.Boxlab.InitLayer = rootfs.initDir;
            // Volumes are created (and an empty one filled from the image: docker's copyData) now, on the host.
            const mounts = prepareMounts(mountSpecs, this.volumes, rootfs.lowerdirs.slice(1));
            record.Boxlab.Mounts = mounts;
            record.Mounts = mounts.map(dockerMount);
            if (userns === 'remap') {
                assertUserNamespacesAvailable();
                record.Boxlab.Userns = allocateRange(id, { stateRoot: this.opts.root });
            }
            this.store.save(record);
        }
        catch (e) {
            releaseRange(id, this.opts.root);
            removeRootfs(this.opts.root, id);
            this.store.delete(id);
            throw e;
        }
        this.emitEvent(record, 'create');
        return record;
    }
    /** `-u name` must exist in the image's own /etc/passwd; checked at create so nothing is left half-made. */
    checkUser(user, image) {
        if (user === '' || /^\d+(:\d+)?$/.test(user))
            return;
        const layers = this.images.layerDirs(image);
        // The topmost layer that has /etc/passwd is the one the container will see.
        for (const dir of [...layers].reverse()) {
            try {
                resolveUser(user, dir);
                return;
            }
            catch (e) {
                if (e instanceof UserError)
                    throw e;
            }
        }
    }
    get(ref) {
        return this.store.get(ref);
    }
    io(id) {
        return this.live.get(id)?.launched.io;
    }
    /**
     * Connects a client to a container's stdio: now if it runs, at start if it was only created (that is how
     * `run` sees the first byte of output). A stopped container cannot be attached to.
     */
    attach(ref, connect) {
        const rec = this.store.get(ref);
        const io = this.io(rec.Id);
        if (io)
            return connect(io);
        if (rec.State.Status !== 'created')
            throw new ConflictError('You cannot attach to a stopped container, start it first');
        const list = this.pendingAttach.get(rec.Id) ?? [];
        list.push(connect);
        this.pendingAttach.set(rec.Id, list);
    }
    async start(ref) {
        const rec = this.store.get(ref);
        if (rec.State.Running)
            return rec;
        return withContainer(rec.Id, () => this.startRecord(rec));
    }
    async startRecord(rec) {
        const plan = namespacePlan(rec, (r) => this.store.find(r));
        const etc = etcPaths(this.store.containerDir(rec.Id));
        const data = rec.GraphDriver.Data;
        const cgroup = this.cgroupFor(rec.Id);
        const log = new LogWriter(rec.LogPath);
        const io = new ProcessIO(rec.Config.Tty);
        io.on('data', (stream, chunk) => {
            for (const entry of log.write(stream, chunk))
                this.emit('log', rec.Id, entry);
        });
        for (const attach of this.pendingAttach.get(rec.Id) ?? [])
            attach(io);
        this.pendingAttach.delete(rec.Id);
        const alloc = rec.Boxlab.Userns;
        let remapped;
        let stdinFd;
        if (alloc) {
            prepareRemappedDirs(alloc, [data.UpperDir, data.WorkDir, data.MergedDir, etc.hostname, etc.hosts, etc.resolvConf]);
            if (rec.Config.OpenStdin && !rec.Config.Tty) {
                // The launcher's own stdin pipe dies with it; the init keeps reading from a pipe the daemon owns.
                const [read, write] = ownedPipe();
                stdinFd = { read, write };
            }
        }
        let launched;
        try {
            launched = await launch({
                io,
                plan: alloc ? {} : plan,
                ...(alloc && { launcher: userNamespaceSpawnArgs(['uts', 'ipc', 'net', 'pid']) }),
                ...(stdinFd && { stdinFd }),
                pool: this.pool,
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
                    env: rec.Config.Env,
                    cwd: rec.Config.WorkingDir,
                    user: rec.Config.User,
                    tty: rec.Config.Tty,
                    security: securityPlan(rec.HostConfig),
                },
                prepare: async (launcherPid) => {
                    let pid = launcherPid;
                    let lowerdirs;
                    if (alloc) {
                        // uid_map/gid_map written while the init waits; layers idmapped to the range (or chowned copies).
                        remapped = await startRemapped({ launcherPid, forked: true, allocation: alloc, lowerdirs: data.LowerDir.split(':'),
                            mountDir: join(this.store.containerDir(rec.Id), 'idmap'), stateRoot: this.opts.root });
                        pid = remapped.initPid;
                        lowerdirs = remapped.lowerdirs;
                    }
                    cgroup.create();
                    cgroup.set(resourcesOf(rec.HostConfig));
                    cgroup.apply(pid);
                    // The init is blocked on its sync socket: eth0, the default route and /etc/hosts are in place
                    // before the command runs.
                    await startNetwork(this.network(), rec, pid, this.store.containerDir(rec.Id));
                    return { pid, ...(lowerdirs && { config: { userns: true, newCgroupNs: plan.cgroup === 'new',
                                rootfs: { lowerdirs, upper: data.UpperDir, work: data.WorkDir, merged: data.MergedDir } } }) };
                },
            });
            // The init's mount namespace holds its own copies of the idmapped layers: the daemon's can go.
            remapped?.release();
        }
        catch (e) {
            remapped?.release();
            await stopNetwork(this.network(), rec).catch(() => undefined);
            cgroup.destroy();
            const exitCode = e.exitCode ?? 125;
            Object.assign(rec.State, { Status: 'created', ExitCode: exitCode, Error: e.message });
            this.store.save(rec);
            throw new UserError(e.message, { status: 400, exitCode });
        }
        const live = { launched, cgroup, log };
        this.live.set(rec.Id, live);
        Object.assign(rec.State, { Status: 'running', Running: true, Paused: false, OOMKilled: false, Pid: launched.pid, ExitCode: 0, Error: '',
            StartedAt: new Date().toISOString(), FinishedAt: ZERO_TIME });
        rec.Boxlab.Namespaces = namespaceIds(launched.pid);
        rec.Boxlab.CgroupPaths = cgroup.dirs();
        this.store.save(rec);
        this.emitEvent(rec, 'start');
        void launched.exited.then((status) => this.onExit(rec.Id, status.exitCode));
        return rec;
    }
    async onExit(id, exitCode, error = '') {
        const live = this.live.get(id);
        const rec = this.store.find(id);
        if (!rec)
            return;
        for (const entry of live?.log.flush() ?? [])
            this.emit('log', id, entry);
        const cgroup = live?.cgroup ?? this.cgroupFor(id);
        let oomKilled = false;
        try {
            oomKilled = cgroup.oomKilled();
        }
        catch {
            // cgroup already gone
        }
        try {
            cgroup.destroy();
        }
        catch {
            // reset will find it
        }
        // The veth died with the network namespace; the IP, port rules and the endpoint record are freed here.
        await stopNetwork(this.network(), rec).catch(() => undefined);
        this.live.delete(id);
        this.adopted.delete(id);
        Object.assign(rec.State, { Status: 'exited', Running: false, Paused: false, Pid: 0, ExitCode: exitCode, OOMKilled: oomKilled,
            Error: error, FinishedAt: new Date().toISOString() });
        this.store.save(rec);
        this.emitEvent(rec, 'die', { exitCode: String(exitCode) });
        const waiters = this.exitWaiters.get(id) ?? [];
        this.exitWaiters.delete(id);
        for (const w of waiters)
            w();
        if (rec.HostConfig.AutoRemove)
            await this.remove(id, { force: true });
    }
    /** docker's wait conditions: not-running (default), next-exit, removed. */
    async wait(ref, condition = 'not-running') {
        const rec = this.store.get(ref);
        const result = () => ({ StatusCode: rec.State.ExitCode, Error: rec.State.Error ? { Message: rec.State.Error } : null });
        if (condition === 'not-running' && !rec.State.Running)
            return result();
        await new Promise((resolve) => {
            const list = this.exitWaiters.get(rec.Id) ?? [];
            list.push(resolve);
            this.exitWaiters.set(rec.Id, list);
        });
        if (condition === 'removed' && this.store.find(rec.Id)) {
            await new Promise((resolve) => {
                const check = (e) => {
                    if (e.Actor.ID === rec.Id && e.Action === 'destroy') {
                        this.off('event', check);
                        resolve();
                    }
                };
                this.on('event', check);
            });
        }
        return result();
    }
    exitedPromise(id) {
        if (!this.live.has(id) && !this.adopted.has(id))
            return Promise.resolve();
        return new Promise((resolve) => {
            const list = this.exitWaiters.get(id) ?? [];
            list.push(resolve);
            this.exitWaiters.set(id, list);
        });
    }
    kill(ref, signal) {
        const rec = this.store.get(ref);
        if (!rec.State.Running)
            throw new ConflictError(`Cannot kill container: ${ref}: Container ${rec.Id} is not running`);
        const sig = parseSignal(signal, 'SIGKILL');
        process.kill(rec.State.Pid, sig);
        this.emitEvent(rec, 'kill', { signal: String(signals[sig]) });
    }
    /** SIGTERM (or the image's stop signal), then SIGKILL after `timeout` seconds — never the other way round. */
    async stop(ref, timeoutSec = 10, signal) {
        const rec = this.store.get(ref);
        if (!rec.State.Running)
            return;
        const exited = this.exitedPromise(rec.Id);
        const sig = parseSignal(signal, 'SIGTERM');
        if (rec.State.Paused)
            this.live.get(rec.Id)?.cgroup.thaw();
        try {
            process.kill(rec.State.Pid, sig);
        }
        catch {
            // exited meanwhile
        }
        const timedOut = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), Math.max(0, timeoutSec) * 1000))]);
        if (timedOut) {
            try {
                process.kill(rec.State.Pid, 'SIGKILL');
            }
            catch {
                // exited meanwhile
            }
            await exited;
        }
        this.emitEvent(rec, 'stop');
    }
    async remove(ref, opts = {}) {
        const rec = this.store.get(ref);
        if (rec.State.Running) {
            if (!opts.force) {
                throw new ConflictError(`cannot remove container "${rec.Name.slice(1)}": container is running: stop the container before removing or force remove (rm -f)`);
            }
            const exited = this.exitedPromise(rec.Id);
            if (rec.State.Paused)
                this.live.get(rec.Id)?.cgroup.thaw();
            try {
                process.kill(rec.State.Pid, 'SIGKILL');
            }
            catch {
                // gone already
            }
            await exited;
            if (!this.store.find(rec.Id))
                return; // AutoRemove got there first
        }
        removeRootfs(this.opts.root, rec.Id);
        if (rec.Boxlab.Userns)
            releaseRange(rec.Id, this.opts.root);
        this.store.delete(rec.Id);
        this.emitEvent(rec, 'destroy');
    }
    resize(ref, rows, cols) {
        const live = this.live.get(this.store.get(ref).Id);
        if (live?.launched.io.ptyMaster !== undefined)
            setWindowSize(live.launched.io.ptyMaster, rows, cols);
    }
    cgroupOf(id) {
        return this.live.get(id)?.cgroup;
    }
    /** Stops every container (daemon shutdown and `reset`); with `remove`, deletes them too. */
    async shutdown(opts) {
        if (opts.final)
            this.pool.stop();
        await Promise.all(this.store.all().map(async (rec) => {
            try {
                if (opts.remove)
                    await this.remove(rec.Id, { force: true });
                else
                    await this.stop(rec.Id, 2);
            }
            catch {
                // best effort: reset sweeps what is left
            }
        }));
    }
}
//# sourceMappingURL=runtime.js.map