import type { NetworkManager } from './manager.js';
import { parseNetworkMode } from './modes.js';
import { portsToDocker } from './modes.js';
import type { PortSpec } from './ports.js';

/** docker's NetworkSettings of a container, as `inspect` shows them. */
export interface DockerNetworkSettings {
  Networks: Record<string, { NetworkID: string; EndpointID: string; Gateway: string; IPAddress: string; IPPrefixLen: number; MacAddress: string }>;
  Ports: Record<string, { HostIp: string; HostPort: string }[]>;
  IPAddress: string;
  Gateway: string;
  SandboxKey: string;
}

export interface AttachInput {
  id: string;
  name: string;
  /** pid of the container's init, after it exists and before it is released to exec */
  pid: number;
  /** HostConfig.NetworkMode: bridge (default), a network name, none, host, container:X */
  networkMode: string | undefined;
  /** --ip, on user networks only */
  ip?: string;
  /** -p mappings, already parsed with parsePublish (check them with assertPublishable before creating anything) */
  ports?: PortSpec[];
  /** the init addresses its interfaces itself (ConnectOptions.addressInInit); see interfacesFor */
  addressInInit?: boolean;
}

/**
 * The network part of starting a container, for the runtime's `prepare(pid)` step: connect the init's netns
 * to its network and publish its ports. All or nothing: on failure everything it made is released before the
 * error propagates. Modes none/host/container: need no wiring and get empty settings.
 */
export async function attachContainer(mgr: NetworkManager, c: AttachInput): Promise<DockerNetworkSettings> {
  const mode = parseNetworkMode(c.networkMode);
  if (mode.kind !== 'bridge') {
    return { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: mode.kind === 'none' ? `/proc/${c.pid}/ns/net` : '' };
  }
  try {
    const ep = await mgr.connect({
      container: c.id, containerName: c.name, netnsPath: `/proc/${c.pid}/ns/net`, network: mode.network,
      ...(c.ip && { ip: c.ip }), ...(c.addressInInit && { addressInInit: true }),
    });
    if (c.ports?.length) await mgr.publish(c.id, ep.ip, c.ports);
  } catch (e) {
    await mgr.release(c.id);
    throw e;
  }
  return networkSettings(mgr, c.id, c.pid);
}

/**
 * What an init told to address its own interfaces needs (InitConfig.interfaces): every endpoint of the
 * container, the default route through the first network's gateway (eth0's), as connect would have done.
 */
export function interfacesFor(mgr: NetworkManager, id: string): { ifname: string; address: string; prefixLen: number; gateway?: string }[] {
  const eps = mgr.endpointsOf(id);
  const first = eps.find((e) => e.ifname === 'eth0') ?? eps[0];
  return eps.map((e) => ({ ifname: e.ifname, address: e.ip, prefixLen: e.prefixLen, ...(e === first && { gateway: e.gateway }) }));
}

/** NetworkSettings from what the manager knows now (after connect/disconnect, for inspect). */
export function networkSettings(mgr: NetworkManager, id: string, pid: number): DockerNetworkSettings {
  const eps = mgr.endpointsOf(id);
  const networks: DockerNetworkSettings['Networks'] = {};
  for (const ep of eps) {
    networks[ep.network] = {
      NetworkID: ep.networkId,
      EndpointID: mgr.inspect(ep.networkId).Containers[id]?.EndpointID ?? '',
      Gateway: ep.gateway,
      IPAddress: ep.ip,
      IPPrefixLen: ep.prefixLen,
      MacAddress: ep.mac,
    };
  }
  const first = eps.find((e) => e.ifname === 'eth0') ?? eps[0];
  return {
    Networks: networks,
    Ports: portsToDocker(eps.flatMap((e) => e.ports)),
    IPAddress: first?.ip ?? '',
    Gateway: first?.gateway ?? '',
    SandboxKey: `/proc/${pid}/ns/net`,
  };
}
