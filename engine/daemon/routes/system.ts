import { cpus, hostname, release, totalmem, arch } from 'node:os';
import type { ServerResponse } from 'node:http';
import { onTrace, type TraceEvent } from '../../sys/trace.js';
import { detectCgroupMode } from '../../cgroups/index.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import type { DockerEvent } from '../../containers/runtime.js';
import { EventHistory, eventFilter, parseEventTime } from '../events.js';

import { API_VERSION, MIN_API_VERSION, VERSION } from '../../version.js';

const goArch = (): string => (arch() === 'x64' ? 'amd64' : arch());

function streamLines<T>(res: ServerResponse, subscribe: (send: (v: T) => void) => () => void): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const unsubscribe = subscribe((v) => res.write(`${JSON.stringify(v)}\n`));
  res.on('close', unsubscribe);
}

export function register(router: Router, ctx: DaemonContext): void {
  const ping = (): { text: string; headers: Record<string, string> } => ({ text: 'OK', headers: { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1' } });
  router.add('GET', '/_ping', ping);

  router.add('GET', '/version', () => ({
    json: {
      Platform: { Name: 'boxlab' },
      Components: [{ Name: 'Engine', Version: VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: release(), GoVersion: `node ${process.version}` } }],
      Version: VERSION, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'boxlab', GoVersion: `node ${process.version}`,
      Os: 'linux', Arch: goArch(), KernelVersion: release(), BuildTime: '',
    },
  }));

  router.add('GET', '/info', () => {
    const all = ctx.runtime.store.all();
    const mode = detectCgroupMode();
    return {
      json: {
        ID: 'boxlab', Name: hostname(), ServerVersion: VERSION,
        Containers: all.length,
        ContainersRunning: all.filter((c) => c.State.Status === 'running').length,
        ContainersPaused: all.filter((c) => c.State.Status === 'paused').length,
        ContainersStopped: all.filter((c) => !c.State.Running).length,
        Images: ctx.runtime.images.list({ all: true }).length, // docker counts intermediate images too
        Driver: 'overlay2', DockerRootDir: ctx.root, KernelVersion: release(), OperatingSystem: 'Linux', OSType: 'linux',
        Architecture: arch(), NCPU: cpus().length, MemTotal: totalmem(),
        CgroupDriver: 'cgroupfs', CgroupVersion: mode === 'v2' ? '2' : '1',
        Debug: false, LoggingDriver: 'json-file', Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Log: ['json-file', 'local'] },
        Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
        Labels: [], ExperimentalBuild: false, NoProxy: '', IndexServerAddress: 'https://index.docker.io/v1/', RegistryConfig: null,
        // boxlab's own runtime answers to docker's default name, so clients that pass or expect runc are served
        DefaultRuntime: 'runc', Runtimes: { runc: { path: process.execPath } }, SecurityOptions: [],
        Boxlab: { CgroupMode: mode, CgroupParent: ctx.cgroupParent, Socket: ctx.socket, Pid: process.pid },
      },
    };
  });

  /**
   * docker's lifecycle events; with `type=trace` (boxlab's extension) the live trace of every syscall and
   * host command instead, optionally only for `container=<name|id>`.
   */
  const history = new EventHistory();
  ctx.runtime.on('event', (e) => history.add(e));
  router.add('GET', '/events', ({ query, res }) => {
    if (query.get('type') === 'trace') {
      const ref = query.get('container');
      const id = ref ? ctx.runtime.get(ref).Id : undefined;
      streamLines<TraceEvent>(res, (send) => onTrace((e) => {
        if (id === undefined || e.container === id) send(e);
      }));
      return 'handled';
    }
    const wanted = eventFilter(query);
    const since = parseEventTime('since', query.get('since'));
    const until = parseEventTime('until', query.get('until'));
    streamLines<DockerEvent>(res, (send) => {
      const pass = (e: DockerEvent): void => {
        if (until !== undefined && e.timeNano / 1e6 > until) return;
        if (wanted(e)) send(e);
      };
      if (since !== undefined) history.since(since).forEach(pass);
      ctx.runtime.on('event', pass);
      // `until`: the stream ends then (at once when it is already past), as dockerd's does
      const timer = until === undefined ? undefined : setTimeout(() => res.end(), Math.max(0, until - Date.now()));
      return () => {
        clearTimeout(timer);
        ctx.runtime.off('event', pass);
      };
    });
    return 'handled';
  });

  /** `boxlab reset`: every container, then whatever the other areas registered (networks, orphans …). */
  router.add('POST', '/boxlab/reset', async () => {
    const removed = ctx.runtime.store.all().map((c) => c.Name.slice(1));
    await ctx.runtime.shutdown({ remove: true });
    const notes: string[] = removed.map((n) => `removed container ${n}`);
    for (const hook of ctx.resetHooks) notes.push(...(await hook()));
    return { json: { Removed: notes } };
  });
}
