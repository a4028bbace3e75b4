import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UserError, host, onTrace, withContainer, type TraceEvent } from '../engine/sys/index.js';
import { NetworkManager, attachContainer, prefixesFor, detectIptablesBackend, parseNetworkMode, parsePublish, portsToDocker } from '../engine/network/index.js';
import { portSpecsOf, precheckNetwork } from '../engine/containers/network.js';
import { FakeContainers, enterThrowawayHost, inside, iptablesRules, links, netns } from './network-fixtures.js';

let leave: () => void;
let stateDir: string;
let workDir: string; // hosts files and web roots of the tests, apart from the engine's state
let mgr: NetworkManager;
const fakes = new FakeContainers();
let before: { links: string[]; rules: string[]; policy: string; forward: string };

function ipamFiles(): Record<string, string> {
  const dir = join(stateDir, 'ipam');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return {};
  }
  return Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

beforeAll(async () => {
  leave = enterThrowawayHost();
  await host('ip', ['link', 'set', 'dev', 'lo', 'up']);
  // The notes' pitfall: docker-ce on Debian sets the FORWARD policy to DROP. Everything below must still work.
  await host('iptables', ['-w', '-P', 'FORWARD', 'DROP']);
  stateDir = mkdtempSync(join(tmpdir(), 'boxlab-net-'));
  workDir = mkdtempSync(join(tmpdir(), 'boxlab-net-work-'));
  mgr = new NetworkManager({ stateDir, bridgePrefix: 'bxt', vethPrefix: 'bxtv' });
  // A new netns inherits ip_forward from the host's (net.core.devconf_inherit_init_net=0): remember it.
  before = {
    links: await links(), rules: await iptablesRules(), policy: (await host('iptables', ['-S', 'FORWARD'])).stdout.split('\n')[0]!,
    forward: (await host('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout,
  };
});

afterAll(async () => {
  await fakes.stopAll();
  try {
    await mgr?.reset();
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
    leave?.();
  }
});

describe('parsePublish', () => {
  it('parses [hostIP:]hostPort:containerPort[/proto]', () => {
    expect(parsePublish('8080:80')).toEqual({ hostPort: 8080, containerPort: 80, proto: 'tcp' });
    expect(parsePublish('127.0.0.1:5353:53/udp')).toEqual({ hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, proto: 'udp' });
  });
  it.each(['0:80', '8080:0', '70000:80', '80', 'a:80', '8080:80/sctp', '1.2.3:80:80', '8080:80:90:1'])('refuses %s with a UserError', (s) => {
    expect(() => parsePublish(s)).toThrow(UserError);
  });
  it('names the bad part', () => {
    expect(() => parsePublish('8080:70000')).toThrow('container port "70000" must be a number from 1 to 65535');
  });
});

describe('network modes and docker shapes', () => {
  it('parses --network values', () => {
    expect(parseNetworkMode(undefined)).toEqual({ kind: 'bridge', network: 'bridge' });
    expect(parseNetworkMode('none')).toEqual({ kind: 'none' });
    expect(parseNetworkMode('host')).toEqual({ kind: 'host' });
    expect(parseNetworkMode('container:web')).toEqual({ kind: 'container', ref: 'web' });
    expect(parseNetworkMode('appnet')).toEqual({ kind: 'bridge', network: 'appnet' });
    expect(() => parseNetworkMode('container:')).toThrow(UserError);
  });
  it('renders published ports as docker does', () => {
    expect(portsToDocker([parsePublish('8080:80'), parsePublish('127.0.0.1:5353:53/udp')])).toEqual({
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    });
  });
});

describe('prefixesFor', () => {
  it('keeps boxlab0/BOXLAB-* for the default root and gives other roots names of their own', () => {
    expect(prefixesFor('/var/lib/boxlab')).toEqual({ bridgePrefix: 'boxlab', vethPrefix: 'bxv' });
    const a = prefixesFor('/tmp/some-test-root');
    expect(a.bridgePrefix).toMatch(/^bx[0-9a-f]{5}$/);
    expect(a.vethPrefix).toMatch(/^v[0-9a-f]{5}$/);
    expect(prefixesFor('/tmp/other-root').bridgePrefix).not.toBe(a.bridgePrefix);
    expect(() => new NetworkManager({ stateDir: '/nonexistent', ...a })).not.toThrow();
  });
});

describe('networks', () => {
  it('detects the iptables backend', async () => {
    expect(['nft', 'legacy']).toContain(await detectIptablesBackend());
  });

  it('creates the default network lazily on boxlab0-style bridge with 172.29.0.0/16', async () => {
    expect(mgr.list()).toEqual([]);
    await mgr.ensureDefault();
    const rec = mgr.inspect('bridge');
    expect(rec).toMatchObject({ Name: 'bridge', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.29.0.0/16', Gateway: '172.29.0.1' }] } });
    expect(rec.Options['com.docker.network.bridge.name']).toBe('bxt0');
    expect((await host('ip', ['-br', 'addr', 'show', 'dev', 'bxt0'])).stdout).toContain('172.29.0.1/16');
    expect((await host('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout).toBe('1');
    const nat = (await host('iptables', ['-t', 'nat', '-S'])).stdout;
    expect(nat).toContain('-A POSTROUTING -j BXT-POSTROUTING');
    expect(nat).toContain('-A BXT-POSTROUTING -s 172.29.0.0/16 ! -o bxt0 -j MASQUERADE');
    await mgr.ensureDefault(); // idempotent
    expect(mgr.list()).toHaveLength(1);
  });

  it('refuses bad specs with one line and makes nothing', async () => {
    const l0 = await links();
    const cases: [Parameters<NetworkManager['create']>[0], RegExp][] = [
      [{ name: 'bad', subnet: '10.1.0.0' }, /invalid subnet "10.1.0.0"/],
      [{ name: 'bad', subnet: '10.1.0.300/24' }, /invalid subnet/],
      [{ name: 'bad', subnet: '10.1.0.5/24' }, /host bits are set; did you mean 10.1.0.0\/24/],
      [{ name: 'bad', subnet: '10.1.0.0/31' }, /between \/8 and \/30/],
      [{ name: 'bad', subnet: '10.1.0.0/24', gateway: '10.2.0.1' }, /gateway 10.2.0.1 is not a usable address inside subnet 10.1.0.0\/24/],
      [{ name: 'bad', subnet: '10.1.0.0/24', gateway: '10.1.0.255' }, /not a usable address/],
      [{ name: 'bad', subnet: '172.29.5.0/24' }, /overlaps network bridge \(172.29.0.0\/16\)/],
      [{ name: 'host' }, /reserved/],
      [{ name: '-x' }, /invalid network name/],
    ];
    for (const [spec, msg] of cases) {
      const err = await mgr.create(spec).then(() => undefined, (e: unknown) => e);
      expect(err, JSON.stringify(spec)).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    }
    await expect(mgr.create({ name: 'bridge' })).rejects.toThrow(UserError);
    await expect(mgr.remove('nope')).rejects.toThrow(NotFoundError);
    await expect(mgr.remove('bridge')).rejects.toThrow(/default network/);
    expect(mgr.list().map((n) => n.Name)).toEqual(['bridge']);
    expect(await links()).toEqual(l0);
  });

  it('creates, lists and removes a user network, and refuses a duplicate name', async () => {
    const rec = await mgr.create({ name: 'scratch', subnet: '10.50.0.0/24', gateway: '10.50.0.254' });
    expect(rec.IPAM.Config).toEqual([{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.254' }]);
    const bridge = rec.Options['com.docker.network.bridge.name']!;
    expect(bridge).toMatch(/^bxt-[0-9a-f]+$/);
    expect(bridge.length).toBeLessThanOrEqual(15);
    await expect(mgr.create({ name: 'scratch', subnet: '10.51.0.0/24' })).rejects.toThrow(ConflictError);
    const auto = await mgr.create({ name: 'auto' });
    expect(auto.IPAM.Config[0]!.Subnet).toBe('10.30.0.0/16');
    await mgr.remove('scratch');
    await mgr.remove(auto.Id.slice(0, 12));
    expect(mgr.list().map((n) => n.Name)).toEqual(['bridge']);
    expect(await links()).not.toContain(bridge);
    expect(ipamFiles()['10.50.0.0_24']).toBeUndefined();
  });
});

describe('endpoints', () => {
  it('connects two containers to the default bridge; they ping each other by IP', async () => {
    const a = await fakes.start();
    const b = await fakes.start();
    const ea = await mgr.connect({ container: 'ca', containerName: 'a', netnsPath: netns(a), network: 'bridge' });
    const eb = await mgr.connect({ container: 'cb', containerName: 'b', netnsPath: netns(b), network: 'bridge' });
    expect(ea).toMatchObject({ network: 'bridge', ifname: 'eth0', ip: '172.29.0.2', prefixLen: 16, gateway: '172.29.0.1', mac: '02:b1:ac:1d:00:02' });
    expect(eb.ip).toBe('172.29.0.3');
    expect(ipamFiles()['172.29.0.0_16']).toBe('1111\n');
    const addr = await inside(a, ['ip', '-br', 'addr', 'show', 'dev', 'eth0']);
    expect(addr.stdout).toContain('172.29.0.2/16');
    expect((await inside(a, ['ip', 'route'])).stdout).toContain('default via 172.29.0.1 dev eth0');
    expect((await host('bridge', ['link', 'show'])).stdout).toContain(`${ea.hostVeth}@`);
    const ping = await inside(a, ['busybox', 'ping', '-c1', '-W2', eb.ip]);
    expect(ping.stdout, ping.stderr).toContain('1 packets received');
    expect((await inside(b, ['busybox', 'ping', '-c1', '-W2', ea.ip])).exitCode).toBe(0);
    // the default bridge has no name resolution
    expect(mgr.hostsEntries('ca')).toEqual([]);
    await expect(mgr.connect({ container: 'ca', containerName: 'a', netnsPath: netns(a), network: 'bridge' })).rejects.toThrow(ConflictError);
    await expect(mgr.connect({ container: 'cx', containerName: 'x', netnsPath: netns(a), network: 'nope' })).rejects.toThrow(NotFoundError);
    await expect(mgr.connect({ container: 'cx', containerName: 'x', netnsPath: netns(a), network: 'bridge', ip: '172.29.0.9' })).rejects.toThrow(/user-defined networks only/);
    await mgr.release('ca');
    await mgr.release('cb');
    await fakes.stop(a);
    await fakes.stop(b);
    expect(ipamFiles()['172.29.0.0_16']).toBe('11\n');
    expect(mgr.inspect('bridge').Containers).toEqual({});
  });

  it('every host command of a connect is in the trace, tagged with the container', async () => {
    const c = await fakes.start();
    const events: TraceEvent[] = [];
    const off = onTrace((e) => events.push(e));
    try {
      await withContainer('ctrace', () => mgr.connect({ container: 'ctrace', containerName: 't', netnsPath: netns(c), network: 'bridge' }));
    } finally {
      off();
    }
    const lines = events.map((e) => `${e.kind} ${e.name} ${e.args}`);
    expect(lines.some((l) => /^command ip link add bxtv[0-9a-f]{8} mtu 1500 master bxt0 up type veth peer name eth0/.test(l))).toBe(true);
    expect(lines).toContain('note ip (in container netns) route add default via 172.29.0.1 dev eth0');
    expect(lines.some((l) => l.startsWith('syscall flock '))).toBe(true);
    expect(events.every((e) => e.container === 'ctrace')).toBe(true);
    await fakes.stop(c);
    await mgr.release('ctrace');
  });

  it('recreates a bridge deleted behind its back on the next connect', async () => {
    await mgr.ensureDefault();
    await host('ip', ['link', 'del', 'bxt0']);
    const c = await fakes.start();
    const ep = await mgr.connect({ container: 'cgone', containerName: 'gone', netnsPath: netns(c), network: 'bridge' });
    expect((await host('ip', ['-br', 'addr', 'show', 'dev', 'bxt0'])).stdout).toContain('172.29.0.1/16');
    expect((await inside(c, ['ip', 'route'])).stdout).toContain(`default via ${ep.gateway}`);
    await fakes.stop(c);
    await mgr.release('cgone');
  });

  it('on a user network containers reach each other by name; peers-changed events fire', async () => {
    await mgr.create({ name: 'appnet', subnet: '10.60.0.0/24' });
    const web = await fakes.start();
    const db = await fakes.start();
    const changed: string[] = [];
    const off = mgr.onPeersChanged((c) => changed.push(c));
    await mgr.connect({ container: 'cweb', containerName: 'web', netnsPath: netns(web), network: 'appnet' });
    const edb = await mgr.connect({ container: 'cdb', containerName: 'db', netnsPath: netns(db), network: 'appnet', ip: '10.60.0.50' });
    expect(edb.ip).toBe('10.60.0.50');
    // also on the default bridge: that network must not contribute names
    const edef = await mgr.connect({ container: 'cweb', containerName: 'web', netnsPath: netns(web), network: 'bridge' });
    expect(edef.ifname).toBe('eth1');
    expect((await inside(web, ['ip', 'route'])).stdout).toContain('default via 10.60.0.1 dev eth0');
    expect(mgr.hostsEntries('cweb')).toEqual(['10.60.0.50\tdb']);
    expect(mgr.hostsEntries('cdb')).toEqual(['10.60.0.2\tweb']);
    expect(changed).toContain('cweb');
    expect(changed).toContain('cdb');

    // resolve "db" through a hosts file written from hostsEntries, bind-mounted in a private mount namespace
    const hosts = join(workDir, 'hosts-web');
    writeFileSync(hosts, `127.0.0.1\tlocalhost\n${mgr.hostsEntries('cweb').join('\n')}\n`);
    const byName = await inside(web, ['unshare', '--mount', 'sh', '-c', `mount --bind ${hosts} /etc/hosts && busybox ping -c1 -W2 db`]);
    expect(byName.stdout, byName.stderr).toContain('1 packets received');
    expect(byName.stdout).toContain('10.60.0.50');

    await expect(mgr.connect({ container: 'cz', containerName: 'z', netnsPath: netns(db), network: 'appnet', ip: '10.60.0.50' })).rejects.toThrow(/already in use/);
    await expect(mgr.remove('appnet')).rejects.toThrow(ConflictError);
    await expect(mgr.remove('appnet')).rejects.toThrow(/has containers attached \(web, db\)/);

    changed.length = 0;
    await mgr.disconnect('cdb', 'appnet');
    expect(changed).toEqual(expect.arrayContaining(['cweb', 'cdb']));
    expect(mgr.hostsEntries('cweb')).toEqual([]);
    expect((await inside(db, ['ip', '-br', 'link'])).stdout).not.toContain('eth0');
    off();
    await expect(mgr.disconnect('cdb', 'appnet')).rejects.toThrow(NotFoundError);
    await mgr.release('cweb');
    await fakes.stop(web);
    await fakes.stop(db);
    await mgr.remove('appnet');
  });

  it('a full subnet refuses the next container and leaves nothing behind', async () => {
    await mgr.create({ name: 'tiny', subnet: '10.70.0.0/30' }); // network, gateway, one host, broadcast
    const a = await fakes.start();
    const b = await fakes.start();
    expect((await mgr.connect({ container: 'ta', containerName: 'ta', netnsPath: netns(a), network: 'tiny' })).ip).toBe('10.70.0.2');
    const l0 = await links();
    const err = await mgr.connect({ container: 'tb', containerName: 'tb', netnsPath: netns(b), network: 'tiny' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe('network tiny has no free addresses left in 10.70.0.0/30: remove a container or use a larger subnet');
    expect(await links()).toEqual(l0);
    await mgr.release('ta');
    await fakes.stop(a);
    await fakes.stop(b);
    await mgr.remove('tiny');
  });

  it('a failure in the middle of connect rolls back the veth and the address', async () => {
    const c = await fakes.start();
    await mgr.ensureDefault();
    const bitmap = ipamFiles();
    const l0 = await links();
    const failing = new NetworkManager({
      stateDir, bridgePrefix: 'bxt', vethPrefix: 'bxtv',
      onStep: (step) => {
        if (step === 'address') throw new Error('injected failure before addressing');
      },
    });
    await expect(failing.connect({ container: 'cf', containerName: 'f', netnsPath: netns(c), network: 'bridge' })).rejects.toThrow('injected');
    expect(await links()).toEqual(l0);
    expect((await inside(c, ['ip', '-br', 'link'])).stdout.trim().split('\n')).toHaveLength(1); // only lo
    expect(ipamFiles()).toEqual(bitmap);
    expect(mgr.inspect('bridge').Containers).toEqual({});
    // a real kernel refusal: the container already has an interface of that name
    await expect(mgr.connect({ container: 'cf', containerName: 'f', netnsPath: netns(c), network: 'bridge', ifname: 'lo' })).rejects.toThrow(/ip link add/);
    expect(await links()).toEqual(l0);
    expect(ipamFiles()).toEqual(bitmap);
    // an exited container's namespace
    await fakes.stop(c);
    await expect(mgr.connect({ container: 'cf', containerName: 'f', netnsPath: netns(c), network: 'bridge' })).rejects.toThrow(NotFoundError);
  });

  it('50 parallel connects get 50 distinct addresses, all released afterwards', async () => {
    await mgr.ensureDefault();
    const bitmap = ipamFiles();
    const pids = await Promise.all(Array.from({ length: 50 }, () => fakes.start()));
    const eps = await Promise.all(pids.map((pid, i) => mgr.connect({ container: `p${i}`, containerName: `p${i}`, netnsPath: netns(pid), network: 'bridge' })));
    const ips = new Set(eps.map((e) => e.ip));
    expect(ips.size).toBe(50);
    expect(new Set(eps.map((e) => e.hostVeth)).size).toBe(50);
    expect(Object.keys(mgr.inspect('bridge').Containers)).toHaveLength(50);
    // containers exit first (their veths die with their namespaces), then the engine releases them
    await Promise.all(pids.map((pid) => fakes.stop(pid)));
    await Promise.all(pids.map((_, i) => mgr.release(`p${i}`)));
    expect(ipamFiles()).toEqual(bitmap);
    expect((await links()).filter((l) => l.startsWith('bxtv'))).toEqual([]);
  });
});

describe('published ports', () => {
  let server: Server | undefined;
  afterAll(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  it('an httpd in a container answers through the host port, from the host and from another machine', async () => {
    const www = join(workDir, 'www');
    mkdirSync(www, { recursive: true });
    writeFileSync(join(www, 'index.html'), 'hello from the box\n');
    const web = await fakes.start(['busybox', 'httpd', '-f', '-p', '80', '-h', www]);
    const ep = await mgr.connect({ container: 'cw', containerName: 'w', netnsPath: netns(web), network: 'bridge' });
    const natBefore = (await host('iptables', ['-t', 'nat', '-S', 'BXT-DNAT'])).stdout;
    await mgr.assertPublishable([parsePublish('8080:80')]);
    await mgr.publish('cw', ep.ip, [parsePublish('8080:80')]);
    expect(mgr.endpointsOf('cw')).toEqual([{ ...ep, ports: [parsePublish('8080:80')] }]);
    await expect(mgr.assertPublishable([parsePublish('8080:81')])).rejects.toThrow(ConflictError);
    await expect(mgr.assertPublishable([parsePublish('9000:80'), parsePublish('9000:81')])).rejects.toThrow(/given twice/);
    const nat = (await host('iptables', ['-t', 'nat', '-S', 'BXT-DNAT'])).stdout;
    expect(natBefore).not.toContain('8080');
    expect(nat).toContain(`--dport 8080 -j DNAT --to-destination ${ep.ip}:80`);

    // from the host itself: loopback (OUTPUT DNAT + route_localnet + MASQUERADE) and the gateway address
    const viaLo = await host('curl', ['-sS', '--max-time', '5', 'http://127.0.0.1:8080/'], { allowFailure: true });
    expect(viaLo.stdout, viaLo.stderr).toBe('hello from the box');
    const viaGw = await host('curl', ['-sS', '--max-time', '5', `http://${ep.gateway}:8080/`], { allowFailure: true });
    expect(viaGw.stdout, viaGw.stderr).toBe('hello from the box');

    // from "another machine": a namespace wired to the host by a veth (PREROUTING DNAT, FORWARD policy DROP)
    const client = await fakes.start();
    await host('ip', ['link', 'add', 'cli0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns(client)]);
    try {
      await host('ip', ['addr', 'add', '192.0.2.1/24', 'dev', 'cli0']);
      await host('ip', ['link', 'set', 'cli0', 'up']);
      await inside(client, ['ip', 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0']);
      await inside(client, ['ip', 'link', 'set', 'eth0', 'up']);
      // (busybox-static's wget segfaults here; the host's curl inside the client's netns does the same job)
      const remote = await inside(client, ['curl', '-sS', '--max-time', '5', 'http://192.0.2.1:8080/']);
      expect(remote.stdout, remote.stderr).toBe('hello from the box');
    } finally {
      await host('ip', ['link', 'del', 'cli0'], { allowFailure: true });
      await fakes.stop(client);
    }

    // bad input: the same host port again, a port a host program listens on
    const other = await fakes.start();
    const eo = await mgr.connect({ container: 'co', containerName: 'o', netnsPath: netns(other), network: 'bridge' });
    await expect(mgr.publish('co', eo.ip, [parsePublish('8080:80')])).rejects.toThrow('host port 8080/tcp is already published by container w');
    await expect(mgr.publish('co', eo.ip, [parsePublish('127.0.0.1:8080:80')])).rejects.toThrow(ConflictError);
    server = createServer();
    await new Promise<void>((r) => server!.listen(9090, '127.0.0.1', r));
    const rules0 = await iptablesRules();
    await expect(mgr.publish('co', eo.ip, [parsePublish('9091:80'), parsePublish('9090:80')])).rejects.toThrow('host port 0.0.0.0:9090/tcp is already in use by another program');
    expect(await iptablesRules()).toEqual(rules0);
    await expect(mgr.publish('co', '172.29.9.9', [parsePublish('9092:80')])).rejects.toThrow(NotFoundError);
    await expect(mgr.publish('co', eo.ip, [parsePublish('10.9.9.9:9093:80')])).rejects.toThrow(/not an address of this host/);
    expect(mgr.inspect('bridge').Containers.co).toBeDefined();

    // release removes the DNAT and FORWARD rules with the endpoint
    await mgr.release('cw');
    await mgr.release('co');
    await fakes.stop(web);
    await fakes.stop(other);
    expect((await host('iptables', ['-t', 'nat', '-S', 'BXT-DNAT'])).stdout).not.toContain('8080');
    expect((await host('iptables', ['-S', 'BXT-FORWARD'])).stdout).not.toContain('--dport 80 ');
  });
});

describe('attachContainer (the runtime\'s prepare step)', () => {
  it('connects and publishes, returns docker NetworkSettings, and rolls everything back on failure', async () => {
    const c = await fakes.start();
    const s = await attachContainer(mgr, { id: 'att1', name: 'att', pid: c, networkMode: undefined, ports: [parsePublish('7777:80')] });
    expect(s.Networks.bridge).toMatchObject({ IPAddress: s.IPAddress, Gateway: '172.29.0.1', IPPrefixLen: 16 });
    expect(s.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '7777' }] });
    expect(s.SandboxKey).toBe(netns(c));
    expect(await attachContainer(mgr, { id: 'att2', name: 'att2', pid: c, networkMode: 'none' })).toMatchObject({ Networks: {}, IPAddress: '' });

    const d = await fakes.start();
    const l0 = await links();
    const rules0 = await iptablesRules();
    const bitmap = ipamFiles();
    // the port is taken by att1: the connect already made must be undone
    await expect(attachContainer(mgr, { id: 'att3', name: 'att3', pid: d, networkMode: 'bridge', ports: [parsePublish('7777:80')] })).rejects.toThrow(ConflictError);
    expect(await links()).toEqual(l0);
    expect(await iptablesRules()).toEqual(rules0);
    expect(ipamFiles()).toEqual(bitmap);
    await fakes.stop(c);
    await fakes.stop(d);
    await mgr.release('att1');
  });
});

describe('container hooks', () => {
  it('turns docker PortBindings into PortSpecs, validating each', () => {
    expect(portSpecsOf({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }], '53/udp': [{ HostPort: '' }] } })).toEqual([
      { hostPort: 8080, containerPort: 80, proto: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 8081, containerPort: 80, proto: 'tcp' },
      { hostPort: 0, containerPort: 53, proto: 'udp' },
    ]);
    expect(() => portSpecsOf({ PortBindings: { '80/tcp': [{ HostPort: '70000' }] } })).toThrow(/host port "70000"/);
    expect(() => portSpecsOf({ PortBindings: { '0/tcp': [{ HostPort: '80' }] } })).toThrow(/container port "0"/);
  });

  it('prechecks a create request before anything exists', async () => {
    await expect(precheckNetwork(mgr, { HostConfig: { NetworkMode: 'nonet' } })).rejects.toThrow(NotFoundError);
    await expect(precheckNetwork(mgr, { HostConfig: { NetworkMode: 'none', PortBindings: { '80/tcp': [{ HostPort: '80' }] } } })).rejects.toThrow(/-p needs a bridge network/);
    await expect(precheckNetwork(mgr, { HostConfig: {}, NetworkingConfig: { EndpointsConfig: { bridge: { IPAMConfig: { IPv4Address: '172.29.0.9' } } } } } as never)).rejects.toThrow(/user-defined networks only/);
    await expect(precheckNetwork(mgr, { HostConfig: { NetworkMode: 'host' } })).resolves.toBeUndefined();
    await expect(precheckNetwork(mgr, { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '' }] } } })).resolves.toBeUndefined();
  });

  it('-p with no host port takes a free one from the ephemeral range', async () => {
    const c = await fakes.start();
    const ep = await mgr.connect({ container: 'eph', containerName: 'eph', netnsPath: netns(c), network: 'bridge' });
    const [made] = await mgr.publish('eph', ep.ip, [{ hostPort: 0, containerPort: 80, proto: 'tcp' }]);
    expect(made!.hostPort).toBeGreaterThanOrEqual(32768);
    expect(made!.hostPort).toBeLessThanOrEqual(60999);
    expect((await host('iptables', ['-t', 'nat', '-S', 'BXT-DNAT'])).stdout).toContain(`--dport ${made!.hostPort} -j DNAT`);
    await fakes.stop(c);
    await mgr.release('eph');
  });
});

describe('recovery and reset', () => {
  it('reconcile drops endpoints of vanished containers and rebuilds the bitmap', async () => {
    await mgr.ensureDefault();
    const bitmap = ipamFiles();
    const a = await fakes.start();
    const b = await fakes.start();
    await mgr.connect({ container: 'ra', containerName: 'ra', netnsPath: netns(a), network: 'bridge' });
    const eb = await mgr.connect({ container: 'rb', containerName: 'rb', netnsPath: netns(b), network: 'bridge' });
    await mgr.publish('rb', eb.ip, [parsePublish('7070:80')]);
    // "crash": rb's container dies and nobody releases it; a stray bit appears in the bitmap
    await fakes.stop(b);
    writeFileSync(join(stateDir, 'ipam', '172.29.0.0_16'), '1111111\n');
    const r = await new NetworkManager({ stateDir, bridgePrefix: 'bxt', vethPrefix: 'bxtv' }).reconcile();
    expect(r.endpoints).toEqual(['rb@bridge']);
    expect(Object.keys(mgr.inspect('bridge').Containers)).toEqual(['ra']);
    expect(ipamFiles()['172.29.0.0_16']).toBe('111\n');
    expect((await host('iptables', ['-t', 'nat', '-S', 'BXT-DNAT'])).stdout).not.toContain('7070');
    await mgr.release('ra');
    await fakes.stop(a);
    expect(ipamFiles()).toEqual(bitmap);
  });

  it('reset removes every bridge, veth, rule and IPAM file and leaves the "host" as it was', async () => {
    await mgr.create({ name: 'leftover', subnet: '10.80.0.0/24' });
    const c = await fakes.start();
    const ep = await mgr.connect({ container: 'lc', containerName: 'lc', netnsPath: netns(c), network: 'leftover' });
    await mgr.publish('lc', ep.ip, [parsePublish('6060:80')]);
    await mgr.reset();
    await fakes.stop(c);
    expect(await links()).toEqual(before.links);
    expect(await iptablesRules()).toEqual(before.rules);
    expect((await host('iptables', ['-S', 'FORWARD'])).stdout.split('\n')[0]).toBe(before.policy);
    expect((await host('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout).toBe(before.forward);
    expect(ipamFiles()).toEqual({});
    expect(readdirSync(stateDir)).toEqual([]);
    expect(mgr.list()).toEqual([]);
  });
});
