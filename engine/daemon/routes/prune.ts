import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRecord } from '../../containers/types.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import { summary } from '../format.js';
import { filters, labelsMatch, untilCutoff } from '../query.js';

/**
 * Housekeeping across areas: `POST /{containers,images,networks}/prune` (with docker's `label` and `until`
 * filters) and `GET /system/df`. Also the swarm endpoints, which answer as a dockerd that is no swarm
 * manager: clients (docker-py, the CLI's `info`) expect that 503, and a 404 breaks them.
 */

/** Bytes under a directory (files counted once per inode, as du does); 0 when it is gone. */
export function dirSize(dir: string): number {
  const seen = new Set<number>();
  let total = 0;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) walk(p);
        else if (!seen.has(st.ino)) {
          seen.add(st.ino);
          total += st.size;
        }
      } catch {
        // removed meanwhile
      }
    }
  };
  walk(dir);
  return total;
}

export function register(router: Router, ctx: DaemonContext): void {
  const rt = ctx.runtime;
  const store = rt.images;

  /** docker's prune filters: `label=k[=v]`, `label!=k[=v]`, `until=<time|duration>`. */
  const matches = (q: URLSearchParams, labels: Record<string, string> | null | undefined, created: string): boolean => {
    const f = filters(q);
    if (!labelsMatch(labels, f.label)) return false;
    if ((f['label!'] ?? []).some((l) => labelsMatch(labels, [l]))) return false;
    const cutoff = untilCutoff(f.until);
    return cutoff === undefined || Date.parse(created) < cutoff;
  };

  router.add('POST', '/containers/prune', async ({ query }) => {
    const gone: string[] = [];
    let space = 0;
    for (const c of rt.store.all()) {
      if (c.State.Running || !matches(query, c.Config.Labels, c.Created)) continue;
      const size = dirSize(c.GraphDriver.Data.UpperDir);
      await rt.remove(c.Id);
      gone.push(c.Id);
      space += size;
    }
    return { json: { ContainersDeleted: gone.length ? gone : null, SpaceReclaimed: space } };
  });

  router.add('POST', '/images/prune', ({ query }) => {
    const f = filters(query);
    // dangling=true (the default): untagged images only; dangling=false: every image no container uses
    const danglingOnly = !(f.dangling ?? ['true']).some((v) => v === 'false' || v === '0');
    const used = new Set(rt.store.all().map((c) => c.Image));
    const deleted: { Deleted?: string; Untagged?: string }[] = [];
    let space = 0;
    for (const img of store.list()) {
      if (used.has(img.Id) || (danglingOnly && img.RepoTags.length > 0)) continue;
      if (!matches(query, img.Config.Labels, img.Created)) continue;
      try {
        deleted.push(...store.rmi(img.Id, { force: true, isInUse: (id) => (used.has(id) ? id : undefined) }));
        space += img.Size;
      } catch {
        // a parent of a kept image: docker keeps it too
      }
    }
    return { json: { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: space } };
  });

  router.add('POST', '/networks/prune', async ({ query }) => {
    const mgr = rt.network();
    const gone: string[] = [];
    for (const n of mgr.list()) {
      if (n.Name === 'bridge' || Object.keys(n.Containers ?? {}).length > 0) continue;
      if (!matches(query, n.Labels, n.Created)) continue;
      await mgr.remove(n.Id);
      gone.push(n.Name);
    }
    return { json: { NetworksDeleted: gone.length ? gone : null } };
  });

  router.add('GET', '/system/df', () => {
    const containers = rt.store.all();
    const usedBy = (pred: (c: ContainerRecord) => boolean): number => containers.filter(pred).length;
    const images = store.list().map((img) => ({
      Id: img.Id, ParentId: '', RepoTags: img.RepoTags, RepoDigests: [], Created: Math.floor(Date.parse(img.Created) / 1000),
      Size: img.Size, SharedSize: 0, VirtualSize: img.Size, Labels: img.Config.Labels ?? null, Containers: usedBy((c) => c.Image === img.Id),
    }));
    const volumes = rt.volumes.list().map((v) => ({
      ...v, UsageData: { Size: dirSize(v.Mountpoint), RefCount: usedBy((c) => (c.Boxlab.Mounts ?? []).some((m) => m.volumeName === v.Name)) },
    }));
    return {
      json: {
        LayersSize: images.reduce((n, i) => n + i.Size, 0),
        Images: images,
        Containers: containers.map((c) => {
          const rw = dirSize(c.GraphDriver.Data.UpperDir);
          const image = images.find((i) => i.Id === c.Image);
          return { ...summary(c), SizeRw: rw, SizeRootFs: rw + (image?.Size ?? 0) };
        }),
        Volumes: volumes,
        BuildCache: [],
      },
    };
  });

  const notSwarm = (): { status: number; json: { message: string } } => ({
    status: 503, json: { message: 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.' },
  });
  for (const area of ['swarm', 'nodes', 'services', 'tasks', 'secrets', 'configs']) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      router.add(method, `/${area}`, notSwarm);
      router.add(method, `/${area}/{a}`, notSwarm);
      router.add(method, `/${area}/{a}/{b}`, notSwarm);
    }
  }
}
