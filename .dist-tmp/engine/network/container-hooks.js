import { writeFileSync } from 'node:fs';
import { UserError } from '../sys/index.js';
import { etcPaths, hostsContent } from '../containers/files.js';
import { attachContainer } from './attach.js';
import { DEFAULT_NETWORK } from './manager.js';
import { parseNetworkMode } from './modes.js';
import { parsePublish } from './ports.js';
/**
 * The network part of the container lifecycle, in the shapes the runtime keeps (ContainerRecord with docker's
 * HostConfig.PortBindings, NetworkingConfig and NetworkSettings). The runtime calls four functions:
 *   create      → precheckNetwork   (bad -p / --ip / unknown network fail before anything exists)
 *   prepare(pid)→ startNetwork      (veth, IP, routes, DNAT, /etc/hosts; all or nothing)
 *   exit / rm   → stopNetwork       (IPs, rules, records; the veth died with the namespace)
 *   constructor → watchPeers        (rewrite peers' /etc/hosts in place when a user network changes)
 */
/** `-p` bindings as PortSpecs; an empty HostPort (`-p 80`) becomes 0 = any free host port. */
export function portSpecsOf(hc) {
    const out = [];
    for (const [key, bindings] of Object.entries(hc.PortBindings ?? {})) {
        const [ctr = '', proto = 'tcp'] = key.split('/');
        for (const b of bindings ?? [{}]) {
            const hostIp = b.HostIp && b.HostIp !== '0.0.0.0' ? `${b.HostIp}:` : '';
            if (!b.HostPort) {
                const p = parsePublish(`${hostIp}1:${ctr}/${proto}`);
                out.push({ ...p, hostPort: 0 });
            }
            else {
                out.push(parsePublish(`${hostIp}${b.HostPort}:${ctr}/${proto}`));
            }
        }
    }
    return out;
}
/** `--ip` as the CLI sends it: Config.NetworkingConfig.EndpointsConfig[<network>].IPAMConfig.IPv4Address. */
export function requestedIp(config) {
    const nc = config.NetworkingConfig;
    for (const ep of Object.values(nc?.EndpointsConfig ?? {}))
        if (ep.IPAMConfig?.IPv4Address)
            return ep.IPAMConfig.IPv4Address;
    return undefined;
}
/** At create (`body` = the create request): refuse what cannot work before a rootfs, cgroup or process exists. */
export async function precheckNetwork(mgr, body) {
    const hc = body.HostConfig ?? {};
    const ip = requestedIp(body);
    const mode = parseNetworkMode(hc.NetworkMode);
    const ports = portSpecsOf(hc);
    if (mode.kind !== 'bridge') {
        if (ports.length > 0)
            throw new UserError(`-p needs a bridge network: --network ${hc.NetworkMode} has no ports of its own to publish`);
        if (ip)
            throw new UserError(`--ip needs a user-defined network, not --network ${hc.NetworkMode}`);
        return;
    }
    if (mode.network !== DEFAULT_NETWORK)
        mgr.inspect(mode.network); // NotFoundError for an unknown network
    else if (ip)
        throw new UserError('--ip works on user-defined networks only; create one with `boxlab network create`');
    await mgr.assertPublishable(ports);
}
/**
 * In prepare(pid): wire the init's namespace, publish its ports, write its /etc/hosts; updates the record.
 * With `configureInside: false` eth0 is left down and unaddressed and the returned InterfaceConfig is for the
 * init to apply with configureInterface() before it execs (one process fewer per start).
 */
export async function startNetwork(mgr, rec, pid, containerDir, opts = {}) {
    const ip = requestedIp(rec.Config);
    rec.NetworkSettings = await attachContainer(mgr, {
        id: rec.Id, name: rec.Name.replace(/^\//, ''), pid, networkMode: rec.HostConfig.NetworkMode,
        ports: portSpecsOf(rec.HostConfig), ...(ip && { ip }), ...(opts.configureInside === false && { configureInside: false }),
    });
    if (!rec.NetworkSettings.IPAddress)
        return undefined;
    writeHosts(mgr, rec, containerDir);
    const ep = mgr.endpointsOf(rec.Id)[0];
    return ep && { ifname: ep.ifname, ip: ep.ip, prefixLen: ep.prefixLen, gateway: ep.gateway };
}
/** After the container exited (or when its start failed): release everything it held. */
export async function stopNetwork(mgr, rec) {
    await mgr.release(rec.Id);
    rec.NetworkSettings = { ...rec.NetworkSettings, Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: '' };
}
/** /etc/hosts of a container: its own name and address, then its peers on user networks. */
export function writeHosts(mgr, rec, containerDir) {
    // In place (writeFileSync truncates the same inode): the container sees the file through a bind mount.
    writeFileSync(etcPaths(containerDir).hosts, hostsContent(rec.Config.Hostname ?? '', rec.NetworkSettings.IPAddress || undefined, mgr.hostsEntries(rec.Id)));
}
/** Keeps every running container's /etc/hosts current as peers join and leave its user networks. */
export function watchPeers(mgr, lookup, dirOf) {
    return mgr.onPeersChanged((id) => {
        const rec = lookup(id);
        if (!rec?.State.Running)
            return;
        try {
            writeHosts(mgr, rec, dirOf(id));
        }
        catch {
            // the container is going away
        }
    });
}
//# sourceMappingURL=container-hooks.js.map