import type { Command } from 'commander';
import type { NetworkRecord } from '../../engine/network/index.js';
import { client, eachName } from '../context.js';
import { goTemplate, table } from '../format.js';


/** `boxlab network create|ls|inspect|rm|connect|disconnect` — docker's flags; bridge, or overlay with a cluster store. */
export function register(program: Command): void {
  const network = program.command('network').description('manage networks (bridge driver: a Linux bridge, veth pairs, iptables NAT)');

  network.command('create')
    .description('create a user network (its containers find each other by name)')
    .option('--subnet <cidr>', 'subnet in CIDR form, e.g. 172.30.0.0/16 (default: a free one from boxlab\'s pool)')
    .option('--gateway <ip>', 'gateway address inside the subnet (default: the first address)')
    .option('-d, --driver <driver>', 'network driver: bridge, or overlay (needs a daemon with --cluster-store)', 'bridge')
    .argument('<name>')
    .action(async (name: string, o: { subnet?: string; gateway?: string; driver: string }) => {
      const c = await client(program);
      const config = o.subnet || o.gateway ? [{ ...(o.subnet && { Subnet: o.subnet }), ...(o.gateway && { Gateway: o.gateway }) }] : [];
      const r = await c.post<{ Id: string }>('/networks/create', { Name: name, Driver: o.driver, IPAM: { Driver: 'default', Config: config } });
      process.stdout.write(`${r.Id}\n`);
    });

  network.command('ls').alias('list')
    .description('list networks')
    .option('-q, --quiet', 'only display network ids')
    .option('--no-trunc', 'do not truncate the output')
    .action(async (o: { quiet?: boolean; trunc: boolean }) => {
      const c = await client(program);
      const list = await c.get<NetworkRecord[]>('/networks');
      const id = (x: string): string => (o.trunc ? x.slice(0, 12) : x);
      if (o.quiet) {
        process.stdout.write(list.map((n) => `${id(n.Id)}\n`).join(''));
        return;
      }
      process.stdout.write(table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', 'SUBNET', 'BRIDGE'],
        list.map((n) => [id(n.Id), n.Name, n.Driver, n.Scope, n.IPAM.Config[0]?.Subnet ?? '', n.Options['com.docker.network.bridge.name'] ?? ''])));
    });

  network.command('inspect')
    .description('low-level information on networks (JSON)')
    .option('-f, --format <template>', 'Go-template subset, e.g. {{json .IPAM.Config}}')
    .argument('<network...>')
    .action(async (names: string[], o: { format?: string }) => {
      const c = await client(program);
      const recs: unknown[] = [];
      for (const n of names) recs.push(await c.get(`/networks/${encodeURIComponent(n)}`));
      if (o.format) process.stdout.write(recs.map((r) => `${goTemplate(o.format!, r)}\n`).join(''));
      else process.stdout.write(`${JSON.stringify(recs, null, 4)}\n`);
    });

  network.command('rm').alias('remove')
    .description('remove networks (refused while containers are attached)')
    .argument('<network...>')
    .action(async (names: string[]) => {
      const c = await client(program);
      await eachName(names, (n) => c.call('DELETE', `/networks/${encodeURIComponent(n)}`).then(() => undefined));
    });

  network.command('connect')
    .description('connect a running container to a network (a new veth, eth1, eth2 …)')
    .option('--ip <address>', 'IPv4 address on a user network')
    .argument('<network>')
    .argument('<container>')
    .action(async (net: string, container: string, o: { ip?: string }) => {
      const c = await client(program);
      await c.post(`/networks/${encodeURIComponent(net)}/connect`, { Container: container, ...(o.ip && { EndpointConfig: { IPAMConfig: { IPv4Address: o.ip } } }) });
    });

  network.command('disconnect')
    .description('disconnect a container from a network')
    .option('-f, --force', 'accepted for docker compatibility')
    .argument('<network>')
    .argument('<container>')
    .action(async (net: string, container: string) => {
      const c = await client(program);
      await c.post(`/networks/${encodeURIComponent(net)}/disconnect`, { Container: container });
    });
}
