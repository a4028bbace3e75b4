import { randomBytes } from 'node:crypto';
import { Etcd3, type Lease, type Watcher } from 'etcd3';
import { ConflictError, NotFoundError, UserError } from '../../sys/index.js';
import { type Cidr, formatCidr, formatIp, isUsableHost, parseSubnet, size } from '../ipv4.js';
import { parseClusterStore } from './url.js';

export { parseClusterStore };

/**
 * The overlay driver's shared state, kept in etcd as docker's old overlay driver and flannel keep theirs, so
 * that every host sees one truth and no host can hand out an address another already has:
 *
 *   <prefix>networks/<name>              {id, name, subnet, gateway, vni, created}      (no lease: outlives hosts)
 *   <prefix>vnis/<vni>                   <name>                                         (one VNI, one network)
 *   <prefix>hosts/<host>                 {host, underlay}                               (host lease)
 *   <prefix>ipam/<name>/<ip>             {host, endpoint}                               (host lease)
 *   <prefix>endpoints/<name>/<endpoint>  {id, network, host, underlay, mac, ip}         (host lease)
 *
 * Every key a host writes for its containers hangs on that host's lease: a host that dies (stops renewing)
 * loses its addresses and endpoints when the lease's TTL runs out, and every other host's watch sees them go.
 * Addresses are taken with compare-and-swap (a transaction "create this key only if it does not exist"), so
 * two hosts racing for one address get it once.
 */

export interface OverlayNetwork {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
  vni: number;
  created: string;
}

export interface OverlayEndpoint {
  id: string;
  network: string;
  host: string;
  /** the host's underlay address: where VXLAN packets for this endpoint are sent */
  underlay: string;
  mac: string;
  ip: string;
  /** the container's name, for its peers' /etc/hosts on every host */
  name?: string;
}

export interface ClusterStoreOptions {
  /** this host's name in the cluster (unique among hosts) */
  host: string;
  /** this host's address on the underlay network (the VXLAN tunnel's local end) */
  underlay: string;
  /** seconds a dead host's keys live on; etcd raises anything under ~2 s to its minimum */
  ttlSeconds?: number;
  /** key prefix; tests sharing one etcd may pass their own */
  prefix?: string;
}

const DEFAULT_PREFIX = '/boxlab/overlay/';
/** VXLAN network identifiers boxlab hands out (24 bits; low ones left to hand-made tunnels such as lesson 25's) */
const VNI_FIRST = 4096;
const VNI_LAST = 2 ** 24 - 1;

export class ClusterStore {
  readonly host: string;
  readonly underlay: string;
  private readonly prefix: string;

  private constructor(private readonly etcd: Etcd3, private readonly lease: Lease, private readonly leaseId: string, opts: ClusterStoreOptions) {
    this.host = opts.host;
    this.underlay = opts.underlay;
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
  }

  /** Connects, takes this host's lease (kept alive in the background) and announces the host. */
  static async connect(url: string, opts: ClusterStoreOptions): Promise<ClusterStore> {
    const etcd = new Etcd3({ hosts: parseClusterStore(url), dialTimeout: 3000 });
    const lease = etcd.lease(opts.ttlSeconds ?? 10);
    let leaseId: string;
    try {
      leaseId = await lease.grant();
    } catch (e) {
      etcd.close();
      throw new UserError(`cluster store ${url} is unreachable (${(e as Error).message}); start etcd or fix --cluster-store`);
    }
    // A lost lease (etcd unreachable longer than the TTL) is reported, not thrown: existing containers keep working.
    lease.on('lost', () => undefined);
    const store = new ClusterStore(etcd, lease, leaseId, opts);
    await lease.put(store.key('hosts', opts.host)).value(JSON.stringify({ host: opts.host, underlay: opts.underlay }));
    return store;
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join('/');
  }

  // ---------------------------------------------------------------- networks

  async createNetwork(spec: { name: string; subnet: string }): Promise<OverlayNetwork> {
    const subnet = parseSubnet(spec.subnet);
    const others = await this.listNetworks();
    const clash = others.find((n) => n.name === spec.name);
    if (clash) throw new ConflictError(`network ${spec.name} already exists in the cluster`);
    for (let attempt = 0; attempt < 16; attempt++) {
      const vni = VNI_FIRST + Math.floor(Math.random() * (VNI_LAST - VNI_FIRST));
      const net: OverlayNetwork = {
        id: randomBytes(32).toString('hex'), name: spec.name, subnet: formatCidr(subnet),
        gateway: formatIp(subnet.base + 1), vni, created: new Date().toISOString(),
      };
      const nameKey = this.key('networks', spec.name);
      const vniKey = this.key('vnis', String(vni));
      const r = await this.etcd.if(nameKey, 'Create', '==', 0).and(vniKey, 'Create', '==', 0)
        .then(this.etcd.put(nameKey).value(JSON.stringify(net)), this.etcd.put(vniKey).value(spec.name))
        .commit();
      if (r.succeeded) return net;
      if (await this.getNetwork(spec.name)) throw new ConflictError(`network ${spec.name} already exists in the cluster`);
      // else the VNI was taken: draw another
    }
    throw new ConflictError('no free VXLAN id found after 16 draws; retry');
  }

  async getNetwork(name: string): Promise<OverlayNetwork | undefined> {
    const v = await this.etcd.get(this.key('networks', name)).string();
    return v === null ? undefined : (JSON.parse(v) as OverlayNetwork);
  }

  async listNetworks(): Promise<OverlayNetwork[]> {
    const all = await this.etcd.getAll().prefix(this.key('networks', '')).strings();
    return Object.values(all).map((v) => JSON.parse(v) as OverlayNetwork);
  }

  /**
   * Removes a network only while no host has an endpoint on it. Not yet atomic: an endpoint registered between
   * the check and the delete would be left on a network that is gone (the full `network rm` rules are to do).
   */
  async deleteNetwork(name: string): Promise<void> {
    const net = await this.getNetwork(name);
    if (!net) throw new NotFoundError(`network ${name} not found in the cluster`);
    const eps = await this.listEndpoints(name);
    if (eps.length > 0) {
      const hosts = [...new Set(eps.map((e) => e.host))].join(', ');
      throw new ConflictError(`network ${name} still has ${eps.length} endpoint(s) on host(s) ${hosts}; remove those containers first`);
    }
    await this.etcd.delete().key(this.key('networks', name));
    await this.etcd.delete().key(this.key('vnis', String(net.vni)));
    await this.etcd.delete().prefix(this.key('ipam', name, ''));
  }

  // ---------------------------------------------------------------- addresses

  /**
   * Takes a free address of the network for `endpoint` on this host. Candidates come from one read of the
   * taken set; each is claimed with "create only if absent" so a concurrent claim by another host makes this
   * one fail and move on, never both succeed.
   */
  async allocate(network: string, endpoint: string, wanted?: string): Promise<string> {
    const net = await this.getNetwork(network);
    if (!net) throw new NotFoundError(`network ${network} not found in the cluster`);
    const subnet = parseSubnet(net.subnet);
    const value = JSON.stringify({ host: this.host, endpoint });
    if (wanted !== undefined) {
      if (!(await this.claim(network, wanted, value))) throw new ConflictError(`address ${wanted} is already in use on network ${network}`);
      return wanted;
    }
    const ipamPrefix = this.key('ipam', network, '');
    const taken = new Set((await this.etcd.getAll().prefix(ipamPrefix).keys()).map((k) => k.slice(ipamPrefix.length)));
    for (const ip of candidates(subnet, net.gateway)) {
      if (taken.has(ip)) continue;
      if (await this.claim(network, ip, value)) return ip;
      taken.add(ip);
    }
    throw new ConflictError(`network ${network} (${net.subnet}) has no free address left`);
  }

  private async claim(network: string, ip: string, value: string): Promise<boolean> {
    const k = this.key('ipam', network, ip);
    const r = await this.etcd.if(k, 'Create', '==', 0).then(this.etcd.put(k).value(value).lease(this.leaseId)).commit();
    return r.succeeded === true;
  }

  async release(network: string, ip: string): Promise<void> {
    await this.etcd.delete().key(this.key('ipam', network, ip));
  }

  // ---------------------------------------------------------------- endpoints

  async putEndpoint(ep: Omit<OverlayEndpoint, 'host' | 'underlay'>): Promise<OverlayEndpoint> {
    const full: OverlayEndpoint = { ...ep, host: this.host, underlay: this.underlay };
    await this.etcd.put(this.key('endpoints', ep.network, ep.id)).value(JSON.stringify(full)).lease(this.leaseId);
    return full;
  }

  async deleteEndpoint(network: string, id: string): Promise<void> {
    await this.etcd.delete().key(this.key('endpoints', network, id));
  }

  async listEndpoints(network: string): Promise<OverlayEndpoint[]> {
    const all = await this.etcd.getAll().prefix(this.key('endpoints', network, '')).strings();
    return Object.values(all).map((v) => JSON.parse(v) as OverlayEndpoint);
  }

  /**
   * Calls `onPut` for every endpoint of the network now and as they come, `onDelete` with the id of each that
   * goes (removed, or expired with its host's lease). The initial read and the watch share one revision, so
   * nothing falls between them.
   */
  async watchEndpoints(network: string, onPut: (ep: OverlayEndpoint) => void, onDelete: (id: string) => void): Promise<{ cancel(): Promise<void> }> {
    const prefix = this.key('endpoints', network, '');
    const now = await this.etcd.getAll().prefix(prefix).exec();
    for (const kv of now.kvs) onPut(JSON.parse(kv.value.toString()) as OverlayEndpoint);
    const watcher: Watcher = await this.etcd.watch().prefix(prefix)
      .startRevision(String(BigInt(now.header.revision) + 1n)).create();
    watcher.on('put', (kv) => onPut(JSON.parse(kv.value.toString()) as OverlayEndpoint));
    watcher.on('delete', (kv) => onDelete(kv.key.toString().slice(prefix.length)));
    return { cancel: () => watcher.cancel() };
  }

  // ---------------------------------------------------------------- lifetime

  /** A clean leave: revokes the lease, so this host's addresses and endpoints go at once. */
  async close(): Promise<void> {
    try {
      await this.lease.revoke();
    } finally {
      this.etcd.close();
    }
  }

  /** Stops renewing the lease without revoking it, as a host that dies does: its keys expire after the TTL. */
  abandon(): void {
    this.lease.release();
    this.etcd.close();
  }
}

/**
 * Every usable address once, the gateway left out (reserved, as docker's overlay IPAM does), starting at a
 * random one and wrapping around: concurrent allocators then rarely race for the same address (measured: 60
 * concurrent allocations filling a /26 from two hosts: ~9.5 s all starting at the bottom, ~3.4 s spread out).
 */
function* candidates(subnet: Cidr, gateway: string): Generator<string> {
  const total = size(subnet);
  const start = Math.floor(Math.random() * total);
  for (let i = 0; i < total; i++) {
    const n = subnet.base + ((start + i) % total);
    if (!isUsableHost(subnet, n)) continue;
    const ip = formatIp(n);
    if (ip !== gateway) yield ip;
  }
}
