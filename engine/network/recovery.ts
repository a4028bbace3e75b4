import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { host } from '../sys/index.js';
import { ensureRule } from './iptables.js';
import { parseIp, parseSubnet } from './ipv4.js';
import { BRIDGE_ALIAS, deleteLink, linkExists, listLinks } from './links.js';
import type { NetworkManager } from './manager.js';
import { nsInode, releaseEndpoint } from './endpoints.js';

/** What is left after a crash, a reboot or a `reset`: recreate what the records name, delete what they do not. */
/**
 * After a crash or reboot: recreate recorded bridges and rules, drop endpoints whose namespace is gone (or
 * that `isAlive` denies), rebuild every bitmap from the endpoints that remain, and delete boxlab-named links
 * that no record explains. Returns what it dropped.
 */
export async function reconcile(m: NetworkManager, isAlive?: (container: string) => boolean): Promise<{ endpoints: string[]; links: string[] }> {
  const dropped: string[] = [];
  for (const net of m.store.load()) {
    await m.ensureLive(net);
    for (const ep of Object.values(net.endpoints)) {
      const live = nsInode(ep.netnsPath) === ep.netnsIno && (isAlive?.(ep.container) ?? true) && (await linkExists(ep.hostVeth));
      if (!live) {
        await releaseEndpoint(m, net, ep);
        dropped.push(`${ep.containerName}@${net.name}`);
        continue;
      }
      for (const p of ep.ports) for (const r of m.chains.portRules({ bridge: net.bridge, containerIp: ep.ip, ...p })) await ensureRule(r);
    }
  }
  m.store.tx((nets) => {
    for (const n of nets) {
      const c = parseSubnet(n.subnet);
      m.store.ipam.rebuild(c, parseIp(n.gateway)!, Object.values(n.endpoints).map((e) => parseIp(e.ip)!));
    }
  });
  const nets = m.store.load();
  const known = new Set(nets.flatMap((n) => [n.bridge, ...Object.values(n.endpoints).map((e) => e.hostVeth)]));
  const removed: string[] = [];
  for (const l of await ownedLinks(m)) {
    if (!known.has(l) && (await deleteLink(l))) removed.push(l);
  }
  return { endpoints: dropped, links: removed };
}

/** Removes every bridge, veth, chain, rule and state file this manager's prefixes made. */
export async function reset(m: NetworkManager): Promise<void> {
  await m.chains.remove();
  m.chainsReady = undefined;
  m.defaultReady = undefined;
  // What the records name (a prefix may have changed since) plus what carries this manager's prefixes.
  const recorded = m.store.load().flatMap((n) => [n.bridge, ...Object.values(n.endpoints).map((e) => e.hostVeth)]);
  const present = new Set((await listLinks()).map((l) => l.ifname));
  const links = [...new Set([...(await ownedLinks(m)), ...recorded.filter((l) => present.has(l))])];
  // veths first: deleting a bridge leaves its ports behind
  const bridges = new Set(m.store.load().map((n) => n.bridge));
  for (const l of links.filter((x) => !bridges.has(x) && !m.isOurBridge(x))) await deleteLink(l);
  for (const l of links.filter((x) => bridges.has(x) || m.isOurBridge(x))) await deleteLink(l);
  // Another boxlab (a second state root) may still route through its own bridges: leave forwarding on then.
  const orig = join(m.opts.stateDir, 'ip_forward.orig');
  const othersLeft = (await listLinks()).some((l) => l.alias === BRIDGE_ALIAS);
  if (existsSync(orig) && !othersLeft) await host('sysctl', ['-q', '-w', `net.ipv4.ip_forward=${readFileSync(orig, 'utf8').trim()}`]);
  m.store.wipe();
}

async function ownedLinks(m: NetworkManager): Promise<string[]> {
  const all = await listLinks();
  const bridges = new Set(all.filter((l) => l.kind === 'bridge' && m.isOurBridge(l.ifname)).map((l) => l.ifname));
  return all
    .filter((l) => bridges.has(l.ifname) || (l.master !== undefined && bridges.has(l.master)) || (l.kind === 'veth' && l.ifname.startsWith(m.vethPrefix)))
    .map((l) => l.ifname);
}
