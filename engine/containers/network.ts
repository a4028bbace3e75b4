import { writeFileSync } from 'node:fs';
import { ConflictError, UserError } from '../sys/index.js';
import { etcPaths, hostsContent } from './files.js';
import type { ContainerRecord, HostConfig } from './types.js';
import type { InitConfig } from '../namespaces/protocol.js';
import { attachContainer, interfacesFor, DEFAULT_NETWORK, parseNetworkMode, parsePublish, type NetworkManager, type PortSpec } from '../network/index.js';
import { clusterConnectionOf, overlayAgentOf } from '../network/cluster/index.js';

/**
 * The containers' side of networking: the glue between a ContainerRecord and the network room, which knows
 * endpoints and ports but not containers. In the shapes the runtime keeps (ContainerRecord with docker's
 * HostConfig.PortBindings, NetworkingConfig and NetworkSettings). The runtime calls four functions:
 *   create      → precheckNetwork   (bad -p / --ip / unknown network fail before anything exists)
 *   prepare(pid)→ startNetwork      (veth, IP, routes, DNAT, /etc/hosts; all or nothing)
 *   exit / rm   → stopNetwork       (IPs, rules, records; the veth died with the namespace)
 *   constructor → watchPeers        (rewrite peers' /etc/hosts in place when a user network changes)
 */

/** `-p` bindings as PortSpecs; an empty HostPort (`-p 80`) becomes 0 = any free host port. */
export function portSpecsOf(hc: HostConfig): PortSpec[] {
  const out: PortSpec[] = [];
  for (const [key, bindings] of Object.entries(hc.PortBindings ?? {})) {
    const [ctr = '', proto = 'tcp'] = key.split('/');
    for (const b of bindings ?? [{}]) {
      const hostIp = b.HostIp && b.HostIp !== '0.0.0.0' ? `${b.HostIp}:` : '';
      if (!b.HostPort) {
        const p = parsePublish(`${hostIp}1:${ctr}/${proto}`);
        out.push({ ...p, hostPort: 0 });
      } else {
        out.push(parsePublish(`${hostIp}${b.HostPort}:${ctr}/${proto}`));
      }
    }
  }
  return out;
}

/** `--ip` as the CLI sends it: Config.NetworkingConfig.EndpointsConfig[<network>].IPAMConfig.IPv4Address. */
export function requestedIp(config: object): string | undefined {
  const nc = (config as { NetworkingConfig?: { EndpointsConfig?: Record<string, { IPAMConfig?: { IPv4Address?: string } }> } }).NetworkingConfig;
  for (const ep of Object.values(nc?.EndpointsConfig ?? {})) if (ep.IPAMConfig?.IPv4Address) return ep.IPAMConfig.IPv4Address;
  return undefined;
}

/** At create (`body` = the create request): refuse what cannot work before a rootfs, cgroup or process exists. */
export async function precheckNetwork(mgr: NetworkManager, body: { HostConfig?: HostConfig }): Promise<void> {
  const hc = body.HostConfig ?? {};
  const ip = requestedIp(body);
  const mode = parseNetworkMode(hc.NetworkMode);
  const ports = portSpecsOf(hc);
  if (mode.kind !== 'bridge') {
    if (ports.length > 0) throw new UserError(`-p needs a bridge network: --network ${hc.NetworkMode} has no ports of its own to publish`);
    if (ip) throw new UserError(`--ip needs a user-defined network, not --network ${hc.NetworkMode}`);
    return;
  }
  if (await isOverlay(mgr, mode.network)) {
    if (ports.length > 0 || ip) throw new UserError(`-p and --ip are not supported on overlay network ${mode.network} yet`);
    return;
  }
  if (mode.network !== DEFAULT_NETWORK) mgr.inspect(mode.network); // NotFoundError for an unknown network
  else if (ip) throw new UserError('--ip works on user-defined networks only; create one with `boxlab network create`');
  await mgr.assertPublishable(ports);
}

/**
 * In prepare(pid): wire the init's namespace, publish its ports, write its /etc/hosts; updates the record.
 * The veth is made here; its address and the default route are set by the init itself (the config part
 * returned, for InitConfig.interfaces), one `nsenter ip` process fewer per start.
 */
export async function startNetwork(mgr: NetworkManager, rec: ContainerRecord, pid: number, containerDir: string): Promise<Pick<InitConfig, 'interfaces'>> {
  const mode = parseNetworkMode(rec.HostConfig.NetworkMode);
  if (mode.kind === 'bridge' && await isOverlay(mgr, mode.network)) {
    const agent = await overlayAgentOf(mgr);
    // Peers on other hosts come and go through the agent's watch: rewrite /etc/hosts in place each time
    const ep = await agent.attachContainer(rec.Id, mode.network, `/proc/${pid}/ns/net`, {
      name: rec.Name.replace(/^\//, ''),
      onPeersChanged: () => {
        try {
          writeHosts(mgr, rec, containerDir);
        } catch {
          // the container is going away
        }
      },
    });
    const net = (await agent.store.getNetwork(mode.network))!;
    rec.NetworkSettings = {
      Networks: { [mode.network]: { NetworkID: net.id, EndpointID: ep.id, Gateway: '', IPAddress: ep.ip, IPPrefixLen: ep.prefixLen, MacAddress: ep.mac } },
      Ports: {}, IPAddress: ep.ip, Gateway: '', SandboxKey: `/proc/${pid}/ns/net`,
    };
    writeHosts(mgr, rec, containerDir);
    return {}; // the overlay agent addresses the container's end itself
  }
  const ip = requestedIp(rec.Config);
  rec.NetworkSettings = await attachContainer(mgr, {
    id: rec.Id, name: rec.Name.replace(/^\//, ''), pid, networkMode: rec.HostConfig.NetworkMode,
    ports: portSpecsOf(rec.HostConfig), ...(ip && { ip }), addressInInit: true,
  });
  if (!rec.NetworkSettings.IPAddress) return {};
  writeHosts(mgr, rec, containerDir);
  return { interfaces: interfacesFor(mgr, rec.Id) };
}

/** After the container exited (or when its start failed): release everything it held. */
export async function stopNetwork(mgr: NetworkManager, rec: ContainerRecord): Promise<void> {
  await mgr.release(rec.Id);
  rec.NetworkSettings = { ...rec.NetworkSettings, Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: '' };
  // Only if the daemon is connected: a container cannot hold an overlay endpoint otherwise
  await clusterConnectionOf(mgr)?.connected()?.releaseContainer(rec.Id);
}

/** A name that is no local network but one of the cluster store's (only asked when the daemon has one). */
async function isOverlay(mgr: NetworkManager, name: string): Promise<boolean> {
  if (name === DEFAULT_NETWORK || !clusterConnectionOf(mgr) || mgr.list().some((n) => n.Name === name)) return false;
  return (await (await overlayAgentOf(mgr)).store.getNetwork(name)) !== undefined;
}

/** /etc/hosts of a container: its own name and address, then its peers on user networks. */
export function writeHosts(mgr: NetworkManager, rec: ContainerRecord, containerDir: string): void {
  // In place (writeFileSync truncates the same inode): the container sees the file through a bind mount.
  const overlayPeers = clusterConnectionOf(mgr)?.connected()?.peerHosts(rec.Id) ?? [];
  writeFileSync(etcPaths(containerDir).hosts, hostsContent(rec.Config.Hostname ?? '', rec.NetworkSettings.IPAddress || undefined, [...mgr.hostsEntries(rec.Id), ...overlayPeers]));
}

/** Keeps every running container's /etc/hosts current as peers join and leave its user networks. */
export function watchPeers(mgr: NetworkManager, lookup: (id: string) => ContainerRecord | undefined, dirOf: (id: string) => string): () => void {
  return mgr.onPeersChanged((id) => {
    const rec = lookup(id);
    if (!rec?.State.Running) return;
    try {
      writeHosts(mgr, rec, dirOf(id));
    } catch {
      // the container is going away
    }
  });
}

/** docker network connect: only a running container with a network namespace of its own can join one. */
export async function connectRunning(mgr: NetworkManager, rec: ContainerRecord, network: string, ip?: string): Promise<void> {
  if (!rec.State.Running) throw new ConflictError(`container ${rec.Name.slice(1)} is not running: start it, then connect it`);
  if (parseNetworkMode(rec.HostConfig.NetworkMode).kind !== 'bridge') {
    throw new UserError(`container ${rec.Name.slice(1)} uses --network ${rec.HostConfig.NetworkMode}: it has no network namespace of its own to connect`);
  }
  await mgr.connect({ container: rec.Id, containerName: rec.Name.slice(1), netnsPath: `/proc/${rec.State.Pid}/ns/net`, network, ...(ip && { ip }) });
}
