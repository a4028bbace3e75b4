import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { UserError } from '../../sys/errors.js';
import { dockerStats, sampleCpu, RESOURCE_KEYS, type CpuSample, type Resources } from '../../cgroups/index.js';
import { checkResourceType } from '../../cgroups/fields.js';
import type { ContainerRecord, RestartPolicy } from '../../containers/types.js';
import type { Runtime } from '../../containers/runtime.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import { flag } from '../query.js';

/**
 * The cgroup side of the Engine API: pause/unpause (the freezer), stats, update (live limits).
 */

/** docker update: a field left out or 0 means "unchanged" (MemorySwap/PidsLimit take -1 for unlimited). */
function updateOf(body: unknown): { resources: Resources; restartPolicy?: RestartPolicy } {
  if (typeof body !== 'object' || body === null) throw new UserError('update needs a JSON body like {"Memory": 67108864}');
  const b = body as Record<string, unknown>;
  const r: Record<string, unknown> = {};
  for (const key of RESOURCE_KEYS) {
    const v = b[key];
    if (v === undefined || v === null || v === 0 || v === '') continue;
    checkResourceType(key, v, 'update');
    r[key] = v;
  }
  const rp = b.RestartPolicy as RestartPolicy | undefined;
  const restartPolicy = rp && rp.Name ? rp : undefined;
  if (restartPolicy && !/^(no|always|unless-stopped|on-failure)$/.test(restartPolicy.Name!)) {
    throw new UserError(`invalid restart policy "${restartPolicy.Name}": use no, always, unless-stopped or on-failure`);
  }
  if (Object.keys(r).length === 0 && !restartPolicy) throw new UserError('update: nothing to change (give at least one limit, e.g. --memory 64m, or a restart policy)');
  return { resources: r as Resources, ...(restartPolicy && { restartPolicy }) };
}

export function register(router: Router, ctx: DaemonContext): void {
  const rt = ctx.runtime;

  router.add('POST', '/containers/{id}/pause', ({ params }) => {
    rt.pause(params.id!);
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/unpause', ({ params }) => {
    rt.unpause(params.id!);
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/update', ({ params, body }) => {
    const { resources, restartPolicy } = updateOf(body);
    rt.update(params.id!, resources, restartPolicy);
    return { json: { Warnings: [] } };
  });

  router.add('GET', '/containers/{id}/stats', async ({ params, query, res }) => {
    const cg = rt.cgroupOf(params.id!);
    const rec = rt.get(params.id!);
    const sample = (): CpuSample => sampleCpu(cg.stats());
    const stream = flag(query, 'stream', true);
    let pre = sample();
    // Like dockerd: CPU % needs two samples, so the first answer comes after one interval — except for
    // `one-shot`, which asks for one sample at once (precpu then equals cpu, as dockerd's empty precpu).
    if (!(flag(query, 'one-shot') && !stream)) await new Promise((r) => setTimeout(r, 1000));
    if (!stream) return { json: statsDoc(rec, pre, sample()) };
    streamStats(res, rt, rec, () => {
      const now = sample();
      const doc = statsDoc(rec, pre, now);
      pre = now;
      return doc;
    });
    return 'handled';
  });
}

/**
 * docker's `networks` of a stats answer: the counters of each interface of the container's network
 * namespace but lo, from /proc/<init pid>/net/dev (which shows the reading process's netns: the init's).
 */
export function networkStats(pid: number): { networks?: Record<string, Record<string, number>> } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return {};
  }
  const networks: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const n = m[2]!.trim().split(/\s+/).map(Number);
    networks[m[1]!] = { rx_bytes: n[0]!, rx_packets: n[1]!, rx_errors: n[2]!, rx_dropped: n[3]!, tx_bytes: n[8]!, tx_packets: n[9]!, tx_errors: n[10]!, tx_dropped: n[11]! };
  }
  return Object.keys(networks).length ? { networks } : {};
}

/** The stats document: the cgroup's figures, the interfaces', and docker's blkio shape when the cgroup room gives none. */
function statsDoc(rec: ContainerRecord, pre: CpuSample, now: CpuSample): Record<string, unknown> {
  const blkio = { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
    io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null };
  return { blkio_stats: blkio, ...dockerStats(rec.Id, rec.Name, pre, now), ...networkStats(rec.State.Pid) };
}

function streamStats(res: ServerResponse, rt: Runtime, rec: ContainerRecord, next: () => unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const send = (): void => {
    try {
      res.write(`${JSON.stringify(next())}\n`);
    } catch {
      stop(); // the cgroup is gone: the container exited
    }
  };
  const timer = setInterval(send, 1000);
  const onEvent = (e: { Actor: { ID: string }; Action: string }): void => {
    if (e.Actor.ID === rec.Id && e.Action === 'die') stop();
  };
  const stop = (): void => {
    clearInterval(timer);
    rt.off('event', onEvent);
    res.end();
  };
  rt.on('event', onEvent);
  res.on('close', () => {
    clearInterval(timer);
    rt.off('event', onEvent);
  });
  send();
}
