import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { parseSignal } from './config.js';
import { ConflictError, UserError } from '../sys/errors.js';
import { withContainer } from '../sys/trace.js';
import { setWindowSize } from '../sys/calls.js';
import { RootfsAccess } from './rootfs-access.js';
import { ExitWaiters, destroyed, releaseCgroup, signalIfAlive, signalThenKill, type DockerEvent } from './exits.js';
import { psOfCgroup, type TopTable } from './top.js';
import { ImageStore, VolumeStore, removeRootfs } from '../images/index.js';
import { cgroupManager, resourceChange, type CgroupManager, type Resources } from '../cgroups/index.js';
import { ContainerStore } from './store.js';
import { createContainer } from './create.js';
import { markStarted, startContainer, type Started } from './start.js';
import { InitPool } from '../namespaces/pool.js';
import { ExecManager } from './exec.js';
import type { ContainerRecord, CreateConfig, RestartPolicy } from './types.js';
import { ProcessIO } from './io.js';
import { LogTail, type LogEntry } from './logs.js';
import { recoverContainers } from './reattach.js';
import { securityPlan, releaseRange, reconcileRanges, type UsernsMode } from '../security/index.js';
import type { SecurityPlan } from '../security/plan-types.js';
import { networkManagerFor } from '../network/index.js';
import { connectContainer, setEndpointConfig, stopNetwork, watchPeers, type EndpointConfig } from './network.js';
import { RestartPolicies } from './restart.js';
import { HealthMonitors } from './health.js';

export interface RuntimeOptions {
  /** state root, e.g. /var/lib/boxlab */
  root: string;
  /** cgroup parent of every container, e.g. "boxlab" */
  cgroupParent: string;
  /** docker's --userns-remap as a daemon default: "remap" gives every container its own uid range */
  usernsDefault?: UsernsMode;
}

export type { DockerEvent } from './exits.js';

type Live = Started;

const signals = constants.signals as Record<string, number>;

/** The container lifecycle: create, start, stop, kill, wait, remove — the state machine behind the API. */
export class Runtime extends EventEmitter<{ event: [DockerEvent]; log: [string, LogEntry] }> {
  readonly store: ContainerStore;
  readonly images: ImageStore;
  readonly volumes: VolumeStore;
  readonly execs: ExecManager;
  /** a warm init for the next plain `run` */
  readonly pool = new InitPool();
  private readonly live = new Map<string, Live>();
  /** running containers found after a restart: not our children, watched by polling */
  private readonly adopted = new Set<string>();
  private readonly exits = new ExitWaiters();
  /** clients that attached to a created container before it started (docker run attaches, then starts) */
  private readonly pendingAttach = new Map<string, ((io: ProcessIO) => void)[]>();
  /** a stopped container's overlay mounted for docker cp: its start waits for this */
  private readonly rootfs = new RootfsAccess();
  /** restart policies: the pending restarts and their back-off; records change only through `record` */
  private readonly restarts = new RestartPolicies({ find: (id) => this.store.find(id), change: (rec, change) => this.record(rec, undefined, change),
    start: (rec) => withContainer(rec.Id, () => this.startRecord(rec)) });
  /** healthchecks: probes exec'd while a container runs; State.Health written only through `record` */
  private readonly health = new HealthMonitors({ find: (id) => this.store.find(id), change: (rec, action, change) => this.record(rec, action, change),
    exec: (rec, argv, io, ms) => this.execs.probe(rec.Id, argv, io, ms) });

  constructor(readonly opts: RuntimeOptions) {
    super();
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
  network(): ReturnType<typeof networkManagerFor> {
    return networkManagerFor(this.opts.root);
  }

  private recover(): void {
    recoverContainers(this.store.all(), {
      containerDir: (id) => this.store.containerDir(id), cgroupFor: (id) => this.cgroupFor(id), adopt: (id) => this.adopted.add(id),
      onExit: (id, code, error, finishedAt) => this.onExit(id, code, error, finishedAt),
      onLog: (id, entry) => this.emit('log', id, entry), onLive: (id, live) => this.live.set(id, live),
    });
    this.restarts.boot(this.store.all()); // stopped with the daemon, not by a client: their policy brings them back
  }

  /**
   * Where the log on file ends for `logs -f`: entries up to here are read from the file, later ones arrive as
   * `log` events (undefined: the whole file, the daemon writes it itself).
   */
  logEnd(id: string): number | undefined {
    const log = this.live.get(id)?.log;
    if (!(log instanceof LogTail)) return undefined;
    for (const entry of log.poll()) this.emit('log', id, entry);
    return log.offset;
  }

  private emitEvent(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    const now = Date.now();
    this.emit('event', { Type: 'container', Action: action, Actor: { ID: rec.Id, Attributes: { ...rec.Config.Labels, name: rec.Name.slice(1), image: rec.Config.Image, ...extra } }, time: Math.floor(now / 1000), timeNano: now * 1e6 });
  }

  cgroupFor(id: string): CgroupManager {
    return cgroupManager({ parent: this.opts.cgroupParent, name: id });
  }

  async create(body: CreateConfig, requestedName?: string): Promise<ContainerRecord> {
    const record = await createContainer({
      root: this.opts.root, cgroupParent: this.opts.cgroupParent, usernsDefault: this.opts.usernsDefault ?? 'host',
      store: this.store, images: this.images, volumes: this.volumes, network: this.network(),
    }, body, requestedName);
    this.emitEvent(record, 'create');
    return record;
  }

  get(ref: string): ContainerRecord {
    return this.store.get(ref);
  }

  io(id: string): ProcessIO | undefined {
    return this.live.get(id)?.launched.io;
  }

  /**
   * Connects a client to a container's stdio: now if it runs, at start if it was only created (that is how
   * `run` sees the first byte of output). A stopped container cannot be attached to.
   */
  attach(ref: string, connect: (io: ProcessIO) => void): void {
    const rec = this.store.get(ref);
    const io = this.io(rec.Id);
    if (io) return connect(io);
    if (rec.State.Status !== 'created') throw new ConflictError('You cannot attach to a stopped container, start it first');
    const list = this.pendingAttach.get(rec.Id) ?? [];
    list.push(connect);
    this.pendingAttach.set(rec.Id, list);
  }

  async start(ref: string): Promise<ContainerRecord> {
    const rec = this.store.get(ref);
    if (rec.State.Running || rec.State.Restarting) return rec;
    await this.rootfs.idle(rec.Id);
    if (rec.State.Running) return rec;
    this.restarts.clientStart(rec);
    return withContainer(rec.Id, () => this.startRecord(rec));
  }

  private async startRecord(rec: ContainerRecord): Promise<ContainerRecord> {
    const attachers = this.pendingAttach.get(rec.Id) ?? [];
    this.pendingAttach.delete(rec.Id);
    let live: Live;
    try {
      live = await startContainer(rec, {
        root: this.opts.root, pool: this.pool, network: this.network(), containerDir: this.store.containerDir(rec.Id),
        cgroup: this.cgroupFor(rec.Id), security: this.securityOf(rec), find: (r) => this.store.find(r), attachers,
        onLog: (entry) => this.emit('log', rec.Id, entry),
      });
    } catch (e) {
      const exitCode = (e as { exitCode?: number }).exitCode ?? 125;
      Object.assign(rec.State, { Status: 'created', ExitCode: exitCode, Error: (e as Error).message });
      this.store.save(rec);
      throw new UserError((e as Error).message, { status: 400, exitCode });
    }
    const { launched } = live;
    this.live.set(rec.Id, live);
    markStarted(rec, live);
    this.store.save(rec);
    this.emitEvent(rec, 'start');
    this.health.start(rec);
    void launched.exited.then((status) => this.onExit(rec.Id, status.exitCode, status.error, status.finishedAt));
    return rec;
  }

  /**
   * The security plan decided at create (capabilities, compiled seccomp, masked paths), used by its start
   * and its execs. Records made before the plan was kept are planned now.
   */
  securityOf(rec: ContainerRecord): SecurityPlan {
    return this.store.securityPlan(rec.Id) ?? securityPlan(rec.HostConfig);
  }

  /** `finishedAt`: when the exit happened, if it was recorded earlier than now (by boxlab-shim) */
  private async onExit(id: string, exitCode: number, error = '', finishedAt?: string): Promise<void> {
    const live = this.live.get(id);
    const rec = this.store.find(id);
    this.health.stop(id);
    if (!rec) return;
    for (const entry of live?.log.flush() ?? []) this.emit('log', id, entry);
    const cgroup = live?.cgroup ?? this.cgroupFor(id);
    const oomKilled = releaseCgroup(cgroup);
    // The veth died with the network namespace; the IP, port rules and the endpoint record are freed here.
    await stopNetwork(this.network(), rec).catch(() => undefined);
    this.live.delete(id);
    this.adopted.delete(id);
    const restart = this.restarts.decide(rec, exitCode);
    Object.assign(rec.State, { Status: restart ? 'restarting' : 'exited', Running: false, Restarting: restart, Paused: false, Pid: 0, ExitCode: exitCode, OOMKilled: oomKilled,
      Error: error, FinishedAt: finishedAt ?? new Date().toISOString() });
    this.store.save(rec);
    this.emitEvent(rec, 'die', { exitCode: String(exitCode) });
    this.exits.settle(id);
    if (restart) this.restarts.schedule(id, Date.parse(rec.State.FinishedAt) - Date.parse(rec.State.StartedAt));
    else if (rec.HostConfig.AutoRemove) await this.remove(id, { force: true });
  }

  /** docker's wait conditions: not-running (default), next-exit, removed. */
  async wait(ref: string, condition = 'not-running'): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    const rec = this.store.get(ref);
    const result = (): { StatusCode: number; Error: { Message: string } | null } =>
      ({ StatusCode: rec.State.ExitCode, Error: rec.State.Error ? { Message: rec.State.Error } : null });
    if (condition === 'not-running' && !rec.State.Running) return result();
    await this.exits.next(rec.Id);
    if (condition === 'removed' && this.store.find(rec.Id)) await destroyed(this, rec.Id);
    return result();
  }

  private exitedPromise(id: string): Promise<void> {
    if (!this.live.has(id) && !this.adopted.has(id)) return Promise.resolve();
    return this.exits.next(id);
  }

  /**
   * Sends the signal; for SIGKILL returns only once the container is dead and recorded so, as dockerd
   * does (a client that inspects right after a kill must not see "running").
   */
  async kill(ref: string, signal?: string): Promise<void> {
    const rec = this.store.get(ref);
    const sig = parseSignal(signal, 'SIGKILL');
    // killed by a client with its stop signal or SIGKILL: the restart policy leaves it stopped
    if (sig === 'SIGKILL' || sig === 'SIGTERM') this.restarts.clientStop(rec);
    if (this.restarts.cancel(rec)) return;
    if (!rec.State.Running) throw new ConflictError(`Cannot kill container: ${ref}: Container ${rec.Id} is not running`);
    const exited = this.exitedPromise(rec.Id);
    if (rec.State.Paused && sig === 'SIGKILL') this.live.get(rec.Id)?.cgroup.thaw();
    process.kill(rec.State.Pid, sig);
    this.emitEvent(rec, 'kill', { signal: String(signals[sig]) });
    if (sig === 'SIGKILL') await exited;
  }

  /** SIGTERM (or the image's stop signal), then SIGKILL after `timeout` seconds — never the other way round. */
  async stop(ref: string, timeoutSec = 10, signal?: string): Promise<void> {
    const rec = this.store.get(ref);
    this.restarts.clientStop(rec);
    if (this.restarts.cancel(rec)) return this.emitEvent(rec, 'stop');
    if (!rec.State.Running) return;
    const exited = this.exitedPromise(rec.Id);
    const sig = parseSignal(signal, 'SIGTERM');
    if (rec.State.Paused) this.live.get(rec.Id)?.cgroup.thaw();
    await signalThenKill(rec.State.Pid, sig, exited, timeoutSec);
    this.emitEvent(rec, 'stop');
  }

  async remove(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    const rec = this.store.get(ref);
    if (rec.State.Restarting && !opts.force) {
      throw new ConflictError(`cannot remove container "${rec.Name.slice(1)}": container is restarting: stop the container before removing or force remove (rm -f)`);
    }
    if (opts.force) this.restarts.clientStop(rec);
    this.restarts.cancel(rec);
    if (rec.State.Running) {
      if (!opts.force) {
        throw new ConflictError(`cannot remove container "${rec.Name.slice(1)}": container is running: stop the container before removing or force remove (rm -f)`);
      }
      const exited = this.exitedPromise(rec.Id);
      if (rec.State.Paused) this.live.get(rec.Id)?.cgroup.thaw();
      signalIfAlive(rec.State.Pid, 'SIGKILL');
      await exited;
      if (!this.store.find(rec.Id)) return; // AutoRemove got there first
    }
    removeRootfs(this.opts.root, rec.Id);
    if (rec.Boxlab.Userns) releaseRange(rec.Id, this.opts.root);
    this.store.delete(rec.Id);
    this.emitEvent(rec, 'destroy');
  }

  resize(ref: string, rows: number, cols: number): void {
    const live = this.live.get(this.store.get(ref).Id);
    if (live?.launched.io.ptyMaster !== undefined) setWindowSize(live.launched.io.ptyMaster, rows, cols);
  }

  /** The cgroup of a running container (also of one adopted after a daemon restart). */
  cgroupOf(ref: string): CgroupManager {
    const rec = this.running(ref);
    return this.live.get(rec.Id)?.cgroup ?? this.cgroupFor(rec.Id);
  }

  /** The cgroup of a container this daemon started (none for one adopted after a restart). */
  liveCgroup(id: string): CgroupManager | undefined {
    return this.live.get(id)?.cgroup;
  }

  private running(ref: string): ContainerRecord {
    const rec = this.store.get(ref);
    if (!rec.State.Running) throw new ConflictError(`container ${rec.Name.slice(1)} is not running`);
    return rec;
  }

  // The state changes below are runc's Pause/Resume/Set and docker's network connect: each one changes the
  // kernel, then the record, then says so in an event — here only, so a record has one writer.

  pause(ref: string): void {
    const rec = this.running(ref);
    if (rec.State.Paused) throw new ConflictError(`container ${rec.Name.slice(1)} is already paused`);
    this.cgroupOf(rec.Id).freeze();
    this.record(rec, 'pause', () => Object.assign(rec.State, { Paused: true, Status: 'paused' }));
  }

  unpause(ref: string): void {
    const rec = this.running(ref);
    if (!rec.State.Paused) throw new ConflictError(`container ${rec.Name.slice(1)} is not paused`);
    this.cgroupOf(rec.Id).thaw();
    this.record(rec, 'unpause', () => Object.assign(rec.State, { Paused: false, Status: 'running' }));
  }

  /** docker update: the given limits change, live if the container runs; the others stay as they are. */
  update(ref: string, change: Resources, restartPolicy?: RestartPolicy): void {
    const rec = this.store.get(ref);
    if (Object.keys(change).length === 0) {
      if (restartPolicy) this.record(rec, 'update', () => { rec.HostConfig.RestartPolicy = { MaximumRetryCount: 0, ...restartPolicy }; });
      return;
    }
    const toWrite = resourceChange(rec.HostConfig, change);
    if (rec.State.Running) this.cgroupOf(rec.Id).set(toWrite);
    this.record(rec, 'update', () => Object.assign(rec.HostConfig, change, restartPolicy && { RestartPolicy: { MaximumRetryCount: 0, ...restartPolicy } }));
  }

  /** docker network connect/disconnect: now if the container runs, else at its next start (containers/network.ts) */
  async connectNetwork(ref: string, network: string, endpoint: EndpointConfig = {}): Promise<void> {
    const rec = this.store.get(ref);
    const name = await connectContainer(this.network(), rec, network, endpoint);
    this.record(rec, undefined, () => setEndpointConfig(rec, name, endpoint, this.network()));
  }

  async disconnectNetwork(ref: string, network: string): Promise<void> {
    const rec = this.store.get(ref);
    const net = this.network().inspect(network);
    if (rec.State.Running) await this.network().disconnect(rec.Id, net.Id);
    this.record(rec, undefined, () => setEndpointConfig(rec, net.Name, undefined, this.network()));
  }

  /** docker rename: the new name is claimed like a create's (unique, docker's charset); event `rename`. */
  rename(ref: string, newName: string): void {
    const rec = this.store.get(ref);
    if (!newName) throw new UserError('rename needs a new name: ?name=NEW');
    const name = this.store.claimName(newName);
    this.record(rec, 'rename', () => { rec.Name = name; });
  }

  /**
   * docker top: the host's `ps` (with the client's ps_args, `-ef` by default), keeping the rows of the
   * processes in the container's cgroup — what dockerd does, so the columns and pids are the host's.
   */
  async top(ref: string, psArgs = '-ef'): Promise<TopTable> {
    const rec = this.running(ref);
    return psOfCgroup(new Set(this.cgroupOf(rec.Id).procs()), psArgs);
  }

  /**
   * Runs `work` on the container's root as the container sees it: /proc/<pid>/root while it runs; else its
   * overlay mounted for the moment (engine/containers/rootfs-access.ts), one user at a time, and a start
   * waits until it is unmounted.
   */
  async withRootfs<T>(ref: string, work: (root: string) => Promise<T>): Promise<T> {
    const rec = this.store.get(ref);
    return this.rootfs.use(rec, work);
  }

  /** Applies a change to a record, saves it, and announces it (when `action` names an event). */
  private record(rec: ContainerRecord, action: string | undefined, change: () => void): void {
    change();
    this.store.save(rec);
    if (action) this.emitEvent(rec, action);
  }

  /**
   * Stops every container (daemon shutdown and `reset`); with `remove`, deletes them too. With `liveRestore`
   * (a daemon shutdown) containers under a boxlab-shim keep running: the next daemon re-attaches to them.
   */
  async shutdown(opts: { remove: boolean; final?: boolean; liveRestore?: boolean }): Promise<void> {
    if (opts.final) {
      this.pool.stop();
      this.restarts.shutdown();
    }
    await Promise.all(this.store.all().map(async (rec) => {
      if (opts.liveRestore && rec.State.Running && rec.Boxlab.Shim) return;
      try {
        if (opts.remove) await this.remove(rec.Id, { force: true });
        else await this.stop(rec.Id, 2);
      } catch {
        // best effort: reset sweeps what is left
      }
    }));
  }
}
