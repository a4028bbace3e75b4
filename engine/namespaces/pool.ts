import { spawnInit, type NamespacePlan, type SpawnedInit } from './spawn.js';
import { traceNote } from '../sys/trace.js';
import { shimAvailable } from './shim.js';

/** The plan every plain `run` uses: all namespaces new (the cgroup namespace is the init's own business). */
export const FRESH_PLAN: NamespacePlan = { mnt: 'new', uts: 'new', ipc: 'new', pid: 'new', net: 'new', cgroup: 'new' };

export function isFreshPlan(plan: NamespacePlan): boolean {
  return (['mnt', 'uts', 'ipc', 'pid', 'net'] as const).every((k) => plan[k] === 'new') && plan.cgroup !== undefined && plan.cgroup !== 'host';
}

/**
 * A warm init, spawned ahead of time into fresh namespaces and blocked on its sync socket (Android's zygote
 * idea). Starting a Node process costs ~50–70 ms, most of a container's start; a plain `run` takes the warm
 * one and a new one is spawned in the background. The init does nothing before it reads its config, so a
 * warm init is exactly a just-spawned one: cgroup placement, network and the config all still come after.
 */
export class InitPool {
  private warm: SpawnedInit | undefined;
  private stopped = false;
  /** warm inits come with their boxlab-shim (the only way plain runs start when the shim is built) */
  readonly shimmed = shimAvailable();

  constructor(private readonly enabled = process.env.BOXLAB_INIT_POOL !== '0') {
    this.refill();
  }

  private refill(): void {
    if (!this.enabled || this.stopped || this.warm) return;
    try {
      const init = spawnInit({ plan: FRESH_PLAN, stdio: ['pipe', 'pipe', 'pipe'], newSession: false, shim: this.shimmed });
      // An idle init that dies (or a daemon that stops) must not leave a stale entry behind.
      init.child.once('exit', () => {
        if (this.warm === init) this.warm = undefined;
      });
      this.warm = init;
    } catch {
      this.warm = undefined;
    }
  }

  /**
   * The warm init, if there is one. Its replacement is spawned only once the taken init has exec'd or died
   * (its sync socket closed): `child_process.spawn` is synchronous and blocks the event loop for several ms,
   * which must not land between the cgroup and network steps of the start that took it, nor before that
   * start's reply. The start replies in the microtasks that follow the close; setImmediate runs after them.
   */
  take(): SpawnedInit | undefined {
    const init = this.warm;
    this.warm = undefined;
    if (init && init.child.exitCode === null && init.child.signalCode === null) {
      const note = (pid: number | undefined, shim = ''): void => traceNote('init', `taken warm from the pool (pid ${pid}${shim}, spawned earlier into new mnt, uts, ipc, pid and net namespaces)`);
      if (init.shim) void init.shim.initPid.then((pid) => note(pid, `, under boxlab-shim ${init.child.pid}`), () => undefined);
      else note(init.child.pid);
      let scheduled = false;
      const later = (): void => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => this.refill());
      };
      init.sync.once('close', later);
      init.child.once('exit', later);
      return init;
    }
    setImmediate(() => this.refill());
    return undefined;
  }

  stop(): void {
    this.stopped = true;
    const init = this.warm;
    this.warm = undefined;
    if (init?.shim) {
      // the shim kills its waiting init and exits when its control pipe closes
      init.sync.destroy();
      init.shim.abandon();
    } else if (init) {
      init.sync.destroy();
      init.child.kill('SIGKILL');
    }
  }
}
