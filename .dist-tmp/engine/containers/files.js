import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export function etcPaths(containerDir) {
    return {
        hostname: join(containerDir, 'hostname'),
        hosts: join(containerDir, 'hosts'),
        resolvConf: join(containerDir, 'resolv.conf'),
    };
}
export function hostsContent(hostname, address, extra = []) {
    const lines = [
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        'fe00::0\tip6-localnet',
        'ff00::0\tip6-mcastprefix',
        'ff02::1\tip6-allnodes',
        'ff02::2\tip6-allrouters',
    ];
    if (address)
        lines.push(`${address}\t${hostname}`);
    lines.push(...extra);
    return `${lines.join('\n')}\n`;
}
/** The host's resolv.conf without loopback resolvers, which would point at the container's own lo. */
export function resolvConfContent() {
    let host = '';
    try {
        host = readFileSync('/etc/resolv.conf', 'utf8');
    }
    catch {
        // no resolver configured
    }
    return host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l)).join('\n');
}
export function writeEtcFiles(containerDir, hostname, address) {
    const paths = etcPaths(containerDir);
    writeFileSync(paths.hostname, `${hostname}\n`);
    writeFileSync(paths.hosts, hostsContent(hostname, address));
    writeFileSync(paths.resolvConf, resolvConfContent());
    return paths;
}
//# sourceMappingURL=files.js.map