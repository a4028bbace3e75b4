import type { Command } from 'commander';
import { client, location } from '../context.js';

export function register(program: Command): void {
  program.command('daemon')
    .description('run boxlabd in the foreground (the CLI starts it on demand)')
    .option('--cgroup-parent <name>', 'cgroup that holds every container (default: boxlab, or boxlab-<hash of --root> for another root)')
    .option('--userns-remap', 'give every container its own uid/gid range by default (opt out with run --userns host)')
    .option('--cluster-store <url>', 'etcd for overlay networks, etcd://HOST:PORT[,HOST:PORT…]')
    .option('--cluster-advertise <ip>', "this host's underlay address (other hosts send VXLAN packets here)")
    .action(async (o: { cgroupParent?: string; usernsRemap?: boolean; clusterStore?: string; clusterAdvertise?: string }) => {
      const loc = location(program);
      // The daemon's modules (runtime, images, network …) load only here, not for every CLI command.
      const { runDaemon } = await import('../../engine/daemon/daemon.js');
      // The cgroup parent defaults per root (engine/paths.ts): two daemons must never share one.
      await runDaemon({
        root: loc.root, socket: loc.socket, usernsDefault: o.usernsRemap ? 'remap' : 'host', ...(o.cgroupParent && { cgroupParent: o.cgroupParent }),
        ...(o.clusterStore && { clusterStore: o.clusterStore }), ...(o.clusterAdvertise && { clusterAdvertise: o.clusterAdvertise }),
      });
      // stays alive: the server keeps the event loop busy
      await new Promise(() => undefined);
    });

  program.command('version').description('client and daemon versions').action(async () => {
    const c = await client(program);
    const v = await c.get<{ Version: string; ApiVersion: string; KernelVersion: string; GoVersion: string }>('/version');
    process.stdout.write(`boxlab ${v.Version} (Engine API ${v.ApiVersion}), daemon on ${c.socketPath}, ${v.GoVersion}, kernel ${v.KernelVersion}\n`);
  });

  program.command('info').description('daemon-wide information (JSON)').action(async () => {
    const c = await client(program);
    process.stdout.write(`${JSON.stringify(await c.get('/info'), null, 2)}\n`);
  });

  program.command('reset')
    .description('remove every container, mount, cgroup and rule boxlab made (the host as it was)')
    .action(async () => {
      const c = await client(program);
      const r = await c.post<{ Removed: string[] }>('/boxlab/reset');
      process.stdout.write(r.Removed.length ? `${r.Removed.join('\n')}\n` : 'nothing to remove\n');
    });
}
