import { UserError } from '../sys/index.js';
import { type PortSpec } from './ports.js';

/** What `run --network` asked for. Only `bridge` needs the NetworkManager; the others are namespace plans. */
export type NetworkMode =
  | { kind: 'none' } // a new netns with only lo
  | { kind: 'host' } // the host's netns
  | { kind: 'container'; ref: string } // join another container's netns (/proc/<its pid>/ns/net)
  | { kind: 'bridge'; network: string }; // a new netns wired to a boxlab network ("bridge" = default)

export function parseNetworkMode(text: string | undefined): NetworkMode {
  const t = (text ?? '').trim();
  if (t === '' || t === 'default' || t === 'bridge') return { kind: 'bridge', network: 'bridge' };
  if (t === 'none') return { kind: 'none' };
  if (t === 'host') return { kind: 'host' };
  if (t.startsWith('container:')) {
    const ref = t.slice('container:'.length);
    if (!ref) throw new UserError('--network container: needs a container name or id, e.g. --network container:web');
    return { kind: 'container', ref };
  }
  return { kind: 'bridge', network: t };
}

/** Docker's `NetworkSettings.Ports` / `HostConfig.PortBindings` shape: {"80/tcp": [{HostIp, HostPort}]}. */
export function portsToDocker(ports: PortSpec[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) {
    (out[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp ?? '0.0.0.0', HostPort: String(p.hostPort) });
  }
  return out;
}
