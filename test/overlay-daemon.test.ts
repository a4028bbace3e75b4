import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerRecord } from '../engine/containers/types.js';
import { CLI, startDaemon, type TestDaemon } from './helpers/daemon.js';
import { startEtcd, type TestEtcd } from './helpers/etcd.js';

// Two boxlab "hosts" on this machine: two test daemons, each in its own network namespace, joined by a veth
// pair as their underlay (192.168.250.0/24 exists only between them). etcd runs in host A's namespace on its
// underlay address, as a cluster store on a real network would. A container on A pings one on B across VXLAN.
const UNDERLAY = { a: '192.168.250.1', b: '192.168.250.2' };
const STORE = `etcd://${UNDERLAY.a}:2379`;
let a: TestDaemon;
let b: TestDaemon;
let etcd: TestEtcd | undefined;

const inNs = (d: TestDaemon, cmd: string[]) => execa('nsenter', [`--net=/proc/${d.process.pid}/ns/net`, '--', ...cmd]);

beforeAll(async () => {
  a = await startDaemon({ daemonArgs: ['--cluster-store', STORE, '--cluster-advertise', UNDERLAY.a] });
  b = await startDaemon({ daemonArgs: ['--cluster-store', STORE, '--cluster-advertise', UNDERLAY.b] });
  await inNs(a, ['ip', 'link', 'add', 'ul0', 'type', 'veth', 'peer', 'name', 'ul0', 'netns', `/proc/${b.process.pid}/ns/net`]);
  for (const [d, addr] of [[a, UNDERLAY.a], [b, UNDERLAY.b]] as const) {
    await inNs(d, ['ip', 'addr', 'add', `${addr}/24`, 'dev', 'ul0']);
    await inNs(d, ['ip', 'link', 'set', 'ul0', 'up']);
  }
  etcd = await startEtcd({ inNetnsOf: a.process.pid!, ip: UNDERLAY.a });
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await etcd?.stop();
});

describe('overlay network through two daemons sharing etcd', () => {
  it('network create -d overlay on A is seen on B; containers on A and B ping each other by IP and by name', async () => {
    const created = await a.cli(['network', 'create', '-d', 'overlay', '--subnet', '10.90.0.0/24', 'ov']);
    expect(created.exitCode, created.stderr).toBe(0);
    expect((await b.cli(['network', 'ls'])).stdout).toMatch(/ov\s+overlay/);

    expect((await a.cli(['run', '-d', '--name', 'a1', '--network', 'ov', 'busybox', 'sleep', '600'])).exitCode).toBe(0);
    const ranB = await b.cli(['run', '-d', '--name', 'b1', '--network', 'ov', 'busybox', 'sleep', '600']);
    expect(ranB.exitCode, ranB.stderr).toBe(0);
    const started = Date.now();
    const ipA = (await a.client.get<ContainerRecord>('/containers/a1/json')).NetworkSettings.IPAddress;
    const ipB = (await b.client.get<ContainerRecord>('/containers/b1/json')).NetworkSettings.IPAddress;
    expect(ipA).toMatch(/^10\.90\.0\./);
    expect(ipB).toMatch(/^10\.90\.0\./);
    expect(ipA).not.toBe(ipB);
    for (;;) {
      const r = await a.cli(['exec', 'a1', 'ping', '-c1', '-W1', ipB]);
      if (r.stdout.includes('1 packets received')) break;
      if (Date.now() - started > 10_000) throw new Error(`a1 cannot reach b1 (${ipB}): ${r.stdout}${r.stderr}`);
    }
    console.log(`a1 → b1 across the VXLAN answered ${Date.now() - started} ms after b1's run returned`);
    expect((await b.cli(['exec', 'b1', 'ping', '-c1', '-W2', ipA])).stdout).toContain('1 packets received');
    expect((await b.cli(['exec', 'b1', 'cat', '/sys/class/net/eth0/mtu'])).stdout.trim()).toBe('1450');
    // by name: each host writes its containers' /etc/hosts from the endpoints in etcd, whichever host they are on
    expect((await a.cli(['exec', 'a1', 'cat', '/etc/hosts'])).stdout).toContain(`${ipB}\tb1`);
    expect((await b.cli(['exec', 'b1', 'ping', '-c1', '-W2', 'a1'])).stdout).toContain('1 packets received');
    expect((await a.cli(['exec', 'a1', 'ping', '-c1', '-W2', 'b1'])).stdout).toContain('1 packets received');
  });

  it('network rm is refused while a host has endpoints, allowed once they are gone', async () => {
    const refused = await b.cli(['network', 'rm', 'ov']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/still has 2 endpoint\(s\)/);
    await a.cli(['rm', '-f', 'a1']);
    await b.cli(['rm', '-f', 'b1']);
    const removed = await a.cli(['network', 'rm', 'ov']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect((await b.cli(['network', 'ls'])).stdout).not.toMatch(/\bov\b/);
  });

  it('daemon flags: a bad store URL or a missing underlay address is one line, before anything is made', async () => {
    for (const [flags, msg] of [
      [['--cluster-store', STORE], /--cluster-store needs --cluster-advertise IP/],
      [['--cluster-store', 'http://x:1', '--cluster-advertise', UNDERLAY.a], /invalid cluster store "http:\/\/x:1": write it as etcd:\/\//],
    ] as const) {
      const root = `${a.root}/bad-daemon`;
      const r = await execa('unshare', ['--net', '--', process.execPath, CLI, '--root', root, '--socket', `${root}.sock`, 'daemon', ...flags], { reject: false, timeout: 30_000 });
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(existsSync(root)).toBe(false);
    }
  });

  it('without a cluster store, -d overlay says what to do', async () => {
    const plain = await startDaemon();
    try {
      const r = await plain.cli(['network', 'create', '-d', 'overlay', '--subnet', '10.91.0.0/24', 'x']);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/overlay networks need a cluster store: start the daemon with --cluster-store/);
    } finally {
      await plain.stop();
    }
  });
});
