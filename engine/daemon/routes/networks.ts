import { UserError } from '../../sys/errors.js';
import { networkManagerFor } from '../../network/index.js';
import type { Router } from '../router.js';
import { filters, labelsMatch } from '../query.js';
import type { EndpointConfig } from '../../containers/network.js';
import type { DaemonContext } from '../context.js';

interface CreateBody { Name?: string; Driver?: string; Labels?: Record<string, string>; IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } }
interface ConnectBody { Container?: string; EndpointConfig?: EndpointConfig; Force?: boolean }

/** Docker Engine API /networks: create, list, inspect, remove, connect, disconnect (bridge driver only). */
export function register(router: Router, ctx: DaemonContext): void {
  const rt = ctx.runtime;
  const mgr = networkManagerFor(ctx.root);

  // After a daemon crash or a reboot: bridges and rules back, endpoints of containers that are gone released.
  if (mgr.list().length > 0) {
    void mgr.reconcile((id) => rt.store.find(id)?.State.Running ?? false).catch((e: unknown) => {
      process.stderr.write(`boxlabd: network reconcile: ${(e as Error).message}\n`);
    });
  }

  ctx.resetHooks.push(async () => {
    const names = mgr.list().map((n) => `removed network ${n.Name}`);
    await mgr.reset();
    return names;
  });

  router.add('GET', '/networks', ({ query }) => {
    // docker's filters: name (a substring), id (a prefix), label, driver, type (builtin: bridge; custom: the rest)
    const f = filters(query);
    const any = (key: string, test: (v: string) => boolean): boolean => !f[key]?.length || f[key]!.some(test);
    return { json: mgr.list().filter((n) => any('name', (v) => n.Name.includes(v)) && any('id', (v) => n.Id.startsWith(v)) && any('driver', (v) => v === n.Driver)
      && any('type', (v) => v === (n.Name === 'bridge' ? 'builtin' : 'custom')) && labelsMatch(n.Labels, f.label)) };
  });

  router.add('GET', '/networks/{id}', ({ params }) => ({ json: mgr.inspect(params.id!) }));

  router.add('POST', '/networks/create', async ({ body }) => {
    const b = (body ?? {}) as CreateBody;
    if (!b.Name) throw new UserError('network create needs a name');
    if (b.Driver && b.Driver !== 'bridge') throw new UserError(`network driver "${b.Driver}" is not supported: boxlab has the bridge driver only`);
    const cfg = b.IPAM?.Config?.[0] ?? {};
    const rec = await mgr.create({ name: b.Name, ...(cfg.Subnet && { subnet: cfg.Subnet }), ...(cfg.Gateway && { gateway: cfg.Gateway }), ...(b.Labels && { labels: b.Labels }) });
    return { status: 201, json: { Id: rec.Id, Warning: '' } };
  });

  router.add('DELETE', '/networks/{id}', async ({ params }) => {
    await mgr.remove(params.id!);
    return { status: 204 };
  });

  router.add('POST', '/networks/{id}/connect', async ({ params, body }) => {
    const b = (body ?? {}) as ConnectBody;
    await rt.connectNetwork(b.Container ?? '', params.id!, b.EndpointConfig ?? {});
    return { status: 200 };
  });

  router.add('POST', '/networks/{id}/disconnect', async ({ params, body }) => {
    const b = (body ?? {}) as ConnectBody;
    await rt.disconnectNetwork(b.Container ?? '', params.id!);
    return { status: 200 };
  });
}
