import { createHash } from 'node:crypto';
import { client, location, DEFAULT_ROOT } from '../context.js';
export function register(program) {
    program.command('daemon')
        .description('run boxlabd in the foreground (the CLI starts it on demand)')
        .option('--cgroup-parent <name>', 'cgroup that holds every container (default: boxlab, or boxlab-<hash of --root> for another root)')
        .option('--userns-remap', 'give every container its own uid/gid range by default (opt out with run --userns host)')
        .action(async (o) => {
        const loc = location(program);
        // The daemon's modules (runtime, images, network …) load only here, not for every CLI command.
        const { runDaemon } = await import('../../engine/daemon/daemon.js');
        // Two daemons must never share a cgroup parent: each one's orphan sweep would kill the other's containers.
        const cgroupParent = o.cgroupParent ?? process.env.BOXLAB_CGROUP_PARENT
            ?? (loc.root === DEFAULT_ROOT ? 'boxlab' : `boxlab-${createHash('sha256').update(loc.root).digest('hex').slice(0, 8)}`);
        await runDaemon({ root: loc.root, socket: loc.socket, cgroupParent, usernsDefault: o.usernsRemap ? 'remap' : 'host' });
        // stays alive: the server keeps the event loop busy
        await new Promise(() => undefined);
    });
    program.command('version').description('client and daemon versions').action(async () => {
        const c = await client(program);
        const v = await c.get('/version');
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
        const r = await c.post('/boxlab/reset');
        process.stdout.write(r.Removed.length ? `${r.Removed.join('\n')}\n` : 'nothing to remove\n');
    });
}
//# sourceMappingURL=system.js.map