import { UserError } from '../../sys/index.js';
import type { NetworkManager } from '../manager.js';
import { OverlayAgent } from './agent.js';
import type { ClusterStore } from './store.js';

/**
 * A daemon's link to the cluster store (`boxlab daemon --cluster-store etcd://… --cluster-advertise IP`),
 * made on first use rather than at start: the daemon and its bridge networks work while etcd is down, and
 * only overlay requests fail, with a clear error, until it answers (the next request tries again).
 */
export class ClusterConnection {
  private agentReady: Promise<OverlayAgent> | undefined;
  private agentMade: OverlayAgent | undefined;

  constructor(readonly url: string, readonly advertise: string, readonly linkPrefix = 'bxo') {}

  agent(): Promise<OverlayAgent> {
    // etcd3 (and gRPC under it) loads only here: importing it costs ~0.75-1 s, which no daemon without a
    // cluster store, and no daemon start, should pay.
    this.agentReady ??= import('./store.js')
      .then(({ ClusterStore: Store }): Promise<ClusterStore> => Store.connect(this.url, { host: this.advertise, underlay: this.advertise }))
      .then((store) => (this.agentMade = new OverlayAgent(store, { prefix: this.linkPrefix, underlay: this.advertise })))
      .catch((e: unknown) => {
        this.agentReady = undefined;
        throw e;
      });
    return this.agentReady;
  }

  /** The agent if the connection was made, without trying to make it. */
  connected(): OverlayAgent | undefined {
    return this.agentMade;
  }

  /** The daemon is leaving: links down, lease revoked (this host's endpoints and addresses go at once). */
  async close(): Promise<void> {
    const a = this.agentMade;
    this.agentReady = undefined;
    this.agentMade = undefined;
    if (!a) return;
    await a.close();
    await a.store.close();
  }
}

// One connection per network manager (= per state root): the runtime's glue and the /networks routes share it.
const connections = new WeakMap<NetworkManager, ClusterConnection>();

export function setClusterConnection(mgr: NetworkManager, c: ClusterConnection): void {
  connections.set(mgr, c);
}

export function clusterConnectionOf(mgr: NetworkManager): ClusterConnection | undefined {
  return connections.get(mgr);
}

/** The agent of the manager's daemon, or a one-line error saying how to start a daemon that has one. */
export async function overlayAgentOf(mgr: NetworkManager): Promise<OverlayAgent> {
  const c = connections.get(mgr);
  if (!c) throw new UserError('overlay networks need a cluster store: start the daemon with --cluster-store etcd://HOST:PORT --cluster-advertise UNDERLAY_IP');
  return c.agent();
}
