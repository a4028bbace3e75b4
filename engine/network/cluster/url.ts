import { UserError } from '../../sys/index.js';

/** `etcd://h1:2379,h2:2379` → the client's endpoint list (`http://h1:2379` …). */
export function parseClusterStore(url: string): string[] {
  const m = /^etcd:\/\/([^/?#]+)\/?$/.exec(url.trim());
  const hosts = m ? m[1]!.split(',').filter(Boolean) : [];
  if (hosts.length === 0 || !hosts.every((h) => /^[\w.-]+:\d{1,5}$/.test(h))) {
    throw new UserError(`invalid cluster store "${url}": write it as etcd://HOST:PORT[,HOST:PORT…]`);
  }
  return hosts.map((h) => `http://${h}`);
}
