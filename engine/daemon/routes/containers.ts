import type { ServerResponse } from 'node:http';
import { UserError } from '../../sys/errors.js';
import { readLogs, frame, type LogEntry } from '../../containers/logs.js';
import { namespaceIds } from '../../containers/plan.js';
import { describeConfinement, decodeCapEff, describeUserMapping } from '../../security/index.js';
import type { CreateConfig } from '../../containers/types.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import { afterHeadersRead, switchProtocols } from '../server.js';
import { pipeIO } from '../stream.js';
import { parseDetachKeys } from '../detach-keys.js';
import { summary } from '../format.js';
import { apiVersion, flag } from '../query.js';
import { API_VERSION } from '../../version.js';
import { statHeader, statPath, tarIn, tarOut } from '../../containers/archive.js';


function filterByStatus(q: URLSearchParams): ((status: string) => boolean) | undefined {
  const raw = q.get('filters');
  if (!raw) return undefined;
  try {
    const f = JSON.parse(raw) as Record<string, string[] | Record<string, boolean>>;
    const st = f.status;
    const wanted = Array.isArray(st) ? st : st ? Object.keys(st) : [];
    return wanted.length ? (s) => wanted.includes(s) : undefined;
  } catch {
    throw new UserError('invalid filters: expected JSON like {"status":["running"]}');
  }
}

/**
 * Before API 1.44 a container is created on one network only: more than one EndpointsConfig entry is
 * refused, and an entry for another network than its NetworkMode's is ignored (dockerd's behaviour then).
 */
function endpointsForVersion(body: CreateConfig, version: number): CreateConfig {
  const nc = (body as { NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null } }).NetworkingConfig;
  const names = Object.keys(nc?.EndpointsConfig ?? {});
  if (version >= 1.44 || names.length === 0) return body;
  if (names.length > 1) throw new UserError(`Container cannot be connected to network endpoints: ${names.join(', ')}`);
  const mode = body.HostConfig?.NetworkMode;
  const primary = !mode || mode === 'default' ? 'bridge' : mode;
  return names[0] === primary ? body : { ...body, NetworkingConfig: { EndpointsConfig: {} } } as CreateConfig;
}

export function register(router: Router, ctx: DaemonContext): void {
  const rt = ctx.runtime;

  router.add('GET', '/containers/json', ({ query }) => {
    const all = flag(query, 'all');
    const byStatus = filterByStatus(query);
    const list = rt.store.all()
      .filter((c) => (all || byStatus ? true : c.State.Running || c.State.Restarting))
      .filter((c) => (byStatus ? byStatus(c.State.Status) : true))
      .sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    return { json: list.map(summary) };
  });

  router.add('POST', '/containers/create', async ({ query, body, req }) => {
    if (typeof body !== 'object' || body === null) throw new UserError('create needs a JSON body with at least {"Image": "..."}');
    const rec = await rt.create(endpointsForVersion(body as CreateConfig, apiVersion(req, API_VERSION)), query.get('name') ?? undefined);
    return { status: 201, json: { Id: rec.Id, Warnings: [] } };
  });

  router.add('GET', '/containers/{id}/json', ({ params }) => {
    const rec = rt.get(params.id!);
    if (!rec.State.Running) return { json: rec };
    // What the kernel says about the init's confinement right now, capability names decoded.
    let security;
    try {
      const c = describeConfinement(rec.State.Pid);
      security = { ...c, capEffNames: decodeCapEff(c.capEff), userMapping: describeUserMapping(rec.State.Pid) };
    } catch {
      // the init has just exited and its exit is being recorded: the record as it stands
      return { json: rec };
    }
    rec.Boxlab.Namespaces = namespaceIds(rec.State.Pid);
    return { json: { ...rec, Boxlab: { ...rec.Boxlab, Security: security } } };
  });

  router.add('POST', '/containers/{id}/start', async ({ params }) => {
    const rec = rt.get(params.id!);
    if (rec.State.Running) return { status: 304 };
    await rt.start(params.id!);
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/stop', async ({ params, query }) => {
    const rec = rt.get(params.id!);
    if (!rec.State.Running && !rec.State.Restarting) return { status: 304 };
    const t = query.get('t');
    await rt.stop(params.id!, t === null ? 10 : Number(t), query.get('signal') ?? undefined);
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/restart', async ({ params, query }) => {
    const t = query.get('t');
    await rt.stop(params.id!, t === null ? 10 : Number(t));
    await rt.start(params.id!);
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/kill', async ({ params, query }) => {
    await rt.kill(params.id!, query.get('signal') ?? undefined);
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/wait', async ({ params, query, res }) => {
    rt.get(params.id!);
    // Headers go out at once so a client knows the wait is registered before it starts the container.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const result = await rt.wait(params.id!, query.get('condition') ?? 'not-running');
    res.end(JSON.stringify(result));
    return 'handled' as const;
  });

  router.add('DELETE', '/containers/{id}', async ({ params, query }) => {
    await rt.remove(params.id!, { force: flag(query, 'force') });
    return { status: 204 };
  });

  router.add('POST', '/containers/{id}/resize', ({ params, query }) => {
    rt.resize(params.id!, Number(query.get('h') ?? 24), Number(query.get('w') ?? 80));
    return { status: 200, text: '' };
  });

  router.add('GET', '/containers/{id}/logs', ({ params, query, res }) => {
    const rec = rt.get(params.id!);
    if (rec.HostConfig.LogConfig?.Type === 'none') throw new UserError('configured logging driver does not support reading', { status: 501 });
    const wantOut = flag(query, 'stdout');
    const wantErr = flag(query, 'stderr');
    if (!wantOut && !wantErr) throw new UserError('you must choose at least one stream (stdout or stderr)');
    const timestamps = flag(query, 'timestamps');
    const tail = query.get('tail');
    res.writeHead(200, { 'Content-Type': rec.Config.Tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
    const send = (e: LogEntry): void => {
      if ((e.stream === 'stdout' && !wantOut) || (e.stream === 'stderr' && !wantErr)) return;
      const payload = Buffer.from(timestamps ? `${e.time} ${e.log}` : e.log);
      res.write(rec.Config.Tty ? payload : frame(e.stream, payload));
    };
    // since/until: unix seconds (fractions allowed); an entry outside the window is left out
    const bound = (name: string): number | undefined => {
      const v = query.get(name);
      if (v === null || v === '' || v === '0') return undefined;
      if (!/^\d+(\.\d+)?$/.test(v)) throw new UserError(`invalid ${name}: "${v}" (give unix seconds, e.g. 1700000000.5)`);
      return Number(v) * 1000;
    };
    const since = bound('since');
    const until = bound('until');
    let entries = readLogs(rec.LogPath, rt.logEnd(rec.Id)).filter((e) => {
      const t = Date.parse(e.time);
      return (since === undefined || t > since) && (until === undefined || t <= until);
    });
    if (tail !== null && tail !== 'all' && /^\d+$/.test(tail)) entries = entries.slice(Math.max(0, entries.length - Number(tail)));
    entries.forEach(send);
    if (!flag(query, 'follow') || !rec.State.Running) {
      res.end();
      return 'handled';
    }
    const onLog = (id: string, e: LogEntry): void => {
      if (id === rec.Id) send(e);
    };
    const onEvent = (e: { Actor: { ID: string }; Action: string }): void => {
      if (e.Actor.ID === rec.Id && (e.Action === 'die' || e.Action === 'destroy')) done();
    };
    const done = (): void => {
      rt.off('log', onLog);
      rt.off('event', onEvent);
      res.end();
    };
    rt.on('log', onLog);
    rt.on('event', onEvent);
    res.on('close', () => {
      rt.off('log', onLog);
      rt.off('event', onEvent);
    });
    return 'handled';
  });

  router.add('POST', '/containers/{id}/rename', ({ params, query }) => {
    rt.rename(params.id!, query.get('name') ?? '');
    return { status: 204 };
  });

  router.add('GET', '/containers/{id}/top', async ({ params, query }) => ({ json: await rt.top(params.id!, query.get('ps_args') || '-ef') }));

  // docker cp: HEAD stats a path, GET tars it out, PUT unpacks a tar into a directory (whatever Content-Type)
  const archivePath = (q: URLSearchParams): string => {
    const p = q.get('path');
    if (!p) throw new UserError('archive needs ?path= (a path inside the container)');
    return p;
  };
  router.add('HEAD', '/containers/{id}/archive', async ({ params, query }) => {
    const stat = await rt.withRootfs(params.id!, async (root) => statPath(root, archivePath(query)));
    return { status: 200, headers: { 'X-Docker-Container-Path-Stat': statHeader(stat) } };
  });
  router.add('GET', '/containers/{id}/archive', async ({ params, query, res }) => {
    const path = archivePath(query);
    await rt.withRootfs(params.id!, async (root) => {
      const stat = statPath(root, path);
      res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': statHeader(stat) });
      await tarOut(root, path, res);
    });
    res.end();
    return 'handled' as const;
  });
  router.add('PUT', '/containers/{id}/archive', async ({ params, query, req }) => {
    const path = archivePath(query);
    await rt.withRootfs(params.id!, (root) => tarIn(root, path, req, { noOverwriteDirNonDir: flag(query, 'noOverwriteDirNonDir') }));
    return { status: 200, text: '' };
  }, { rawBody: true });

  router.upgrade('POST', '/containers/{id}/attach', ({ params, query, socket }) => {
    const rec = rt.get(params.id!);
    if (!flag(query, 'stream')) {
      // stream=0: no live connection, only (with logs=1) what the container already wrote — also when stopped
      switchProtocols(socket, !rec.Config.Tty);
      const logs = flag(query, 'logs') && rec.HostConfig.LogConfig?.Type !== 'none' ? readLogs(rec.LogPath) : [];
      afterHeadersRead(socket, () => {
        for (const e of logs) {
          if ((e.stream === 'stdout' && !flag(query, 'stdout')) || (e.stream === 'stderr' && !flag(query, 'stderr'))) continue;
          socket.write(rec.Config.Tty ? Buffer.from(e.log) : frame(e.stream, Buffer.from(e.log)));
        }
        socket.end();
      });
      return;
    }
    const opts = { stdin: flag(query, 'stdin') && rec.Config.OpenStdin, stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr'), closeStdinOnEnd: rec.Config.StdinOnce ?? false,
      detachKeys: parseDetachKeys(query.get('detachKeys')) };
    rt.attach(params.id!, (io) => pipeIO(io, socket, opts));
    switchProtocols(socket, !rec.Config.Tty);
  });
}

export type { ServerResponse };
