import { ConflictError, UserError } from '../../sys/errors.js';
import { networkManagerFor, networkSettings, parseNetworkMode } from '../../network/index.js';
/** Docker Engine API /networks: create, list, inspect, remove, connect, disconnect (bridge driver only). */
export function register(router, ctx) {
    const rt = ctx.runtime;
    const mgr = networkManagerFor(ctx.root);
    // After a daemon crash or a reboot: bridges and rules back, endpoints of containers that are gone released.
    if (mgr.list().length > 0) {
        void mgr.reconcile((id) => rt.store.find(id)?.State.Running ?? false).catch((e) => {
            process.stderr.write(`boxlabd: network reconcile: ${e.message}\n`);
        });
    }
    ctx.resetHooks.push(async () => {
        const names = mgr.list().map((n) => `removed network ${n.Name}`);
        await mgr.reset();
        return names;
    });
    router.add('GET', '/networks', () => ({ json: mgr.list() }));
    router.add('GET', '/networks/{id}', ({ params }) => ({ json: mgr.inspect(params.id) }));
    router.add('POST', '/networks/create', async ({ body }) => {
        const b = (body ?? {});
        if (!b.Name)
            throw new UserError('network create needs a name');
        if (b.Driver && b.Driver !== 'bridge')
            throw new UserError(`network driver "${b.Driver}" is not supported: boxlab has the bridge driver only`);
        const cfg = b.IPAM?.Config?.[0] ?? {};
        const rec = await mgr.create({ name: b.Name, ...(cfg.Subnet && { subnet: cfg.Subnet }), ...(cfg.Gateway && { gateway: cfg.Gateway }) });
        return { status: 201, json: { Id: rec.Id, Warning: '' } };
    });
    router.add('DELETE', '/networks/{id}', async ({ params }) => {
        await mgr.remove(params.id);
        return { status: 204 };
    });
    router.add('POST', '/networks/{id}/connect', async ({ params, body }) => {
        const b = (body ?? {});
        const rec = rt.get(b.Container ?? '');
        if (!rec.State.Running)
            throw new ConflictError(`container ${rec.Name.slice(1)} is not running: start it, then connect it`);
        if (parseNetworkMode(rec.HostConfig.NetworkMode).kind !== 'bridge') {
            throw new UserError(`container ${rec.Name.slice(1)} uses --network ${rec.HostConfig.NetworkMode}: it has no network namespace of its own to connect`);
        }
        const ip = b.EndpointConfig?.IPAMConfig?.IPv4Address;
        await mgr.connect({ container: rec.Id, containerName: rec.Name.slice(1), netnsPath: `/proc/${rec.State.Pid}/ns/net`, network: params.id, ...(ip && { ip }) });
        rec.NetworkSettings = networkSettings(mgr, rec.Id, rec.State.Pid);
        rt.store.save(rec);
        return { status: 200 };
    });
    router.add('POST', '/networks/{id}/disconnect', async ({ params, body }) => {
        const b = (body ?? {});
        const rec = rt.get(b.Container ?? '');
        const net = mgr.inspect(params.id);
        await mgr.disconnect(rec.Id, net.Id);
        rec.NetworkSettings = networkSettings(mgr, rec.Id, rec.State.Pid);
        rt.store.save(rec);
        return { status: 200 };
    });
}
//# sourceMappingURL=networks.js.map