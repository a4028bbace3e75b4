import { UserError } from '../../sys/errors.js';
import { networkManagerFor } from '../../network/index.js';
import { clusterConnectionOf, overlayAgentOf, type OverlayNetwork } from '../../network/cluster/index.js';
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
    // overlay networks belong to the cluster and stay; this host's links and lease go
    await clusterConnectionOf(mgr)?.close();
    return names;
  });

  // Overlay networks live in the cluster store; a daemon without one (or with etcd down) lists its own only.
  const overlays = async (): Promise<OverlayNetwork[]> => {
    if (!clusterConnectionOf(mgr)) return [];
    try {
      return await (await overlayAgentOf(mgr)).store.listNetworks();
    } catch {
      return [];
    }
  };

  router.add('GET', '/networks', async ({ query }) => {
    // docker's filters: name (a substring), id (a prefix), label, driver, type (builtin: bridge; custom: the rest)
    const f = filters(query);
    const any = (key: string, test: (v: string) => boolean): boolean => !f[key]?.length || f[key]!.some(test);
    const all = [...mgr.list(), ...(await overlays()).map(overlayRecord)];
    return { json: all.filter((n) => any('name', (v) => n.Name.includes(v)) && any('id', (v) => n.Id.startsWith(v)) && any('driver', (v) => v === n.Driver)
      && any('type', (v) => v === (n.Name === 'bridge' ? 'builtin' : 'custom')) && labelsMatch(n.Labels, f.label)) };
  });

  router.add('GET', '/networks/{id}', async ({ params }) => {
    const o = (await overlays()).find((n) => n.name === params.id || n.id.startsWith(params.id!));
    return { json: o && !mgr.list().some((n) => n.Name === params.id) ? overlayRecord(o) : mgr.inspect(params.id!) };
  });

  router.add('POST', '/networks/create', async ({ body }) => {
    const b = (body ?? {}) as CreateBody;
    if (!b.Name) throw new UserError('network create needs a name');
    const cfg = b.IPAM?.Config?.[0] ?? {};
    if (b.Driver === 'overlay') {
      if (!cfg.Subnet) throw new UserError('an overlay network needs --subnet (it is shared by every host of the cluster)');
      if (mgr.list().some((n) => n.Name === b.Name)) throw new UserError(`network ${b.Name} already exists on this host`);
      const net = await (await overlayAgentOf(mgr)).store.createNetwork({ name: b.Name, subnet: cfg.Subnet });
      return { status: 201, json: { Id: net.id, Warning: '' } };
    }
    if (b.Driver && b.Driver !== 'bridge') throw new UserError(`network driver "${b.Driver}" is not supported: use bridge, or overlay with a cluster store`);
    const rec = await mgr.create({ name: b.Name, ...(cfg.Subnet && { subnet: cfg.Subnet }), ...(cfg.Gateway && { gateway: cfg.Gateway }), ...(b.Labels && { labels: b.Labels }) });
    return { status: 201, json: { Id: rec.Id, Warning: '' } };
  });

  router.add('DELETE', '/networks/{id}', async ({ params }) => {
    const o = mgr.list().some((n) => n.Name === params.id) ? undefined : (await overlays()).find((n) => n.name === params.id);
    if (o) {
      const agent = await overlayAgentOf(mgr);
      await agent.store.deleteNetwork(o.name);
      await agent.leave(o.name);
      return { status: 204 };
    }
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

/** `docker network inspect` shape of an overlay network (scope global: every host of the cluster sees it). */
function overlayRecord(n: OverlayNetwork) {
  return {
    Name: n.name, Id: n.id, Created: n.created, Scope: 'global', Driver: 'overlay', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Internal: false, Attachable: true, Containers: {}, Options: { 'com.docker.network.driver.overlay.vxlanid_list': String(n.vni) }, Labels: {},
  };
}
