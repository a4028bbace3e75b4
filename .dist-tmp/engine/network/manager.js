import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, NotFoundError, UserError, host } from '../sys/index.js';
import { Chains, ensureRule, deleteRule } from './iptables.js';
import { formatCidr, formatIp, isUsableHost, overlaps, parseIp, parseSubnet } from './ipv4.js';
import { BRIDGE_ALIAS, createBridge, createVeth, deleteLink, ipInNetns, linkExists, listLinks, macFor } from './links.js';
import { assertPortFree, clashes, formatPublish } from './ports.js';
import { NetworkStore } from './store.js';
export const DEFAULT_NETWORK = 'bridge';
const RESERVED_NAMES = new Set(['bridge', 'host', 'none', 'default']);
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
// 172.17 is docker's docker0 and 172.18–172.28 its user networks' usual picks: stay clear of them.
const DEFAULT_SUBNETS = ['172.29.0.0/16', '172.30.0.0/16', '172.31.0.0/16',
    ...Array.from({ length: 40 }, (_, i) => `10.${200 + i}.0.0/16`)];
const AUTO_SUBNETS = [
    ...Array.from({ length: 32 }, (_, i) => `10.${30 + i}.0.0/16`),
    ...Array.from({ length: 64 }, (_, i) => `192.168.${160 + i}.0/24`),
];
export class NetworkManager {
    opts;
    store;
    prefix;
    vethPrefix;
    mtu;
    events = new EventEmitter();
    chains;
    defaultReady;
    chainsReady;
    constructor(opts) {
        this.opts = opts;
        this.prefix = opts.bridgePrefix ?? 'boxlab';
        this.vethPrefix = opts.vethPrefix ?? 'bxv';
        if (!/^[a-z][a-z0-9]{0,9}$/.test(this.prefix))
            throw new UserError(`bridge prefix "${this.prefix}" must be 1–10 lower-case letters/digits`);
        if (!/^[a-z][a-z0-9]{0,6}$/.test(this.vethPrefix))
            throw new UserError(`veth prefix "${this.vethPrefix}" must be 1–7 lower-case letters/digits`);
        this.mtu = opts.mtu ?? 1500;
        this.store = new NetworkStore(opts.stateDir);
        this.chains = new Chains(this.prefix);
    }
    // ---------------------------------------------------------------- networks
    ensureDefault() {
        this.defaultReady ??= this.makeDefault().catch((e) => {
            this.defaultReady = undefined;
            throw e;
        });
        return this.defaultReady;
    }
    async makeDefault() {
        const existing = this.find(DEFAULT_NETWORK);
        if (existing) {
            await this.ensureLive(existing);
            return;
        }
        const taken = await this.hostRoutes();
        const subnet = (this.opts.defaultSubnets ?? DEFAULT_SUBNETS).find((s) => this.subnetFree(parseSubnet(s), taken));
        if (!subnet)
            throw new UserError('no free subnet for the default network: every candidate overlaps a host route; create networks with --subnet');
        await this.createNetwork({ name: DEFAULT_NETWORK, subnet }, true);
    }
    async create(spec) {
        if (!NAME.test(spec.name))
            throw new UserError(`invalid network name "${spec.name}": use letters, digits, '_', '.', '-' (starting with a letter or digit)`);
        if (RESERVED_NAMES.has(spec.name))
            throw new UserError(`network name "${spec.name}" is reserved; pick another`);
        return this.toRecord(await this.createNetwork(spec, false));
    }
    async createNetwork(spec, isDefault) {
        const taken = await this.hostRoutes();
        let subnet;
        if (spec.subnet !== undefined) {
            subnet = parseSubnet(spec.subnet);
            const route = taken.find((t) => overlaps(t.cidr, subnet));
            if (route)
                throw new UserError(`subnet ${formatCidr(subnet)} overlaps the host's route ${route.text}; pick another subnet`);
        }
        else {
            if (spec.gateway !== undefined)
                throw new UserError('--gateway needs --subnet');
            const free = AUTO_SUBNETS.map(parseSubnet).find((c) => this.subnetFree(c, taken));
            if (!free)
                throw new UserError('no free subnet left in boxlab\'s pool; pass --subnet');
            subnet = free;
        }
        let gateway = subnet.base + 1;
        if (spec.gateway !== undefined) {
            const g = parseIp(spec.gateway);
            if (g === undefined)
                throw new UserError(`invalid gateway "${spec.gateway}": not an IPv4 address`);
            if (!isUsableHost(subnet, g))
                throw new UserError(`gateway ${spec.gateway} is not a usable address inside subnet ${formatCidr(subnet)}`);
            gateway = g;
        }
        const id = randomBytes(32).toString('hex');
        const net = {
            id,
            name: spec.name,
            bridge: isDefault ? `${this.prefix}0` : `${this.prefix}-${id.slice(0, 14 - this.prefix.length)}`,
            subnet: formatCidr(subnet),
            gateway: formatIp(gateway),
            created: new Date().toISOString(),
            isDefault,
            endpoints: {},
        };
        this.store.tx((nets) => {
            if (nets.some((n) => n.name === spec.name))
                throw new ConflictError(`network ${spec.name} already exists`);
            const other = nets.find((n) => overlaps(parseSubnet(n.subnet), subnet));
            if (other)
                throw new UserError(`subnet ${net.subnet} overlaps network ${other.name} (${other.subnet}); pick another subnet`);
            this.store.save(net);
            this.store.ipam.init(subnet, gateway);
        });
        try {
            await this.ensureLive(net);
        }
        catch (e) {
            await this.teardownNetwork(net);
            this.store.tx(() => {
                this.store.delete(net);
                this.store.ipam.remove(subnet);
            });
            throw e;
        }
        return net;
    }
    /** Bridge, addresses, rules and ip_forward of a recorded network exist in the kernel (idempotent). */
    async ensureLive(net) {
        await this.ensureChains();
        await this.ensureForwarding();
        if (!(await linkExists(net.bridge))) {
            const c = parseSubnet(net.subnet);
            await createBridge(net.bridge, net.gateway, c.prefixLen, this.mtu);
        }
        for (const r of this.chains.networkRules(net.bridge, net.subnet, `${this.prefix}+`))
            await ensureRule(r);
    }
    async teardownNetwork(net) {
        for (const r of this.chains.networkRules(net.bridge, net.subnet, `${this.prefix}+`))
            await deleteRule(r);
        await deleteLink(net.bridge);
    }
    ensureChains() {
        this.chainsReady ??= this.chains.ensure().catch((e) => {
            this.chainsReady = undefined;
            throw e;
        });
        return this.chainsReady;
    }
    /** Routing between the bridges and the rest is off by default; turn it on and remember it for reset(). */
    async ensureForwarding() {
        const now = (await host('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim();
        if (now === '1')
            return;
        const orig = join(this.opts.stateDir, 'ip_forward.orig');
        mkdirSync(this.opts.stateDir, { recursive: true });
        if (!existsSync(orig))
            writeFileSync(orig, `${now}\n`);
        await host('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    }
    async remove(nameOrId) {
        const net = this.mustFind(nameOrId);
        if (net.isDefault)
            throw new UserError(`${net.name} is the default network and cannot be removed (boxlab reset removes it)`, { status: 403 });
        this.store.tx((nets) => {
            const fresh = nets.find((n) => n.id === net.id);
            if (!fresh)
                throw new NotFoundError(`network ${nameOrId} not found`);
            const attached = Object.values(fresh.endpoints).map((e) => e.containerName);
            if (attached.length > 0) {
                throw new ConflictError(`network ${net.name} has containers attached (${attached.join(', ')}): disconnect or remove them first`);
            }
            this.store.delete(fresh);
            this.store.ipam.remove(parseSubnet(fresh.subnet));
        });
        await this.teardownNetwork(net);
    }
    list() {
        return this.store.load().map((n) => this.toRecord(n));
    }
    inspect(nameOrId) {
        return this.toRecord(this.mustFind(nameOrId));
    }
    // ---------------------------------------------------------------- endpoints
    async connect(o) {
        if (o.network === DEFAULT_NETWORK)
            await this.ensureDefault();
        const net = this.mustFind(o.network);
        let requested;
        if (o.ip !== undefined) {
            if (net.isDefault)
                throw new UserError('--ip works on user-defined networks only; create one with `boxlab network create`');
            requested = parseIp(o.ip);
            if (requested === undefined)
                throw new UserError(`invalid IP address "${o.ip}"`);
        }
        if (o.ifname !== undefined && !/^[a-zA-Z0-9_.-]{1,15}$/.test(o.ifname))
            throw new UserError(`invalid interface name "${o.ifname}"`);
        const netnsIno = nsInode(o.netnsPath);
        if (netnsIno === undefined)
            throw new NotFoundError(`network namespace ${o.netnsPath} does not exist (has the container exited?)`);
        const subnet = parseSubnet(net.subnet);
        const { ep, first } = this.store.tx((nets) => {
            const fresh = nets.find((n) => n.id === net.id);
            if (!fresh)
                throw new NotFoundError(`network ${o.network} not found`);
            if (fresh.endpoints[o.container])
                throw new ConflictError(`container ${o.containerName} is already connected to network ${fresh.name}`);
            const mine = nets.flatMap((n) => (n.endpoints[o.container] ? [n.endpoints[o.container]] : []));
            const ifname = o.ifname ?? nextIfname(mine.map((e) => e.ifname));
            if (mine.some((e) => e.ifname === ifname))
                throw new ConflictError(`container ${o.containerName} already has an interface ${ifname}`);
            const ip = formatIp(this.store.ipam.allocate(subnet, requested, fresh.name));
            const rec = {
                container: o.container,
                containerName: o.containerName,
                endpointId: randomBytes(32).toString('hex'),
                ifname,
                hostVeth: `${this.vethPrefix}${randomBytes(4).toString('hex')}`,
                ip,
                mac: macFor(ip),
                netnsPath: o.netnsPath,
                netnsIno,
                ports: [],
            };
            fresh.endpoints[o.container] = rec;
            this.store.save(fresh);
            return { ep: rec, first: mine.length === 0 };
        });
        try {
            await this.opts.onStep?.('veth', o.container);
            const veth = { hostVeth: ep.hostVeth, bridge: net.bridge, netnsPath: o.netnsPath, ifname: ep.ifname, mac: ep.mac, mtu: this.mtu };
            try {
                await createVeth(veth);
            }
            catch (e) {
                // The bridge vanished under us (deleted by hand, a reboot): put the network back once and retry.
                if (await linkExists(net.bridge))
                    throw e;
                await this.ensureLive(net);
                await createVeth(veth);
            }
            await this.opts.onStep?.('address', o.container);
            if (o.configureInside !== false)
                await ipInNetns(o.netnsPath, [
                    `addr add ${ep.ip}/${subnet.prefixLen} dev ${ep.ifname}`,
                    `link set dev ${ep.ifname} up`,
                    'link set dev lo up',
                    // the first network gives the default route, as docker does; later ones only their subnet
                    ...(first ? [`route add default via ${net.gateway} dev ${ep.ifname}`] : []),
                ]);
        }
        catch (e) {
            await deleteLink(ep.hostVeth); // takes the peer in the container with it
            this.dropEndpoint(net.id, o.container);
            throw e;
        }
        this.peersChanged(net.id);
        return { network: net.name, networkId: net.id, ifname: ep.ifname, hostVeth: ep.hostVeth, ip: ep.ip, prefixLen: subnet.prefixLen, gateway: net.gateway, mac: ep.mac };
    }
    async disconnect(container, network) {
        const net = this.mustFind(network);
        const ep = net.endpoints[container];
        if (!ep)
            throw new NotFoundError(`container ${container} is not connected to network ${net.name}`);
        await this.releaseEndpoint(net, ep);
        this.peersChanged(net.id, [container]);
    }
    /** Frees everything a container held on every network: IPs, port rules, host veths still around. */
    async release(container) {
        for (const net of this.store.load()) {
            const ep = net.endpoints[container];
            if (!ep)
                continue;
            await this.releaseEndpoint(net, ep);
            this.peersChanged(net.id);
        }
    }
    async releaseEndpoint(net, ep) {
        for (const p of ep.ports)
            for (const r of this.chains.portRules({ bridge: net.bridge, containerIp: ep.ip, ...p }))
                await deleteRule(r);
        // After the container exited its namespace is gone and the veth pair with it: skip the ~15 ms delete.
        if (nsInode(ep.netnsPath) === ep.netnsIno)
            await deleteLink(ep.hostVeth);
        this.dropEndpoint(net.id, ep.container);
    }
    dropEndpoint(networkId, container) {
        this.store.tx((nets) => {
            const n = nets.find((x) => x.id === networkId);
            const ep = n?.endpoints[container];
            if (!n || !ep)
                return;
            delete n.endpoints[container];
            this.store.save(n);
            this.store.ipam.release(parseSubnet(n.subnet), parseIp(ep.ip));
        });
    }
    /** A container's endpoints with their published ports (for inspect's NetworkSettings and `boxlab port`). */
    endpointsOf(container) {
        return this.store.load().flatMap((n) => {
            const ep = n.endpoints[container];
            if (!ep)
                return [];
            return [{ network: n.name, networkId: n.id, ifname: ep.ifname, hostVeth: ep.hostVeth, ip: ep.ip, prefixLen: parseSubnet(n.subnet).prefixLen, gateway: n.gateway, mac: ep.mac, ports: ep.ports }];
        });
    }
    // ---------------------------------------------------------------- ports
    /**
     * Publishes container ports on the host; a hostPort of 0 (docker's `-p 80`) takes a free port from the
     * ephemeral range. Returns the mappings as made.
     */
    async publish(container, ip, requested) {
        if (requested.length === 0)
            return [];
        const net = this.store.load().find((n) => n.endpoints[container]?.ip === ip);
        if (!net)
            throw new NotFoundError(`container ${container} has no endpoint with address ${ip}`);
        const ports = await this.pickHostPorts(requested);
        await this.assertPublishable(ports);
        this.store.tx((nets) => {
            assertUnpublished(nets, ports);
            const fresh = nets.find((n) => n.id === net.id)?.endpoints[container];
            if (!fresh)
                throw new NotFoundError(`container ${container} is no longer connected to network ${net.name}`);
            fresh.ports.push(...ports);
            this.store.save(nets.find((n) => n.id === net.id));
        });
        const added = [];
        try {
            for (const p of ports) {
                for (const r of this.chains.portRules({ bridge: net.bridge, containerIp: ip, ...p })) {
                    await ensureRule(r);
                    added.push(r);
                }
            }
        }
        catch (e) {
            for (const r of added.reverse())
                await deleteRule(r);
            this.store.tx((nets) => {
                const n = nets.find((x) => x.id === net.id);
                const ep = n?.endpoints[container];
                if (!n || !ep)
                    return;
                ep.ports = ep.ports.filter((q) => !ports.some((p) => clashes(p, q)));
                this.store.save(n);
            });
            throw e;
        }
        return ports;
    }
    async pickHostPorts(ports) {
        const taken = this.store.load().flatMap((n) => Object.values(n.endpoints).flatMap((e) => e.ports));
        const out = [];
        for (const p of ports) {
            if (p.hostPort !== 0) {
                out.push(p);
                continue;
            }
            let found;
            // docker's ephemeral range; start at a random point so concurrent runs rarely race for one port
            const span = 60999 - 32768 + 1;
            const start = Math.floor(Math.random() * span);
            for (let i = 0; i < span && !found; i++) {
                const candidate = { ...p, hostPort: 32768 + ((start + i) % span) };
                if ([...taken, ...out].some((q) => clashes(candidate, q)))
                    continue;
                try {
                    await assertPortFree(candidate);
                    found = candidate;
                }
                catch {
                    // in use by a host program: try the next one
                }
            }
            if (!found)
                throw new ConflictError(`no free host port left for ${p.containerPort}/${p.proto}`);
            out.push(found);
        }
        return out;
    }
    /**
     * The checks publish() makes, without changing anything: call it before starting a container with -p so a
     * taken port fails the run before any process or veth exists. publish() checks again under the lock.
     */
    async assertPublishable(ports) {
        for (const [i, p] of ports.entries()) {
            if (ports.slice(0, i).some((q) => clashes(p, q)))
                throw new ConflictError(`host port ${formatPublish(p)} is given twice`);
        }
        const fixed = ports.filter((p) => p.hostPort !== 0); // 0 = any free port, picked at publish time
        assertUnpublished(this.store.load(), fixed);
        for (const p of fixed)
            await assertPortFree(p);
    }
    // ---------------------------------------------------------------- names
    /** `/etc/hosts` lines for the peers of a container on the user networks it shares with them. */
    hostsEntries(container) {
        const lines = [];
        const seen = new Set();
        for (const net of this.store.load()) {
            if (net.isDefault || !net.endpoints[container])
                continue;
            for (const ep of Object.values(net.endpoints)) {
                if (ep.container === container || seen.has(ep.containerName))
                    continue;
                seen.add(ep.containerName);
                lines.push(`${ep.ip}\t${ep.containerName}`);
            }
        }
        return lines;
    }
    /** Called with each container whose hostsEntries() may have changed; returns the unsubscribe function. */
    onPeersChanged(listener) {
        this.events.on('peers', listener);
        return () => this.events.off('peers', listener);
    }
    peersChanged(networkId, alsoNotify = []) {
        const net = this.store.load().find((n) => n.id === networkId);
        if (!net || net.isDefault)
            return;
        for (const c of new Set([...Object.keys(net.endpoints), ...alsoNotify]))
            this.events.emit('peers', c);
    }
    // ---------------------------------------------------------------- recovery
    /**
     * After a crash or reboot: recreate recorded bridges and rules, drop endpoints whose namespace is gone (or
     * that `isAlive` denies), rebuild every bitmap from the endpoints that remain, and delete boxlab-named links
     * that no record explains. Returns what it dropped.
     */
    async reconcile(isAlive) {
        const dropped = [];
        for (const net of this.store.load()) {
            await this.ensureLive(net);
            for (const ep of Object.values(net.endpoints)) {
                const live = nsInode(ep.netnsPath) === ep.netnsIno && (isAlive?.(ep.container) ?? true) && (await linkExists(ep.hostVeth));
                if (!live) {
                    await this.releaseEndpoint(net, ep);
                    dropped.push(`${ep.containerName}@${net.name}`);
                    continue;
                }
                for (const p of ep.ports)
                    for (const r of this.chains.portRules({ bridge: net.bridge, containerIp: ep.ip, ...p }))
                        await ensureRule(r);
            }
        }
        this.store.tx((nets) => {
            for (const n of nets) {
                const c = parseSubnet(n.subnet);
                this.store.ipam.rebuild(c, parseIp(n.gateway), Object.values(n.endpoints).map((e) => parseIp(e.ip)));
            }
        });
        const nets = this.store.load();
        const known = new Set(nets.flatMap((n) => [n.bridge, ...Object.values(n.endpoints).map((e) => e.hostVeth)]));
        const removed = [];
        for (const l of await this.ownedLinks()) {
            if (!known.has(l) && (await deleteLink(l)))
                removed.push(l);
        }
        return { endpoints: dropped, links: removed };
    }
    /** Removes every bridge, veth, chain, rule and state file this manager's prefixes made. */
    async reset() {
        await this.chains.remove();
        this.chainsReady = undefined;
        this.defaultReady = undefined;
        // What the records name (a prefix may have changed since) plus what carries this manager's prefixes.
        const recorded = this.store.load().flatMap((n) => [n.bridge, ...Object.values(n.endpoints).map((e) => e.hostVeth)]);
        const present = new Set((await listLinks()).map((l) => l.ifname));
        const links = [...new Set([...(await this.ownedLinks()), ...recorded.filter((l) => present.has(l))])];
        // veths first: deleting a bridge leaves its ports behind
        const bridges = new Set(this.store.load().map((n) => n.bridge));
        for (const l of links.filter((x) => !bridges.has(x) && !this.isOurBridge(x)))
            await deleteLink(l);
        for (const l of links.filter((x) => bridges.has(x) || this.isOurBridge(x)))
            await deleteLink(l);
        // Another boxlab (a second state root) may still route through its own bridges: leave forwarding on then.
        const orig = join(this.opts.stateDir, 'ip_forward.orig');
        const othersLeft = (await listLinks()).some((l) => l.alias === BRIDGE_ALIAS);
        if (existsSync(orig) && !othersLeft)
            await host('sysctl', ['-q', '-w', `net.ipv4.ip_forward=${readFileSync(orig, 'utf8').trim()}`]);
        this.store.wipe();
    }
    async ownedLinks() {
        const all = await listLinks();
        const bridges = new Set(all.filter((l) => l.kind === 'bridge' && this.isOurBridge(l.ifname)).map((l) => l.ifname));
        return all
            .filter((l) => bridges.has(l.ifname) || (l.master !== undefined && bridges.has(l.master)) || (l.kind === 'veth' && l.ifname.startsWith(this.vethPrefix)))
            .map((l) => l.ifname);
    }
    isOurBridge(name) {
        return name === `${this.prefix}0` || name.startsWith(`${this.prefix}-`);
    }
    // ---------------------------------------------------------------- helpers
    find(nameOrId) {
        const nets = this.store.load();
        return nets.find((n) => n.name === nameOrId) ?? nets.find((n) => n.id === nameOrId)
            ?? (nameOrId.length >= 3 ? nets.filter((n) => n.id.startsWith(nameOrId)).at(0) : undefined);
    }
    mustFind(nameOrId) {
        const n = this.find(nameOrId);
        if (!n)
            throw new NotFoundError(`network ${nameOrId} not found (boxlab network ls lists them)`);
        return n;
    }
    subnetFree(c, taken) {
        return !taken.some((t) => overlaps(t.cidr, c)) && !this.store.load().some((n) => overlaps(parseSubnet(n.subnet), c));
    }
    /** IPv4 routes of the host other than boxlab's own bridges: subnets there would break host networking. */
    async hostRoutes() {
        const r = await host('ip', ['-4', '-j', 'route', 'show']);
        const routes = JSON.parse(r.stdout || '[]');
        const out = [];
        for (const route of routes) {
            if (route.dst === 'default' || (route.dev && this.isOurBridge(route.dev)))
                continue;
            const [addr = '', len = '32'] = route.dst.split('/');
            const base = parseIp(addr);
            if (base !== undefined)
                out.push({ cidr: { base, prefixLen: Number(len) }, text: `${route.dst}${route.dev ? ` dev ${route.dev}` : ''}` });
        }
        return out;
    }
    toRecord(n) {
        const prefixLen = parseSubnet(n.subnet).prefixLen;
        return {
            Name: n.name,
            Id: n.id,
            Created: n.created,
            Scope: 'local',
            Driver: 'bridge',
            EnableIPv6: false,
            IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
            Internal: false,
            Attachable: false,
            Containers: Object.fromEntries(Object.values(n.endpoints).map((e) => [e.container, {
                    Name: e.containerName, EndpointID: e.endpointId, MacAddress: e.mac, IPv4Address: `${e.ip}/${prefixLen}`, IPv6Address: '',
                }])),
            Options: { 'com.docker.network.bridge.name': n.bridge, 'com.docker.network.driver.mtu': String(this.mtu), 'com.boxlab.iptables.chains': `${this.chains.dnat.replace(/-DNAT$/, '')}-*` },
            Labels: {},
        };
    }
}
function assertUnpublished(nets, ports) {
    for (const n of nets)
        for (const ep of Object.values(n.endpoints))
            for (const q of ep.ports) {
                const p = ports.find((x) => clashes(x, q));
                if (p)
                    throw new ConflictError(`host port ${p.hostPort}/${p.proto} is already published by container ${ep.containerName}`);
            }
}
function nsInode(path) {
    try {
        return statSync(path).ino;
    }
    catch {
        return undefined;
    }
}
function nextIfname(used) {
    for (let i = 0;; i++)
        if (!used.includes(`eth${i}`))
            return `eth${i}`;
}
//# sourceMappingURL=manager.js.map