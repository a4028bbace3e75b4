import { randomBytes } from 'node:crypto';
import { NotFoundError, host } from '../../sys/index.js';
import { parseSubnet } from '../ipv4.js';
import { macFor } from '../links.js';
import type { ClusterStore, OverlayEndpoint } from './store.js';
import {
  OVERLAY_MTU, addRemoteEndpoint, deleteOverlayLinks, ensureOverlayLinks, removeRemoteEndpoint, run,
  type DataPlaneOptions, type OverlayLinks,
} from './vxlan.js';

/**
 * One host's side of the overlay driver: for each network it has joined, the links exist and every remote
 * endpoint the cluster store knows is programmed into them, kept current by a watch (put → program, delete or
 * lease expiry → unprogram). Kernel changes of one network are applied one at a time, in the watch's order.
 */

interface Joined {
  links: OverlayLinks;
  /** every endpoint of the network, this host's included (for names) */
  members: Map<string, OverlayEndpoint>;
  remotes: Map<string, OverlayEndpoint>;
  cancel(): Promise<void>;
  /** the tail of this network's queue of kernel changes */
  applied: Promise<void>;
}

export interface AttachedEndpoint {
  id: string;
  ip: string;
  prefixLen: number;
  mac: string;
  hostVeth: string;
}

export class OverlayAgent {
  private readonly joined = new Map<string, Joined>();
  private readonly byContainer = new Map<string, { network: string; ep: AttachedEndpoint; onPeersChanged?: () => void }>();
  /** kernel changes that failed (a watch cannot throw at anyone); asserted empty by tests, not yet shown by the daemon */
  readonly errors: Error[] = [];

  constructor(readonly store: ClusterStore, readonly dataPlane: DataPlaneOptions) {}

  async join(network: string): Promise<OverlayLinks> {
    const existing = this.joined.get(network);
    if (existing) return existing.links;
    const net = await this.store.getNetwork(network);
    if (!net) throw new NotFoundError(`network ${network} not found in the cluster`);
    const links = await ensureOverlayLinks(net, this.dataPlane);
    const j: Joined = { links, members: new Map(), remotes: new Map(), cancel: async () => undefined, applied: Promise.resolve() };
    this.joined.set(network, j);
    const enqueue = (change: () => Promise<void>) => {
      j.applied = j.applied.then(change).catch((e: unknown) => void this.errors.push(e as Error));
    };
    const watch = await this.store.watchEndpoints(network, (ep) => {
      enqueue(async () => {
        j.members.set(ep.id, ep);
        if (ep.host !== this.store.host) {
          const firstOnHost = ![...j.remotes.values()].some((r) => r.underlay === ep.underlay && r.id !== ep.id);
          j.remotes.set(ep.id, ep);
          await addRemoteEndpoint(links, ep, firstOnHost, this.dataPlane);
        }
        this.notifyPeers(network);
      });
    }, (id) => {
      enqueue(async () => {
        j.members.delete(id);
        const ep = j.remotes.get(id);
        if (ep) {
          j.remotes.delete(id);
          const lastOnHost = ![...j.remotes.values()].some((r) => r.underlay === ep.underlay);
          await removeRemoteEndpoint(links, ep, lastOnHost, this.dataPlane);
        }
        this.notifyPeers(network);
      });
    });
    j.cancel = watch.cancel;
    return links;
  }

  /** Waits until every change seen so far is in the kernel. */
  async settled(network: string): Promise<void> {
    await this.joined.get(network)?.applied;
  }

  /** Remote endpoints currently programmed on this host. */
  remotes(network: string): OverlayEndpoint[] {
    return [...(this.joined.get(network)?.remotes.values() ?? [])];
  }

  /**
   * Connects a network namespace (a container's) to the overlay: an address from the cluster's IPAM, a veth
   * into the network's bridge, then the endpoint published so the other hosts program their side.
   */
  async attach(network: string, netnsPath: string, opts: { ifname?: string; name?: string } = {}): Promise<AttachedEndpoint> {
    const ifname = opts.ifname ?? 'eth0';
    const links = await this.join(network);
    const net = (await this.store.getNetwork(network))!;
    const id = randomBytes(32).toString('hex');
    const ip = await this.store.allocate(network, id);
    const prefixLen = parseSubnet(net.subnet).prefixLen;
    const mac = macFor(ip, '02:b2');
    const hostVeth = `${this.dataPlane.prefix}v${id.slice(0, 8)}`;
    try {
      await this.run('ip', ['link', 'add', hostVeth, 'mtu', String(OVERLAY_MTU), 'master', links.bridge, 'up',
        'type', 'veth', 'peer', 'name', ifname, 'address', mac, 'mtu', String(OVERLAY_MTU), 'netns', netnsPath]);
      await host('nsenter', [`--net=${netnsPath}`, '--', 'ip', '-batch', '-'], {
        input: `link set lo up\naddr add ${ip}/${prefixLen} dev ${ifname}\nlink set ${ifname} up\n`,
      });
      await this.store.putEndpoint({ id, network, mac, ip, ...(opts.name !== undefined && { name: opts.name }) });
    } catch (e) {
      await this.run('ip', ['link', 'del', hostVeth], true);
      await this.store.release(network, ip);
      throw e;
    }
    return { id, ip, prefixLen, mac, hostVeth };
  }

  /** {@link attach} for a container, remembered by its id so that {@link releaseContainer} finds it. */
  async attachContainer(container: string, network: string, netnsPath: string,
    opts: { name?: string; onPeersChanged?: () => void } = {}): Promise<AttachedEndpoint> {
    const ep = await this.attach(network, netnsPath, opts.name !== undefined ? { name: opts.name } : {});
    this.byContainer.set(container, { network, ep, ...(opts.onPeersChanged && { onPeersChanged: opts.onPeersChanged }) });
    return ep;
  }

  /** `/etc/hosts` lines for a container's named peers on its overlay network, on any host. */
  peerHosts(container: string): string[] {
    const held = this.byContainer.get(container);
    if (!held) return [];
    const members = this.joined.get(held.network)?.members.values() ?? [];
    return [...members].filter((m) => m.id !== held.ep.id && m.name).map((m) => `${m.ip}\t${m.name}`);
  }

  private notifyPeers(network: string): void {
    for (const held of this.byContainer.values()) if (held.network === network) held.onPeersChanged?.();
  }

  /** After the container exited: its endpoint leaves the cluster (its veth died with its namespace). */
  async releaseContainer(container: string): Promise<void> {
    const held = this.byContainer.get(container);
    if (!held) return;
    this.byContainer.delete(container);
    await this.detach(held.network, held.ep);
  }

  async detach(network: string, ep: AttachedEndpoint): Promise<void> {
    await this.store.deleteEndpoint(network, ep.id);
    await this.run('ip', ['link', 'del', ep.hostVeth], true);
    await this.store.release(network, ep.ip);
  }

  /** Stops watching and removes the network's links here (its FDB and neighbour entries go with them). */
  async leave(network: string): Promise<void> {
    const j = this.joined.get(network);
    if (!j) return;
    this.joined.delete(network);
    await j.cancel();
    await j.applied;
    await deleteOverlayLinks(j.links, this.dataPlane);
  }

  async close(): Promise<void> {
    for (const c of [...this.byContainer.keys()]) await this.releaseContainer(c).catch(() => undefined);
    for (const n of [...this.joined.keys()]) await this.leave(n);
  }

  private run(file: string, args: string[], allowFailure = false) {
    return run(this.dataPlane, file, args, allowFailure);
  }
}
