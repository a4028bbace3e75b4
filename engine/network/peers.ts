import type { NetworkManager } from './manager.js';

/** Name resolution between containers on a user network: each one's /etc/hosts lists its peers. */
/** `/etc/hosts` lines for the peers of a container on the user networks it shares with them. */
export function hostsEntries(m: NetworkManager, container: string): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const net of m.store.load()) {
    if (net.isDefault || !net.endpoints[container]) continue;
    for (const ep of Object.values(net.endpoints)) {
      if (ep.container === container || seen.has(ep.containerName)) continue;
      seen.add(ep.containerName);
      lines.push(`${ep.ip}\t${ep.containerName}`);
    }
  }
  return lines;
}

/** Called with each container whose hostsEntries() may have changed; returns the unsubscribe function. */
export function onPeersChanged(m: NetworkManager, listener: (container: string) => void): () => void {
  m.events.on('peers', listener);
  return () => m.events.off('peers', listener);
}

export function peersChanged(m: NetworkManager, networkId: string, alsoNotify: string[] = []): void {
  const net = m.store.load().find((n) => n.id === networkId);
  if (!net || net.isDefault) return;
  for (const c of new Set([...Object.keys(net.endpoints), ...alsoNotify])) m.events.emit('peers', c);
}
