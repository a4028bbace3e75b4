import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { ConflictError, NotFoundError, UserError } from '../sys/index.js';
import { deleteRule } from './iptables.js';
import { formatIp, parseIp, parseSubnet } from './ipv4.js';
import { createVeth, deleteLink, ipInNetns, linkExists, macFor } from './links.js';
import type { PortSpec } from './ports.js';
import type { EndpointRecord, NetworkState } from './store.js';
import { DEFAULT_NETWORK, type ConnectOptions, type EndpointInfo, type NetworkManager } from './manager.js';
import { peersChanged } from './peers.js';

/**
 * Endpoints: a container's veth on a network, its address from the network's IPAM, and the record of both.
 * connect is all or nothing: a failed step deletes the veth and frees the address again.
 */
export async function connectEndpoint(m: NetworkManager, o: ConnectOptions): Promise<EndpointInfo> {
  if (o.network === DEFAULT_NETWORK) await m.ensureDefault();
  const net = m.mustFind(o.network);
  let requested: number | undefined;
  if (o.ip !== undefined) {
    if (net.isDefault) throw new UserError('--ip works on user-defined networks only; create one with `boxlab network create`');
    requested = parseIp(o.ip);
    if (requested === undefined) throw new UserError(`invalid IP address "${o.ip}"`);
  }
  if (o.ifname !== undefined && !/^[a-zA-Z0-9_.-]{1,15}$/.test(o.ifname)) throw new UserError(`invalid interface name "${o.ifname}"`);
  const netnsIno = nsInode(o.netnsPath);
  if (netnsIno === undefined) throw new NotFoundError(`network namespace ${o.netnsPath} does not exist (has the container exited?)`);

  const subnet = parseSubnet(net.subnet);
  const { ep, first } = m.store.tx((nets) => {
    const fresh = nets.find((n) => n.id === net.id);
    if (!fresh) throw new NotFoundError(`network ${o.network} not found`);
    if (fresh.endpoints[o.container]) throw new ConflictError(`container ${o.containerName} is already connected to network ${fresh.name}`);
    const mine = nets.flatMap((n) => (n.endpoints[o.container] ? [n.endpoints[o.container]!] : []));
    const ifname = o.ifname ?? nextIfname(mine.map((e) => e.ifname));
    if (mine.some((e) => e.ifname === ifname)) throw new ConflictError(`container ${o.containerName} already has an interface ${ifname}`);
    const ip = formatIp(m.store.ipam.allocate(subnet, requested, fresh.name));
    const rec: EndpointRecord = {
      container: o.container,
      containerName: o.containerName,
      endpointId: randomBytes(32).toString('hex'),
      ifname,
      hostVeth: `${m.vethPrefix}${randomBytes(4).toString('hex')}`,
      ip,
      mac: macFor(ip),
      netnsPath: o.netnsPath,
      netnsIno,
      ports: [],
    };
    fresh.endpoints[o.container] = rec;
    m.store.save(fresh);
    return { ep: rec, first: mine.length === 0 };
  });

  try {
    await m.opts.onStep?.('veth', o.container);
    const veth = { hostVeth: ep.hostVeth, bridge: net.bridge, netnsPath: o.netnsPath, ifname: ep.ifname, mac: ep.mac, mtu: m.mtu };
    try {
      await createVeth(veth);
    } catch (e) {
      // The bridge vanished under us (deleted by hand, a reboot): put the network back once and retry.
      if (await linkExists(net.bridge)) throw e;
      await m.ensureLive(net);
      await createVeth(veth);
    }
    await m.opts.onStep?.('address', o.container);
    if (!o.addressInInit) await ipInNetns(o.netnsPath, [
      `addr add ${ep.ip}/${subnet.prefixLen} dev ${ep.ifname}`,
      `link set dev ${ep.ifname} up`,
      'link set dev lo up',
      // the first network gives the default route, as docker does; later ones only their subnet
      ...(first ? [`route add default via ${net.gateway} dev ${ep.ifname}`] : []),
    ]);
  } catch (e) {
    await deleteLink(ep.hostVeth); // takes the peer in the container with it
    dropEndpoint(m, net.id, o.container);
    throw e;
  }
  peersChanged(m, net.id);
  return { network: net.name, networkId: net.id, ifname: ep.ifname, hostVeth: ep.hostVeth, ip: ep.ip, prefixLen: subnet.prefixLen, gateway: net.gateway, mac: ep.mac };
}

export async function disconnectEndpoint(m: NetworkManager, container: string, network: string): Promise<void> {
  const net = m.mustFind(network);
  const ep = net.endpoints[container];
  if (!ep) throw new NotFoundError(`container ${container} is not connected to network ${net.name}`);
  await releaseEndpoint(m, net, ep);
  peersChanged(m, net.id, [container]);
}

/** Frees everything a container held on every network: IPs, port rules, host veths still around. */
export async function releaseContainer(m: NetworkManager, container: string): Promise<void> {
  for (const net of m.store.load()) {
    const ep = net.endpoints[container];
    if (!ep) continue;
    await releaseEndpoint(m, net, ep);
    peersChanged(m, net.id);
  }
}

export async function releaseEndpoint(m: NetworkManager, net: NetworkState, ep: EndpointRecord): Promise<void> {
  for (const p of ep.ports) for (const r of m.chains.portRules({ bridge: net.bridge, containerIp: ep.ip, ...p })) await deleteRule(r);
  // After the container exited its namespace is gone and the veth pair with it: skip the ~15 ms delete.
  if (nsInode(ep.netnsPath) === ep.netnsIno) await deleteLink(ep.hostVeth);
  dropEndpoint(m, net.id, ep.container);
}

function dropEndpoint(m: NetworkManager, networkId: string, container: string): void {
  m.store.tx((nets) => {
    const n = nets.find((x) => x.id === networkId);
    const ep = n?.endpoints[container];
    if (!n || !ep) return;
    delete n.endpoints[container];
    m.store.save(n);
    m.store.ipam.release(parseSubnet(n.subnet), parseIp(ep.ip)!);
  });
}

/** A container's endpoints with their published ports (for inspect's NetworkSettings and `boxlab port`). */
export function endpointsOf(m: NetworkManager, container: string): (EndpointInfo & { ports: PortSpec[] })[] {
  return m.store.load().flatMap((n) => {
    const ep = n.endpoints[container];
    if (!ep) return [];
    return [{ network: n.name, networkId: n.id, ifname: ep.ifname, hostVeth: ep.hostVeth, ip: ep.ip, prefixLen: parseSubnet(n.subnet).prefixLen, gateway: n.gateway, mac: ep.mac, ports: ep.ports }];
  });
}

export function nsInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function nextIfname(used: string[]): string {
  for (let i = 0; ; i++) if (!used.includes(`eth${i}`)) return `eth${i}`;
}
