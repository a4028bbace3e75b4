import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { ConflictError, UserError } from '../sys/index.js';
import { parseIp } from './ipv4.js';
function port(text, what, spec) {
    const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1 && n <= 65535))
        throw new UserError(`invalid port mapping "${spec}": ${what} port "${text}" must be a number from 1 to 65535`);
    return n;
}
/** `[hostIP:]hostPort:containerPort[/tcp|udp]` → PortSpec; anything else → UserError naming the mistake. */
export function parsePublish(spec) {
    const [body = '', proto = 'tcp', extra] = spec.trim().split('/');
    if (extra !== undefined || (proto !== 'tcp' && proto !== 'udp')) {
        throw new UserError(`invalid port mapping "${spec}": the protocol must be /tcp or /udp`);
    }
    const parts = body.split(':');
    if (parts.length < 2 || parts.length > 3) {
        throw new UserError(`invalid port mapping "${spec}": write it as [hostIP:]hostPort:containerPort[/tcp|udp], e.g. 8080:80`);
    }
    const [hostIp, hostPort, containerPort] = parts.length === 3 ? parts : [undefined, ...parts];
    if (hostIp !== undefined && parseIp(hostIp) === undefined) {
        throw new UserError(`invalid port mapping "${spec}": "${hostIp}" is not an IPv4 address`);
    }
    return {
        ...(hostIp !== undefined && hostIp !== '0.0.0.0' && { hostIp }),
        hostPort: port(hostPort, 'host', spec),
        containerPort: port(containerPort, 'container', spec),
        proto,
    };
}
export function formatPublish(p) {
    return `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort}:${p.containerPort}/${p.proto}`;
}
/** Two mappings clash when protocol and host port match and their host addresses can overlap. */
export function clashes(a, b) {
    return a.proto === b.proto && a.hostPort === b.hostPort && (!a.hostIp || !b.hostIp || a.hostIp === b.hostIp);
}
/**
 * Fails when a host process already listens on the port: a DNAT rule would silently steal its traffic.
 * The probe binds from the main thread, so it sees the caller's network namespace (libuv binds there).
 */
export async function assertPortFree(p) {
    const host = p.hostIp ?? '0.0.0.0';
    const err = await new Promise((resolve) => {
        if (p.proto === 'udp') {
            const s = createSocket('udp4');
            s.once('error', (e) => { s.close(); resolve(e); });
            s.bind({ port: p.hostPort, address: host, exclusive: true }, () => s.close(() => resolve(undefined)));
        }
        else {
            const s = createServer();
            s.once('error', (e) => resolve(e));
            s.listen({ port: p.hostPort, host, exclusive: true }, () => s.close(() => resolve(undefined)));
        }
    });
    if (!err)
        return;
    if (err.code === 'EADDRINUSE')
        throw new ConflictError(`host port ${host}:${p.hostPort}/${p.proto} is already in use by another program`);
    if (err.code === 'EADDRNOTAVAIL')
        throw new UserError(`host address ${host} in "${formatPublish(p)}" is not an address of this host`);
    throw new UserError(`cannot publish ${formatPublish(p)}: ${err.message}`);
}
//# sourceMappingURL=ports.js.map