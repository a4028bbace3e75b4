import { parseNetworkMode } from './modes.js';
import { portsToDocker } from './modes.js';
/**
 * The network part of starting a container, for the runtime's `prepare(pid)` step: connect the init's netns
 * to its network and publish its ports. All or nothing: on failure everything it made is released before the
 * error propagates. Modes none/host/container: need no wiring and get empty settings.
 */
export async function attachContainer(mgr, c) {
    const mode = parseNetworkMode(c.networkMode);
    if (mode.kind !== 'bridge') {
        return { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: mode.kind === 'none' ? `/proc/${c.pid}/ns/net` : '' };
    }
    try {
        const ep = await mgr.connect({
            container: c.id, containerName: c.name, netnsPath: `/proc/${c.pid}/ns/net`, network: mode.network,
            ...(c.ip && { ip: c.ip }), ...(c.configureInside === false && { configureInside: false }),
        });
        if (c.ports?.length)
            await mgr.publish(c.id, ep.ip, c.ports);
    }
    catch (e) {
        await mgr.release(c.id);
        throw e;
    }
    return networkSettings(mgr, c.id, c.pid);
}
/** NetworkSettings from what the manager knows now (after connect/disconnect, for inspect). */
export function networkSettings(mgr, id, pid) {
    const eps = mgr.endpointsOf(id);
    const networks = {};
    for (const ep of eps) {
        networks[ep.network] = {
            NetworkID: ep.networkId,
            EndpointID: mgr.inspect(ep.networkId).Containers[id]?.EndpointID ?? '',
            Gateway: ep.gateway,
            IPAddress: ep.ip,
            IPPrefixLen: ep.prefixLen,
            MacAddress: ep.mac,
        };
    }
    const first = eps.find((e) => e.ifname === 'eth0') ?? eps[0];
    return {
        Networks: networks,
        Ports: portsToDocker(eps.flatMap((e) => e.ports)),
        IPAddress: first?.ip ?? '',
        Gateway: first?.gateway ?? '',
        SandboxKey: `/proc/${pid}/ns/net`,
    };
}
//# sourceMappingURL=attach.js.map