import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { host } from '../engine/sys/index.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import type { ContainerRecord } from '../engine/containers/types.js';

/**
 * Networking through the real daemon and CLI. The test daemon runs in a throwaway network namespace (see
 * helpers/daemon.ts): "the host" here is that namespace, entered with nsenter for the host-side views.
 */
let d: TestDaemon;
const inHost = (cmd: string[]) => host('nsenter', [`--net=/proc/${d.process.pid}/ns/net`, ...cmd], { allowFailure: true, timeoutMs: 15_000 });
const inspect = (name: string): Promise<ContainerRecord> => d.client.get<ContainerRecord>(`/containers/${name}/json`);
const ipam = (subnet: string): string => readFileSync(join(d.root, 'network', 'ipam', subnet.replace('/', '_')), 'utf8');
const rules = async (): Promise<string[]> => (await inHost(['iptables-save'])).stdout.split('\n').filter((l) => l.startsWith('-A ')).sort();
const links = async (): Promise<string[]> => (await inHost(['ip', '-br', 'link'])).stdout.split('\n').map((l) => l.split(/\s+/)[0]!).filter(Boolean).sort();

beforeAll(async () => {
  d = await startDaemon();
  await inHost(['ip', 'link', 'set', 'lo', 'up']);
});
afterAll(async () => {
  await d?.stop();
});

describe('run on networks (daemon + CLI)', () => {
  it('containers on a user network reach each other by name, and by IP on the default bridge', async () => {
    expect((await d.cli(['network', 'create', '--subnet', '10.61.0.0/24', 'appnet'])).exitCode).toBe(0);
    expect((await d.cli(['run', '-d', '--name', 'db', '--network', 'appnet', 'busybox', 'sleep', '600'])).exitCode).toBe(0);
    expect((await d.cli(['run', '-d', '--name', 'app', '--network', 'appnet', '--ip', '10.61.0.99', 'busybox', 'sleep', '600'])).exitCode).toBe(0);
    const app = await inspect('app');
    expect(app.NetworkSettings.IPAddress).toBe('10.61.0.99');
    // set by the init itself (ioctls), not by an `ip` process: the address with its /24 and the default route
    const route = (await d.cli(['exec', 'app', 'ip', 'route'])).stdout;
    expect(route).toMatch(/^default via 10\.61\.0\.1 dev eth0/m);
    expect(route).toMatch(/^10\.61\.0\.0\/24 dev eth0 .*src 10\.61\.0\.99/m);
    expect((await d.cli(['exec', 'app', 'ping', '-c1', '-W2', 'db'])).stdout).toContain('1 packets received');
    expect((await d.cli(['exec', 'db', 'cat', '/etc/hosts'])).stdout).toContain('10.61.0.99\tapp');
    await d.cli(['rm', '-f', 'app']);
    expect((await d.cli(['exec', 'db', 'cat', '/etc/hosts'])).stdout).not.toContain('\tapp');
    expect(ipam('10.61.0.0/24')).toBe('111\n');

    await d.cli(['run', '-d', '--name', 'b1', 'busybox', 'sleep', '600']);
    await d.cli(['run', '-d', '--name', 'b2', 'busybox', 'sleep', '600']);
    const b2 = (await inspect('b2')).NetworkSettings.IPAddress;
    expect((await d.cli(['exec', 'b1', 'ping', '-c1', '-W2', b2])).stdout).toContain('1 packets received');
    expect((await d.cli(['exec', 'b1', 'ping', '-c1', '-W1', 'b2'])).exitCode).not.toBe(0);
    await d.cli(['rm', '-f', 'db', 'b1', 'b2']);
    expect((await d.cli(['network', 'rm', 'appnet'])).exitCode).toBe(0);
  });

  it('an httpd answers through its published port from the host; bad -p is refused with one line', async () => {
    expect((await d.cli(['run', '-d', '--name', 'web', '-p', '8080:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc'])).exitCode).toBe(0);
    const hostname = (await inspect('web')).Config.Hostname;
    const r = await inHost(['curl', '-sS', '--max-time', '5', 'http://127.0.0.1:8080/hostname']);
    expect(r.stdout, r.stderr).toBe(hostname);
    expect((await inspect('web')).NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });

    const l0 = await links();
    const rules0 = await rules();
    for (const [args, msg] of [
      [['-p', '8080:80'], /already published by container web/],
      [['-p', '0:80'], /host port "0" must be a number from 1 to 65535/],
      [['-p', '8081:70000'], /(container port "70000"|invalid -p)/],
      [['--network', 'nonet'], /network nonet not found/],
      [['--ip', '172.29.0.50'], /user-defined networks only/],
    ] as [string[], RegExp][]) {
      const bad = await d.cli(['run', '-d', ...args, 'busybox', 'sleep', '600']);
      expect(bad.exitCode, args.join(' ')).not.toBe(0);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(msg);
    }
    expect(await links()).toEqual(l0);
    expect(await rules()).toEqual(rules0);
    await d.cli(['rm', '-f', 'web']);
    expect((await rules()).join('\n')).not.toContain('8080');
  });

  it('a run that fails in the middle of network setup leaves no veth, address or rule', async () => {
    await d.cli(['network', 'create', '--subnet', '10.62.0.0/24', 'failnet']);
    await d.cli(['run', '-d', '--name', 'holder', '--network', 'failnet', '--ip', '10.62.0.7', 'busybox', 'sleep', '600']);
    const l0 = await links();
    const rules0 = await rules();
    const bitmap = ipam('10.62.0.0/24');
    // passes the create-time checks; the address is found taken while connecting, after the init exists
    const r = await d.cli(['run', '-d', '--name', 'loser', '--network', 'failnet', '--ip', '10.62.0.7', 'busybox', 'sleep', '600']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/address 10.62.0.7 is already in use on network failnet/);
    expect(await links()).toEqual(l0);
    expect(await rules()).toEqual(rules0);
    expect(ipam('10.62.0.0/24')).toBe(bitmap);
    expect(Object.values((await d.client.get<{ Containers: Record<string, { Name: string }> }>('/networks/failnet')).Containers).map((c) => c.Name)).toEqual(['holder']);
    await d.cli(['rm', '-f', 'holder', 'loser']);
    await d.cli(['network', 'rm', 'failnet']);
  });

  it('parallel runs get distinct addresses, all released after rm', async () => {
    const n = 12; // each start briefly runs a Node init (~45 MB): keep the burst modest on a 2-core machine
    const ids = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const { Id } = await d.client.post<{ Id: string }>('/containers/create', { Image: 'busybox', Cmd: ['sleep', '600'], HostConfig: {} }, { name: `par${i}` });
      await d.client.post(`/containers/${Id}/start`);
      return Id;
    }));
    const ips = await Promise.all(ids.map(async (id) => (await inspect(id)).NetworkSettings.IPAddress));
    expect(new Set(ips).size).toBe(n);
    expect(ips.every((ip) => ip.startsWith('172.29.'))).toBe(true);
    await Promise.all(ids.map((id) => d.client.call('DELETE', `/containers/${id}`, { query: { force: true } })));
    expect(ipam('172.29.0.0/16')).toBe('11\n');
    // The kernel tears a dead network namespace down asynchronously (a workqueue): the host ends of the
    // veths go a moment after the containers did.
    let left = (await links()).filter((l) => l.startsWith('v'));
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = (await links()).filter((l) => l.startsWith('v'));
    }
    expect(left).toEqual([]);
  });

  it('reset leaves the host namespace without bridges, veths or rules', async () => {
    await d.cli(['run', '-d', '--name', 'last', '-p', '9090:80', 'busybox', 'sleep', '600']);
    await d.client.post('/boxlab/reset');
    expect(await links()).toEqual(['lo']);
    expect(await rules()).toEqual([]);
  });
});
