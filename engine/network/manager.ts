import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, NotFoundError, UserError, host } from '../sys/index.js';
import { Chains, ensureRule, deleteRule } from './iptables.js';
import { type Cidr, formatCidr, formatIp, isUsableHost, overlaps, parseIp, parseSubnet } from './ipv4.js';
import { createBridge, deleteLink, linkExists } from './links.js';
import type { PortSpec } from './ports.js';
import { NetworkStore, type NetworkState } from './store.js';
import { connectEndpoint, disconnectEndpoint, endpointsOf, releaseContainer } from './endpoints.js';
import { assertPublishable, publish } from './publishing.js';
import { hostsEntries, onPeersChanged } from './peers.js';
import { reconcile, reset } from './recovery.js';

export interface NetworkSpec {
  name: string;
  subnet?: string;
  gateway?: string;
  /** docker's --label: kept and shown, used by the list and prune filters */
  labels?: Record<string, string>;
}

export interface EndpointInfo {
  network: string;
  networkId: string;
  ifname: string;
  hostVeth: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
}

/** `docker network inspect` shape (the subset boxlab has). */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: 'bridge';
  EnableIPv6: false;
  IPAM: { Driver: 'default'; Options: Record<string, string>; Config: { Subnet: string; Gateway: string }[] };
  Internal: false;
  Attachable: false;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface ConnectOptions {
  container: string;
  containerName: string;
  /** /proc/<pid>/ns/net of the container's init, while it is alive */
  netnsPath: string;
  network: string;
  ip?: string;
  ifname?: string;
  /**
   * The container's init is still waiting on its sync socket and addresses the interface itself (ioctls,
   * InitConfig.interfaces): connect makes the veth only, saving the `nsenter ip` process (~20 ms).
   */
  addressInInit?: boolean;
}

/** Steps of connect(), for fault injection in tests (`onStep` throwing aborts the connect there). */
export type ConnectStep = 'veth' | 'address';

export interface NetworkManagerOptions {
  stateDir: string;
  /** default network's bridge is `<prefix>0`, user networks' `<prefix>-<id>`; tests may pass a unique one */
  bridgePrefix?: string;
  /** host ends of veth pairs are `<vethPrefix><8 hex>` */
  vethPrefix?: string;
  mtu?: number;
  /** candidates for the default network, first one free wins */
  defaultSubnets?: string[];
  onStep?: (step: ConnectStep, container: string) => void | Promise<void>;
}

export const DEFAULT_NETWORK = 'bridge';
const RESERVED_NAMES = new Set(['bridge', 'host', 'none', 'default']);
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
// 172.17 is docker's docker0 and 172.18–172.28 its user networks' usual picks: stay clear of them.
const DEFAULT_SUBNETS = ['172.29.0.0/16', '172.30.0.0/16', '172.31.0.0/16',
  ...Array.from({ length: 40 }, (_, i) => `10.${200 + i}.0.0/16`)];
const AUTO_SUBNETS = [
  ...Array.from({ length: 32 }, (_, i) => `10.${30 + i}.0.0/16`),
  ...Array.from({ length: 64 }, (_, i) => `192.168.${160 + i}.0/24`),
];

export class NetworkManager {
  // Internal to the network room (endpoints.ts, publishing.ts, peers.ts, recovery.ts work on them).
  readonly store: NetworkStore;
  readonly prefix: string;
  readonly vethPrefix: string;
  readonly mtu: number;
  readonly events = new EventEmitter();
  readonly chains: Chains;
  defaultReady: Promise<void> | undefined;
  chainsReady: Promise<void> | undefined;

  constructor(readonly opts: NetworkManagerOptions) {
    this.prefix = opts.bridgePrefix ?? 'boxlab';
    this.vethPrefix = opts.vethPrefix ?? 'bxv';
    if (!/^[a-z][a-z0-9]{0,9}$/.test(this.prefix)) throw new UserError(`bridge prefix "${this.prefix}" must be 1–10 lower-case letters/digits`);
    if (!/^[a-z][a-z0-9]{0,6}$/.test(this.vethPrefix)) throw new UserError(`veth prefix "${this.vethPrefix}" must be 1–7 lower-case letters/digits`);
    this.mtu = opts.mtu ?? 1500;
    this.store = new NetworkStore(opts.stateDir);
    this.chains = new Chains(this.prefix);
  }

  // ---------------------------------------------------------------- networks

  ensureDefault(): Promise<void> {
    this.defaultReady ??= this.makeDefault().catch((e: unknown) => {
      this.defaultReady = undefined;
      throw e;
    });
    return this.defaultReady;
  }

  private async makeDefault(): Promise<void> {
    const existing = this.find(DEFAULT_NETWORK);
    if (existing) {
      await this.ensureLive(existing);
      return;
    }
    const taken = await this.hostRoutes();
    const subnet = (this.opts.defaultSubnets ?? DEFAULT_SUBNETS).find((s) => this.subnetFree(parseSubnet(s), taken));
    if (!subnet) throw new UserError('no free subnet for the default network: every candidate overlaps a host route; create networks with --subnet');
    await this.createNetwork({ name: DEFAULT_NETWORK, subnet }, true);
  }

  async create(spec: NetworkSpec): Promise<NetworkRecord> {
    if (!NAME.test(spec.name)) throw new UserError(`invalid network name "${spec.name}": use letters, digits, '_', '.', '-' (starting with a letter or digit)`);
    if (RESERVED_NAMES.has(spec.name)) throw new UserError(`network name "${spec.name}" is reserved; pick another`);
    return this.toRecord(await this.createNetwork(spec, false));
  }

  private async createNetwork(spec: NetworkSpec, isDefault: boolean): Promise<NetworkState> {
    const taken = await this.hostRoutes();
    let subnet: Cidr;
    if (spec.subnet !== undefined) {
      subnet = parseSubnet(spec.subnet);
      const route = taken.find((t) => overlaps(t.cidr, subnet));
      if (route) throw new UserError(`subnet ${formatCidr(subnet)} overlaps the host's route ${route.text}; pick another subnet`);
    } else {
      if (spec.gateway !== undefined) throw new UserError('--gateway needs --subnet');
      const free = AUTO_SUBNETS.map(parseSubnet).find((c) => this.subnetFree(c, taken));
      if (!free) throw new UserError('no free subnet left in boxlab\'s pool; pass --subnet');
      subnet = free;
    }
    let gateway = subnet.base + 1;
    if (spec.gateway !== undefined) {
      const g = parseIp(spec.gateway);
      if (g === undefined) throw new UserError(`invalid gateway "${spec.gateway}": not an IPv4 address`);
      if (!isUsableHost(subnet, g)) throw new UserError(`gateway ${spec.gateway} is not a usable address inside subnet ${formatCidr(subnet)}`);
      gateway = g;
    }
    const id = randomBytes(32).toString('hex');
    const net: NetworkState = {
      id,
      name: spec.name,
      bridge: isDefault ? `${this.prefix}0` : `${this.prefix}-${id.slice(0, 14 - this.prefix.length)}`,
      subnet: formatCidr(subnet),
      gateway: formatIp(gateway),
      created: new Date().toISOString(),
      isDefault,
      endpoints: {},
      ...(spec.labels && Object.keys(spec.labels).length > 0 && { labels: spec.labels }),
    };
    this.store.tx((nets) => {
      if (nets.some((n) => n.name === spec.name)) throw new ConflictError(`network ${spec.name} already exists`);
      const other = nets.find((n) => overlaps(parseSubnet(n.subnet), subnet));
      if (other) throw new UserError(`subnet ${net.subnet} overlaps network ${other.name} (${other.subnet}); pick another subnet`);
      this.store.save(net);
      this.store.ipam.init(subnet, gateway);
    });
    try {
      await this.ensureLive(net);
    } catch (e) {
      await this.teardownNetwork(net);
      this.store.tx(() => {
        this.store.delete(net);
        this.store.ipam.remove(subnet);
      });
      throw e;
    }
    return net;
  }

  /** Bridge, addresses, rules and ip_forward of a recorded network exist in the kernel (idempotent). */
  async ensureLive(net: NetworkState): Promise<void> {
    await this.ensureChains();
    await this.ensureForwarding();
    if (!(await linkExists(net.bridge))) {
      const c = parseSubnet(net.subnet);
      await createBridge(net.bridge, net.gateway, c.prefixLen, this.mtu);
    }
    for (const r of this.chains.networkRules(net.bridge, net.subnet, `${this.prefix}+`)) await ensureRule(r);
  }

  private async teardownNetwork(net: NetworkState): Promise<void> {
    for (const r of this.chains.networkRules(net.bridge, net.subnet, `${this.prefix}+`)) await deleteRule(r);
    await deleteLink(net.bridge);
  }

  private ensureChains(): Promise<void> {
    this.chainsReady ??= this.chains.ensure().catch((e: unknown) => {
      this.chainsReady = undefined;
      throw e;
    });
    return this.chainsReady;
  }

  /** Routing between the bridges and the rest is off by default; turn it on and remember it for reset(). */
  private async ensureForwarding(): Promise<void> {
    const now = (await host('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim();
    if (now === '1') return;
    const orig = join(this.opts.stateDir, 'ip_forward.orig');
    mkdirSync(this.opts.stateDir, { recursive: true });
    if (!existsSync(orig)) writeFileSync(orig, `${now}\n`);
    await host('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  }

  async remove(nameOrId: string): Promise<void> {
    const net = this.mustFind(nameOrId);
    if (net.isDefault) throw new UserError(`${net.name} is the default network and cannot be removed (boxlab reset removes it)`, { status: 403 });
    this.store.tx((nets) => {
      const fresh = nets.find((n) => n.id === net.id);
      if (!fresh) throw new NotFoundError(`network ${nameOrId} not found`);
      const attached = Object.values(fresh.endpoints).map((e) => e.containerName);
      if (attached.length > 0) {
        throw new ConflictError(`network ${net.name} has containers attached (${attached.join(', ')}): disconnect or remove them first`);
      }
      this.store.delete(fresh);
      this.store.ipam.remove(parseSubnet(fresh.subnet));
    });
    await this.teardownNetwork(net);
  }

  list(): NetworkRecord[] {
    return this.store.load().map((n) => this.toRecord(n));
  }

  inspect(nameOrId: string): NetworkRecord {
    return this.toRecord(this.mustFind(nameOrId));
  }

  // ---------------------------------------------------------------- endpoints (endpoints.ts)

  connect(o: ConnectOptions): Promise<EndpointInfo> {
    return connectEndpoint(this, o);
  }

  disconnect(container: string, network: string): Promise<void> {
    return disconnectEndpoint(this, container, network);
  }

  /** Frees everything a container held on every network: IPs, port rules, host veths still around. */
  release(container: string): Promise<void> {
    return releaseContainer(this, container);
  }

  /** A container's endpoints with their published ports (for inspect's NetworkSettings and `boxlab port`). */
  endpointsOf(container: string): (EndpointInfo & { ports: PortSpec[] })[] {
    return endpointsOf(this, container);
  }

  // ---------------------------------------------------------------- ports (publishing.ts)

  /** Publishes container ports on the host (hostPort 0 = a free one from the ephemeral range). */
  publish(container: string, ip: string, requested: PortSpec[]): Promise<PortSpec[]> {
    return publish(this, container, ip, requested);
  }

  /** publish()'s checks without changing anything, so a taken port fails a run before anything exists. */
  assertPublishable(ports: PortSpec[]): Promise<void> {
    return assertPublishable(this, ports);
  }

  // ---------------------------------------------------------------- names (peers.ts)

  /** `/etc/hosts` lines for the peers of a container on the user networks it shares with them. */
  hostsEntries(container: string): string[] {
    return hostsEntries(this, container);
  }

  /** Called with each container whose hostsEntries() may have changed; returns the unsubscribe function. */
  onPeersChanged(listener: (container: string) => void): () => void {
    return onPeersChanged(this, listener);
  }

  // ---------------------------------------------------------------- recovery (recovery.ts)

  /** After a crash or reboot: bridges and rules back, endpoints whose namespace is gone dropped. */
  reconcile(isAlive?: (container: string) => boolean): Promise<{ endpoints: string[]; links: string[] }> {
    return reconcile(this, isAlive);
  }

  /** Removes every bridge, veth, chain, rule and state file this manager's prefixes made. */
  reset(): Promise<void> {
    return reset(this);
  }

  isOurBridge(name: string): boolean {
    return name === `${this.prefix}0` || name.startsWith(`${this.prefix}-`);
  }

  // ---------------------------------------------------------------- helpers

  private find(nameOrId: string): NetworkState | undefined {
    const nets = this.store.load();
    return nets.find((n) => n.name === nameOrId) ?? nets.find((n) => n.id === nameOrId)
      ?? (nameOrId.length >= 3 ? nets.filter((n) => n.id.startsWith(nameOrId)).at(0) : undefined);
  }

  mustFind(nameOrId: string): NetworkState {
    const n = this.find(nameOrId);
    if (!n) throw new NotFoundError(`network ${nameOrId} not found (boxlab network ls lists them)`);
    return n;
  }

  private subnetFree(c: Cidr, taken: { cidr: Cidr }[]): boolean {
    return !taken.some((t) => overlaps(t.cidr, c)) && !this.store.load().some((n) => overlaps(parseSubnet(n.subnet), c));
  }

  /** IPv4 routes of the host other than boxlab's own bridges: subnets there would break host networking. */
  private async hostRoutes(): Promise<{ cidr: Cidr; text: string }[]> {
    const r = await host('ip', ['-4', '-j', 'route', 'show']);
    const routes = JSON.parse(r.stdout || '[]') as { dst: string; dev?: string }[];
    const out: { cidr: Cidr; text: string }[] = [];
    for (const route of routes) {
      if (route.dst === 'default' || (route.dev && this.isOurBridge(route.dev))) continue;
      const [addr = '', len = '32'] = route.dst.split('/');
      const base = parseIp(addr);
      if (base !== undefined) out.push({ cidr: { base, prefixLen: Number(len) }, text: `${route.dst}${route.dev ? ` dev ${route.dev}` : ''}` });
    }
    return out;
  }

  private toRecord(n: NetworkState): NetworkRecord {
    const prefixLen = parseSubnet(n.subnet).prefixLen;
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: 'local',
      Driver: 'bridge',
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
      Internal: false,
      Attachable: false,
      Containers: Object.fromEntries(Object.values(n.endpoints).map((e) => [e.container, {
        Name: e.containerName, EndpointID: e.endpointId, MacAddress: e.mac, IPv4Address: `${e.ip}/${prefixLen}`, IPv6Address: '',
      }])),
      Options: { 'com.docker.network.bridge.name': n.bridge, 'com.docker.network.driver.mtu': String(this.mtu), 'com.boxlab.iptables.chains': `${this.chains.dnat.replace(/-DNAT$/, '')}-*` },
      Labels: n.labels ?? {},
    };
  }
}


