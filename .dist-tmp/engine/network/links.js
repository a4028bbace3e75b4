import { host, traceNote } from '../sys/index.js';
/** Every bridge boxlab makes carries this alias (`ip -d link` shows it), whatever its state root or prefix. */
export const BRIDGE_ALIAS = 'boxlab network';
export async function listLinks() {
    const r = await host('ip', ['-j', '-d', 'link', 'show']);
    const rows = JSON.parse(r.stdout || '[]');
    return rows.map((l) => ({
        ifname: l.ifname,
        ...(l.master && { master: l.master }),
        ...(l.linkinfo?.info_kind && { kind: l.linkinfo.info_kind }),
        ...(l.ifalias && { alias: l.ifalias }),
    }));
}
export async function linkExists(name) {
    return (await host('ip', ['link', 'show', 'dev', name], { allowFailure: true })).exitCode === 0;
}
/** A locally administered unicast MAC derived from the IPv4 address (as docker does with 02:42:…). */
export function macFor(ip, prefix = '02:b1') {
    return [prefix, ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}
export async function createBridge(name, gateway, prefixLen, mtu) {
    // A fixed MAC: otherwise the bridge takes the lowest MAC of its ports and changes it as containers come
    // and go, which briefly breaks the containers' ARP entries for the gateway.
    await host('ip', ['link', 'add', 'name', name, 'address', macFor(gateway, '02:b0'), 'mtu', String(mtu), 'type', 'bridge']);
    try {
        await host('ip', ['link', 'set', 'dev', name, 'alias', BRIDGE_ALIAS]);
        await host('ip', ['addr', 'add', `${gateway}/${prefixLen}`, 'dev', name]);
        // Lets the host reach a published port at 127.0.0.1: the DNATed packet keeps its 127.x source and would be
        // dropped as a martian on the way out. Scoped to boxlab's own bridges; dies with the bridge.
        await host('sysctl', ['-q', '-w', `net.ipv4.conf.${name}.route_localnet=1`]);
        await host('ip', ['link', 'set', 'dev', name, 'up']);
    }
    catch (e) {
        await deleteLink(name);
        throw e;
    }
}
export async function deleteLink(name) {
    return (await host('ip', ['link', 'del', 'dev', name], { allowFailure: true })).exitCode === 0;
}
/**
 * One command makes both ends: the host end enslaved to the bridge and up, the peer created directly in the
 * container's namespace under its final name (no temporary name, no move, no rename).
 */
export async function createVeth(v) {
    await host('ip', ['link', 'add', v.hostVeth, 'mtu', String(v.mtu), 'master', v.bridge, 'up',
        'type', 'veth', 'peer', 'name', v.ifname, 'address', v.mac, 'mtu', String(v.mtu), 'netns', v.netnsPath]);
}
/** Runs `ip` commands inside a network namespace in one process (`ip -batch`), each also noted in the trace. */
export async function ipInNetns(netnsPath, commands) {
    for (const c of commands)
        traceNote('ip (in container netns)', c);
    await host('nsenter', [`--net=${netnsPath}`, 'ip', '-batch', '-'], { input: `${commands.join('\n')}\n` });
}
//# sourceMappingURL=links.js.map