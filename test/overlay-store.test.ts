import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterStore, parseClusterStore } from '../engine/network/cluster/store.js';
import { startEtcd, type TestEtcd } from './helpers/etcd.js';

// The overlay driver's cluster state in a real (throwaway, loopback) etcd: two "hosts" are two clients.
let etcd: TestEtcd;
let url: string;
const stores: ClusterStore[] = [];

async function join(host: string, underlay: string, ttlSeconds = 10): Promise<ClusterStore> {
  const s = await ClusterStore.connect(url, { host, underlay, ttlSeconds });
  stores.push(s);
  return s;
}

beforeAll(async () => {
  etcd = await startEtcd();
  url = etcd.endpoint.replace('http://', 'etcd://');
});

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  await etcd?.stop();
});

describe('cluster store', () => {
  it('parses etcd:// URLs and rejects anything else with a one-line reason', () => {
    expect(parseClusterStore('etcd://10.0.0.1:2379,10.0.0.2:2379')).toEqual(['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    expect(() => parseClusterStore('http://x:1')).toThrow(/write it as etcd:\/\/HOST:PORT/);
    expect(() => parseClusterStore('etcd://')).toThrow(/invalid cluster store/);
  });

  it('says clearly when etcd is unreachable', async () => {
    await expect(ClusterStore.connect('etcd://127.0.0.1:1', { host: 'x', underlay: '10.0.0.1' }))
      .rejects.toThrow(/cluster store etcd:\/\/127.0.0.1:1 is unreachable/);
  });

  it('one network name and one VNI cluster-wide', async () => {
    const a = await join('a', '192.0.2.1');
    const b = await join('b', '192.0.2.2');
    const net = await a.createNetwork({ name: 'ov1', subnet: '10.90.0.0/24' });
    expect(net.vni).toBeGreaterThanOrEqual(4096);
    expect(await b.getNetwork('ov1')).toEqual(net);
    await expect(b.createNetwork({ name: 'ov1', subnet: '10.91.0.0/24' })).rejects.toThrow(/already exists/);
  });

  it('two hosts allocating concurrently never get one address twice', async () => {
    const a = await join('ca', '192.0.2.11');
    const b = await join('cb', '192.0.2.12');
    await a.createNetwork({ name: 'race', subnet: '10.92.0.0/26' }); // 62 usable, the gateway reserved: 61
    const rounds = await Promise.all([
      ...Array.from({ length: 31 }, (_, i) => a.allocate('race', `a${i}`)),
      ...Array.from({ length: 30 }, (_, i) => b.allocate('race', `b${i}`)),
    ]);
    expect(new Set(rounds).size).toBe(61);
    expect(rounds).not.toContain('10.92.0.1');
    // the subnet is now full: the next one is refused, on either host
    await expect(a.allocate('race', 'one-too-many')).rejects.toThrow(/no free address left/);
    await expect(b.allocate('race', 'x', '10.92.0.5')).rejects.toThrow(/already in use/);
  });

  it('10 rounds of 10 + 10 concurrent allocations: 0 duplicates in any round', async () => {
    const a = await join('ra', '192.0.2.31');
    const b = await join('rb', '192.0.2.32');
    await a.createNetwork({ name: 'rounds', subnet: '10.94.0.0/24' });
    for (let round = 0; round < 10; round++) {
      const ips = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => a.allocate('rounds', `a${round}-${i}`)),
        ...Array.from({ length: 10 }, (_, i) => b.allocate('rounds', `b${round}-${i}`)),
      ]);
      expect(new Set(ips).size, `round ${round}`).toBe(20);
      await Promise.all(ips.map((ip) => a.release('rounds', ip)));
    }
  });

  it("a dead host's addresses and endpoints expire with its lease; watchers see them go", async () => {
    const a = await join('la', '192.0.2.21');
    const dying = await ClusterStore.connect(url, { host: 'lb', underlay: '192.0.2.22', ttlSeconds: 2 });
    await a.createNetwork({ name: 'lease', subnet: '10.93.0.0/24' });
    const seen = new Map<string, string>();
    const gone: string[] = [];
    const watch = await a.watchEndpoints('lease', (ep) => seen.set(ep.id, `${ep.host} ${ep.underlay} ${ep.ip} ${ep.mac}`), (id) => gone.push(id));
    try {
      const ip = await dying.allocate('lease', 'e1');
      await dying.putEndpoint({ id: 'e1', network: 'lease', mac: '02:b1:0a:5d:00:02', ip });
      await until(() => seen.has('e1'));
      expect(seen.get('e1')).toBe(`lb 192.0.2.22 ${ip} 02:b1:0a:5d:00:02`);
      await expect(a.deleteNetwork('lease')).rejects.toThrow(/still has 1 endpoint\(s\) on host\(s\) lb/);
      dying.abandon(); // no revoke: the lease runs out on its own
      await until(() => gone.includes('e1'), 10_000);
      expect(await a.listEndpoints('lease')).toEqual([]);
      expect(await a.allocate('lease', 'again', ip)).toBe(ip); // its address is free again
    } finally {
      await watch.cancel();
    }
  });
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
