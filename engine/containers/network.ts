import { writeFileSync } from 'node:fs';
import { ConflictError, UserError } from '../sys/index.js';
import { etcPaths, hostsContent } from './files.js';
import type { ContainerRecord, HostConfig } from './types.js';
import { attachContainer, DEFAULT_NETWORK, networkSettings, parseNetworkMode, parsePublish, type NetworkManager, type PortSpec } from '../network/index.js';

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
  if (mode.network !== DEFAULT_NETWORK) mgr.inspect(mode.network); // NotFoundError for an unknown network
  for (const name of Object.keys(endpointConfigs({ Config: body }))) if (name !== DEFAULT_NETWORK) mgr.inspect(name);
  else if (ip) throw new UserError('--ip works on user-defined networks only; create one with `boxlab network create`');
  await mgr.assertPublishable(ports);
}

/** In prepare(pid): wire the init's namespace, publish its ports, write its /etc/hosts; updates the record. */
export async function startNetwork(mgr: NetworkManager, rec: ContainerRecord, pid: number, containerDir: string): Promise<void> {
  const mode = parseNetworkMode(rec.HostConfig.NetworkMode);
  const primary = mode.kind === 'bridge' ? mode.network : undefined;
  const ip = primary ? endpointConfigs(rec)[primary]?.IPAMConfig?.IPv4Address ?? requestedIp(rec.Config) : undefined;
  await attachContainer(mgr, {
    id: rec.Id, name: rec.Name.replace(/^\//, ''), pid, networkMode: rec.HostConfig.NetworkMode,
    ports: portSpecsOf(rec.HostConfig), ...(ip && { ip }),
  });
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
  if (rec.NetworkSettings.IPAddress) writeHosts(mgr, rec, containerDir);
}

/** After the container exited (or when its start failed): release everything it held. */
export async function stopNetwork(mgr: NetworkManager, rec: ContainerRecord): Promise<void> {
  await mgr.release(rec.Id);
  rec.NetworkSettings = containerNetworkSettings(mgr, { ...rec, State: { ...rec.State, Pid: 0 } });
}

/** /etc/hosts of a container: its own name and address, then its peers on user networks. */
export function writeHosts(mgr: NetworkManager, rec: ContainerRecord, containerDir: string): void {
  // In place (writeFileSync truncates the same inode): the container sees the file through a bind mount.
  writeFileSync(etcPaths(containerDir).hosts, hostsContent(rec.Config.Hostname ?? '', rec.NetworkSettings.IPAddress || undefined, mgr.hostsEntries(rec.Id)));
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
