import { writeFileSync } from 'node:fs';
import { ConflictError, UserError } from '../sys/index.js';
import { etcPaths, hostsContent } from './files.js';
import type { ContainerRecord, HostConfig } from './types.js';
import type { InitConfig } from '../namespaces/protocol.js';
import { attachContainer, interfacesFor, DEFAULT_NETWORK, networkSettings, parseNetworkMode, parsePublish, type NetworkManager, type PortSpec } from '../network/index.js';
import { clusterConnectionOf, overlayAgentOf } from '../network/cluster/index.js';

/** docker's EndpointSettings as a client asks for them (create's NetworkingConfig, connect's EndpointConfig). */
export interface EndpointConfig {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  DriverOpts?: Record<string, string> | null;
  MacAddress?: string;
}

/** The endpoints a container asked for, by network name (kept in Config.NetworkingConfig, as docker keeps them). */
export function endpointConfigs(rec: { Config?: object }): Record<string, EndpointConfig> {
  return (rec.Config as { NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointConfig> } }).NetworkingConfig?.EndpointsConfig ?? {};
}

/**
 * Records (or, with `undefined`, forgets) what a container asked of one network, applied at its next start,
 * and refreshes its NetworkSettings. For the Runtime's record(): the caller saves.
 */
export function setEndpointConfig(rec: ContainerRecord, network: string, cfg: EndpointConfig | undefined, mgr: NetworkManager): void {
  const config = rec.Config as { NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointConfig> } };
  const all = { ...endpointConfigs(rec) };
  if (cfg) all[network] = cfg;
  else delete all[network];
  config.NetworkingConfig = { ...config.NetworkingConfig, EndpointsConfig: all };
  rec.NetworkSettings = containerNetworkSettings(mgr, rec);
}

/**
 * NetworkSettings as inspect shows them: the kernel's side from the network room (addresses, MAC, gateway)
 * plus what the client asked for each endpoint (aliases, IPAM config, links, driver options), as dockerd
 * shows them. A network the container is configured for but not attached to (created, stopped) is listed
 * with its addresses empty.
 */
export function containerNetworkSettings(mgr: NetworkManager, rec: ContainerRecord): ContainerRecord['NetworkSettings'] {
  const live = rec.State.Pid > 0 ? networkSettings(mgr, rec.Id, rec.State.Pid) : { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: '' };
  const networks: Record<string, unknown> = {};
  const mode = parseNetworkMode(rec.HostConfig.NetworkMode);
  const configured = mode.kind === 'bridge' ? [mode.network, ...Object.keys(endpointConfigs(rec))] : mode.kind === 'container' ? [] : [mode.kind];
  for (const name of new Set([...configured, ...Object.keys(live.Networks)])) {
    const cfg = endpointConfigs(rec)[name] ?? {};
    const attached = (live.Networks as Record<string, Record<string, unknown>>)[name];
    // docker (API < 1.45) lists the container's short id among the aliases on user networks
    const aliases = mode.kind !== 'bridge' || name === DEFAULT_NETWORK ? cfg.Aliases ?? null : [...(cfg.Aliases ?? []), rec.Id.slice(0, 12)];
    networks[name] = {
      IPAMConfig: cfg.IPAMConfig ?? null, Links: cfg.Links ?? null, Aliases: aliases, DriverOpts: cfg.DriverOpts ?? null,
      NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      MacAddress: '', ...attached,
    };
  }
  return { ...live, Networks: networks };
}

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
  for (const name of Object.keys(endpointConfigs({ Config: body }))) if (name !== DEFAULT_NETWORK) mgr.inspect(name);
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
  const primary = mode.kind === 'bridge' ? mode.network : undefined;
  const ip = primary ? endpointConfigs(rec)[primary]?.IPAMConfig?.IPv4Address ?? requestedIp(rec.Config) : undefined;
  await attachContainer(mgr, {
    id: rec.Id, name: rec.Name.replace(/^\//, ''), pid, networkMode: rec.HostConfig.NetworkMode,
    ports: portSpecsOf(rec.HostConfig), ...(ip && { ip }), addressInInit: true,
  });
  // the init addresses these itself; the extra networks below are connected (and addressed) by `ip` as connect does
  const interfaces = interfacesFor(mgr, rec.Id);
  // the other networks it was connected to while stopped (docker network connect on a created container)
  try {
    for (const [network, cfg] of Object.entries(endpointConfigs(rec))) {
      if (!primary || network === primary || mgr.endpointsOf(rec.Id).some((e) => e.network === network)) continue;
      const extraIp = cfg.IPAMConfig?.IPv4Address;
      await mgr.connect({ container: rec.Id, containerName: rec.Name.slice(1), netnsPath: `/proc/${pid}/ns/net`, network, ...(extraIp && { ip: extraIp }) });
    }
  } catch (e) {
    await mgr.release(rec.Id);
    throw e;
  }
  rec.NetworkSettings = containerNetworkSettings(mgr, { ...rec, State: { ...rec.State, Pid: pid } });
  if (!rec.NetworkSettings.IPAddress) return {};
  writeHosts(mgr, rec, containerDir);
  return { interfaces };
}

/** After the container exited (or when its start failed): release everything it held. */
export async function stopNetwork(mgr: NetworkManager, rec: ContainerRecord): Promise<void> {
  await mgr.release(rec.Id);
  rec.NetworkSettings = containerNetworkSettings(mgr, { ...rec, State: { ...rec.State, Pid: 0 } });
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

/**
 * docker network connect: a container with a network namespace of its own joins now if it runs, else at its
 * next start. Returns the network's name (the key its endpoint config is kept under).
 */
export async function connectContainer(mgr: NetworkManager, rec: ContainerRecord, network: string, cfg: EndpointConfig): Promise<string> {
  if (parseNetworkMode(rec.HostConfig.NetworkMode).kind !== 'bridge') {
    throw new UserError(`container ${rec.Name.slice(1)} uses --network ${rec.HostConfig.NetworkMode}: it has no network namespace of its own to connect`);
  }
  const name = mgr.inspect(network).Name; // NotFoundError for an unknown network
  const attached = rec.State.Running ? mgr.endpointsOf(rec.Id).some((e) => e.network === name) : endpointConfigs(rec)[name] !== undefined;
  if (attached) {
    throw new ConflictError(`endpoint with name ${rec.Name.slice(1)} already exists in network ${name}`);
  }
  const ip = cfg.IPAMConfig?.IPv4Address;
  if (rec.State.Running) await mgr.connect({ container: rec.Id, containerName: rec.Name.slice(1), netnsPath: `/proc/${rec.State.Pid}/ns/net`, network, ...(ip && { ip }) });
  return name;
}
