import { ConflictError, NotFoundError } from '../sys/index.js';
import { ensureRule, deleteRule } from './iptables.js';
import { assertPortFree, clashes, formatPublish, type PortSpec } from './ports.js';
import type { NetworkState } from './store.js';
import type { NetworkManager } from './manager.js';

/** Published ports: DNAT rules from a host port to a container's address, recorded on its endpoint. */
/**
 * Publishes container ports on the host; a hostPort of 0 (docker's `-p 80`) takes a free port from the
 * ephemeral range. Returns the mappings as made.
 */
export async function publish(m: NetworkManager, container: string, ip: string, requested: PortSpec[]): Promise<PortSpec[]> {
  if (requested.length === 0) return [];
  const net = m.store.load().find((n) => n.endpoints[container]?.ip === ip);
  if (!net) throw new NotFoundError(`container ${container} has no endpoint with address ${ip}`);
  const ports = await pickHostPorts(m, requested);
  await assertPublishable(m, ports);
  m.store.tx((nets) => {
    assertUnpublished(nets, ports);
    const fresh = nets.find((n) => n.id === net.id)?.endpoints[container];
    if (!fresh) throw new NotFoundError(`container ${container} is no longer connected to network ${net.name}`);
    fresh.ports.push(...ports);
    m.store.save(nets.find((n) => n.id === net.id)!);
  });
  const added = [];
  try {
    for (const p of ports) {
      for (const r of m.chains.portRules({ bridge: net.bridge, containerIp: ip, ...p })) {
        await ensureRule(r);
        added.push(r);
      }
    }
  } catch (e) {
    for (const r of added.reverse()) await deleteRule(r);
    m.store.tx((nets) => {
      const n = nets.find((x) => x.id === net.id);
      const ep = n?.endpoints[container];
      if (!n || !ep) return;
      ep.ports = ep.ports.filter((q) => !ports.some((p) => clashes(p, q)));
      m.store.save(n);
    });
    throw e;
  }
  return ports;
}

async function pickHostPorts(m: NetworkManager, ports: PortSpec[]): Promise<PortSpec[]> {
  const taken = m.store.load().flatMap((n) => Object.values(n.endpoints).flatMap((e) => e.ports));
  const out: PortSpec[] = [];
  for (const p of ports) {
    if (p.hostPort !== 0) {
      out.push(p);
      continue;
    }
    let found: PortSpec | undefined;
    // docker's ephemeral range; start at a random point so concurrent runs rarely race for one port
    const span = 60999 - 32768 + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span && !found; i++) {
      const candidate = { ...p, hostPort: 32768 + ((start + i) % span) };
      if ([...taken, ...out].some((q) => clashes(candidate, q))) continue;
      try {
        await assertPortFree(candidate);
        found = candidate;
      } catch {
        // in use by a host program: try the next one
      }
    }
    if (!found) throw new ConflictError(`no free host port left for ${p.containerPort}/${p.proto}`);
    out.push(found);
  }
  return out;
}

/**
 * The checks publish() makes, without changing anything: call it before starting a container with -p so a
 * taken port fails the run before any process or veth exists. publish() checks again under the lock.
 */
export async function assertPublishable(m: NetworkManager, ports: PortSpec[]): Promise<void> {
  for (const [i, p] of ports.entries()) {
    if (ports.slice(0, i).some((q) => clashes(p, q))) throw new ConflictError(`host port ${formatPublish(p)} is given twice`);
  }
  const fixed = ports.filter((p) => p.hostPort !== 0); // 0 = any free port, picked at publish time
  assertUnpublished(m.store.load(), fixed);
  for (const p of fixed) await assertPortFree(p);
}

function assertUnpublished(nets: NetworkState[], ports: PortSpec[]): void {
  for (const n of nets) for (const ep of Object.values(n.endpoints)) for (const q of ep.ports) {
    const p = ports.find((x) => clashes(x, q));
    if (p) throw new ConflictError(`host port ${p.hostPort}/${p.proto} is already published by container ${ep.containerName}`);
  }
}
