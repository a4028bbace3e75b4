import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OverlayAgent, type AttachedEndpoint } from '../engine/network/cluster/agent.js';
import { ClusterStore } from '../engine/network/cluster/store.js';
import { overlayLinkNames } from '../engine/network/cluster/vxlan.js';
import { startEtcd, type TestEtcd } from './helpers/etcd.js';

// The overlay's data plane across two "hosts" on this machine: each host a network namespace of its own,
// joined by a veth pair (the underlay, 192.168.250.0/24, which exists only between those two namespaces),
// each "container" a further namespace. Nothing leaves the namespaces this file creates; all go in afterAll.
const tag = randomBytes(3).toString('hex');
const ns = { hostA: `bxo-${tag}-ha`, hostB: `bxo-${tag}-hb`, cA: `bxo-${tag}-ca`, cB: `bxo-${tag}-cb`, cB2: `bxo-${tag}-cb2` };
const path = (n: string) => `/var/run/netns/${n}`;
const UNDERLAY = { a: '192.168.250.1', b: '192.168.250.2' };

let etcd: TestEtcd;
let storeA: ClusterStore;
let storeB: ClusterStore;
let agentA: OverlayAgent;
let agentB: OverlayAgent;

const ip = (...args: string[]) => execa('ip', args);

async function pingFrom(netns: string, target: string): Promise<boolean> {
  const r = await execa('ip', ['netns', 'exec', netns, 'ping', '-c', '1', '-W', '1', target], { reject: false });
  return r.exitCode === 0;
}

/** Pings until one answer, within `ms`; returns how long it took. */
async function pingWithin(netns: string, target: string, ms = 10_000): Promise<number> {
  const start = Date.now();
  while (!(await pingFrom(netns, target))) {
    if (Date.now() - start > ms) throw new Error(`${target} did not answer from ${netns} within ${ms} ms`);
  }
  return Date.now() - start;
}

beforeAll(async () => {
  etcd = await startEtcd();
  for (const n of Object.values(ns)) await ip('netns', 'add', n);
  await ip('-n', ns.hostA, 'link', 'add', 'ul0', 'type', 'veth', 'peer', 'name', 'ul0', 'netns', ns.hostB);
  for (const [n, addr] of [[ns.hostA, UNDERLAY.a], [ns.hostB, UNDERLAY.b]] as const) {
    await ip('-n', n, 'addr', 'add', `${addr}/24`, 'dev', 'ul0');
    await ip('-n', n, 'link', 'set', 'ul0', 'up');
    await ip('-n', n, 'link', 'set', 'lo', 'up');
  }
  const url = etcd.endpoint.replace('http://', 'etcd://');
  storeA = await ClusterStore.connect(url, { host: 'host-a', underlay: UNDERLAY.a });
  // host B's lease is short: the last test lets it die
  storeB = await ClusterStore.connect(url, { host: 'host-b', underlay: UNDERLAY.b, ttlSeconds: 2 });
  agentA = new OverlayAgent(storeA, { prefix: 'bxo', underlay: UNDERLAY.a, netns: path(ns.hostA) });
  agentB = new OverlayAgent(storeB, { prefix: 'bxo', underlay: UNDERLAY.b, netns: path(ns.hostB) });
});

afterAll(async () => {
  await agentA?.close();
  await agentB?.close().catch(() => undefined);
  await storeA?.close();
  await storeB?.close().catch(() => undefined);
  for (const n of Object.values(ns)) await execa('ip', ['netns', 'del', n], { reject: false });
  await etcd?.stop();
});

describe('overlay data plane (VXLAN programmed from etcd)', () => {
  let epA: AttachedEndpoint;
  let epB: AttachedEndpoint;
  let vni: number;

  it('a container on host A pings a container on host B across the VXLAN', async () => {
    const net = await storeA.createNetwork({ name: 'ov', subnet: '10.90.0.0/24' });
    vni = net.vni;
    epA = await agentA.attach('ov', path(ns.cA));
    epB = await agentB.attach('ov', path(ns.cB));
    expect(epA.ip).not.toBe(epB.ip);
    const ms = await pingWithin(ns.cA, epB.ip);
    console.log(`cross-host ping answered ${ms} ms after the second container was attached`);
    expect(await pingFrom(ns.cB, epA.ip)).toBe(true);
    expect(agentA.errors).toEqual([]);
    expect(agentB.errors).toEqual([]);
  });

  it('the VXLAN device, FDB and neighbour entries are what a learner would read', async () => {
    const { vxlan, bridge } = overlayLinkNames('bxo', vni);
    const link = (await ip('-n', ns.hostA, '-d', 'link', 'show', 'dev', vxlan)).stdout;
    expect(link).toMatch(/mtu 1450/);
    expect(link).toContain(`master ${bridge}`);
    expect(link).toMatch(new RegExp(`vxlan id ${vni} local ${UNDERLAY.a} .*dstport 4789 .*nolearning.*proxy`, 's'));
    const fdb = (await execa('bridge', ['-n', ns.hostA, 'fdb', 'show', 'dev', vxlan])).stdout;
    expect(fdb).toContain(`00:00:00:00:00:00 dst ${UNDERLAY.b} self permanent`);
    expect(fdb).toContain(`${epB.mac} dst ${UNDERLAY.b} self permanent`);
    const neigh = (await ip('-n', ns.hostA, 'neigh', 'show', 'dev', vxlan)).stdout;
    expect(neigh).toContain(`${epB.ip} lladdr ${epB.mac} PERMANENT`);
    // the encapsulated traffic crossed the underlay as UDP: the vxlan device counted what it sent
    const stats = JSON.parse((await ip('-n', ns.hostA, '-j', '-s', 'link', 'show', 'dev', vxlan)).stdout) as { stats64: { tx: { packets: number } } }[];
    expect(stats[0]!.stats64.tx.packets).toBeGreaterThan(0);
  });

  it('a second container on host B gets its own address and is reachable; detaching it unprograms host A', async () => {
    const ep = await agentB.attach('ov', path(ns.cB2));
    expect([epA.ip, epB.ip]).not.toContain(ep.ip);
    await pingWithin(ns.cA, ep.ip);
    await agentB.detach('ov', ep);
    const { vxlan } = overlayLinkNames('bxo', vni);
    for (const deadline = Date.now() + 5000; ;) {
      await agentA.settled('ov');
      const fdb = (await execa('bridge', ['-n', ns.hostA, 'fdb', 'show', 'dev', vxlan])).stdout;
      if (!fdb.includes(ep.mac)) {
        // host B still has epB: broadcasts still go there
        expect(fdb).toContain(`00:00:00:00:00:00 dst ${UNDERLAY.b}`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`host A still has ${ep.mac} in its FDB`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("when host B dies, its endpoints expire with its lease and host A's FDB forgets it", async () => {
    storeB.abandon(); // stops renewing, as a crashed host would
    const { vxlan } = overlayLinkNames('bxo', vni);
    for (const deadline = Date.now() + 10_000; ;) {
      await agentA.settled('ov');
      const fdb = (await execa('bridge', ['-n', ns.hostA, 'fdb', 'show', 'dev', vxlan])).stdout;
      if (!fdb.includes(UNDERLAY.b)) break;
      if (Date.now() > deadline) throw new Error(`host A still sends to ${UNDERLAY.b}: ${fdb}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(agentA.remotes('ov')).toEqual([]);
    expect((await ip('-n', ns.hostA, 'neigh', 'show', 'dev', vxlan)).stdout).not.toContain(epB.ip);
    expect(await storeA.listEndpoints('ov')).toHaveLength(1); // host A's own
  });
});
