import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The per-container files docker generates and bind-mounts over the image's: /etc/hostname, /etc/hosts,
 * /etc/resolv.conf. They live in the container's state dir so the daemon can rewrite them (in place: a bind
 * mount pins the inode, so a rename would not be seen inside).
 */
export interface EtcFiles {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export function etcPaths(containerDir: string): EtcFiles {
  return {
    hostname: join(containerDir, 'hostname'),
    hosts: join(containerDir, 'hosts'),
    resolvConf: join(containerDir, 'resolv.conf'),
  };
}

export function hostsContent(hostname: string, address: string | undefined, extra: string[] = []): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  if (address) lines.push(`${address}\t${hostname}`);
  lines.push(...extra);
  return `${lines.join('\n')}\n`;
}

/** The host's resolv.conf without loopback resolvers, which would point at the container's own lo. */
export function resolvConfContent(): string {
  let host = '';
  try {
    host = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // no resolver configured
  }
  return host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l)).join('\n');
}

export function writeEtcFiles(containerDir: string, hostname: string, address?: string): EtcFiles {
  const paths = etcPaths(containerDir);
  writeFileSync(paths.hostname, `${hostname}\n`);
  writeFileSync(paths.hosts, hostsContent(hostname, address));
  writeFileSync(paths.resolvConf, resolvConfContent());
  return paths;
}
