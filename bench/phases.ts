/**
 * Where the time of one `run` goes, from the trace's own timings (issue 22): N containers through the Engine
 * API (create, start, wait, delete, each timed by the client) with the daemon's trace stream subscribed;
 * every traced call is put in a phase by what it is, and the medians over the N runs are printed per phase.
 * What the trace does not cover (the daemon's own JavaScript, HTTP, waiting for the init to be scheduled) is
 * the rest of each request. The CLI's own start is measured beside it (`boxlab --version`, node alone).
 *
 * Usage: node dist/bench/phases.js [runs] [--network none|bridge] [--short]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { ndjsonSplitter } from '../engine/client/ndjson.js';
import type { TraceEvent } from '../engine/sys/trace.js';
import { CLI, inThrowawayNetns, ms, startBenchDaemon, stats, timed } from './harness.js';

const short = process.argv.includes('--short');
const runs = short ? 2 : Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
const netArg = process.argv.indexOf('--network');
const networks = netArg > 0 ? [process.argv[netArg + 1]!] : ['none', 'bridge'];

/** The phase of one traced call: the parent's (daemon's) calls and the init's are told apart by pid. */
function phaseOf(e: TraceEvent, daemonPid: number): string {
  const inInit = e.pid !== daemonPid;
  if (e.kind === 'command') {
    if (e.name === 'iptables') return 'iptables';
    if (e.name === 'ip' && /link (add|del)/.test(e.args)) return 'veth add/del (ip link)';
    if (e.name === 'nsenter' && /ip -batch/.test(e.args)) return 'address+route in netns (nsenter ip)';
    if (e.name === 'ip' || e.name === 'sysctl') return 'other ip/sysctl (checks)';
    return `command ${e.name}`;
  }
  if (e.kind === 'note') return '';
  if (/^\/sys\/fs\/cgroup/.test(e.args) || /cgroup/.test(e.name)) return 'cgroup mkdir/write/rmdir';
  if (!inInit) {
    if (['socketpair', 'unshare', 'clone', 'setns'].includes(e.name)) return 'init spawn (pool refill, after the take)';
    if (e.name === 'flock') return 'network state lock';
    return 'daemon: other syscalls';
  }
  if (e.name === 'ioctl' && !/"lo"/.test(e.args)) return 'init: eth0 address+route (ioctls)';
  if (e.name === 'mount' && /"overlay"/.test(e.args)) return 'init: overlay mount';
  if (e.name === 'pivot_root' || e.name === 'umount2' || e.name === 'chdir') return 'init: pivot_root + old root detach';
  if (['mount', 'mknod', 'symlink', 'mkdir'].includes(e.name)) return 'init: binds, /proc, /dev, masked paths';
  if (['prctl', 'capset', 'capget', 'seccomp', 'setuid', 'setgid', 'setgroups'].includes(e.name)) return 'init: user, caps, seccomp';
  return 'init: other (hostname, lo up, unshare)';
}

interface Run {
  phases: Map<string, number>;
}

async function main(): Promise<void> {
  const d = await startBenchDaemon();
  const events: TraceEvent[] = [];
  const res = await d.client.stream('GET', '/events', { query: { type: 'trace' } });
  res.on('data', ndjsonSplitter<TraceEvent>((e) => events.push(e)));
  const daemonPid = d.pid;
  const byNet = new Map<string, Run[]>();
  const cliStart: number[] = [];
  try {
    for (const net of networks) {
      const all: Run[] = [];
      for (let i = 0; i < runs + 1; i++) {
        events.length = 0;
        const phases = new Map<string, number>();
        let id = '';
        phases.set('API create', await timed(async () => {
          id = (await d.client.post<{ Id: string }>('/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: net } })).Id;
        }));
        phases.set('API start (until the reply)', await timed(() => d.client.post(`/containers/${id}/start`)));
        phases.set('API wait (until the exit is seen)', await timed(() => d.client.post(`/containers/${id}/wait`)));
        phases.set('API delete', await timed(() => d.client.call('DELETE', `/containers/${id}`)));
        await new Promise((r) => setTimeout(r, 30)); // the last events are still on the stream
        for (const e of events) {
          if (e.container !== id) continue;
          const p = phaseOf(e, daemonPid);
          if (p) phases.set(p, (phases.get(p) ?? 0) + e.durationMs);
        }
        const init = events.filter((e) => e.container === id && e.pid !== daemonPid && e.kind === 'syscall');
        if (init.length > 0) {
          const last = init[init.length - 1]!;
          phases.set('init: first call → last call (wall)', last.time + last.durationMs - init[0]!.time);
        }
        if (i > 0) all.push({ phases }); // the first run makes the image and the network
      }
      byNet.set(net, all);
    }
    const version = (): void => void execFileSync(process.execPath, [CLI, '--version'], { stdio: 'ignore' });
    const bare = (): void => void execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    const node: number[] = [];
    for (let i = 0; i < Math.max(3, Math.min(runs, 10)); i++) {
      cliStart.push(await timed(version));
      node.push(await timed(bare));
    }
    byNet.set('client', [{ phases: new Map([['node -e 0', stats(node).median], ['boxlab --version (node + the CLI\'s modules)', stats(cliStart).median]]) }]);
  } finally {
    res.destroy();
    await d.stop();
  }
  console.log(`phases of one run: medians of ${runs} runs (ms); ${cpus().length}× ${cpus()[0]?.model ?? '?'}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (const [net, all] of byNet) {
    console.log(net === 'client' ? '\nclient process' : `\n--network ${net}`);
    const names = [...new Set(all.flatMap((r) => [...r.phases.keys()]))];
    for (const name of names) {
      const s = stats(all.map((r) => r.phases.get(name) ?? 0));
      console.log(`  ${name.padEnd(46)} ${ms(s.median).padStart(7)}  (p10 ${ms(s.p10)}, p90 ${ms(s.p90)})`);
    }
  }

}

inThrowawayNetns();
await main();
