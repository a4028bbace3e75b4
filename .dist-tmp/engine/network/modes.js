import { UserError } from '../sys/index.js';
export function parseNetworkMode(text) {
    const t = (text ?? '').trim();
    if (t === '' || t === 'default' || t === 'bridge')
        return { kind: 'bridge', network: 'bridge' };
    if (t === 'none')
        return { kind: 'none' };
    if (t === 'host')
        return { kind: 'host' };
    if (t.startsWith('container:')) {
        const ref = t.slice('container:'.length);
        if (!ref)
            throw new UserError('--network container: needs a container name or id, e.g. --network container:web');
        return { kind: 'container', ref };
    }
    return { kind: 'bridge', network: t };
}
/** Docker's `NetworkSettings.Ports` / `HostConfig.PortBindings` shape: {"80/tcp": [{HostIp, HostPort}]}. */
export function portsToDocker(ports) {
    const out = {};
    for (const p of ports) {
        (out[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp ?? '0.0.0.0', HostPort: String(p.hostPort) });
    }
    return out;
}
//# sourceMappingURL=modes.js.map