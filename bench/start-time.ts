/**
 * Container start time, side by side with peers, in ONE run (issue 22). Every round runs each case once, in
 * the same order, so a burst of load on a shared machine hits all of them alike; the table gives medians,
 * the spread (p10–p90) and the ratio of each median to crun's and runc's medians of the same run.
 *
 *   boxlab API    create + start + wait(removed) of `true` against a running daemon (none / bridge / userns remap)
 *   boxlab CLI    `boxlab run --rm [--network none] busybox true`, `boxlab exec <c> true`, `--version`, `ps`
 *   runc, crun    `run` of an OCI bundle over the same busybox rootfs, read-only; `exec` into a running one
 *   podman        `podman run --rm --network none --rootfs <copy of the rootfs> true` (runc underneath: Debian's
 *                 podman 4.3 refuses crun on a cgroup-v1/hybrid host), when podman is installed
 *   unshare       `unshare --uts --ipc --net --mount --pid --fork chroot <rootfs> true`: the floor
 *
 * The daemon lives in a throwaway network namespace (bench/harness.ts): bridge and iptables stay off the host.
 * Usage: node dist/bench/start-time.js [runs] [--short] [--baseline <another build's dist/>]
 *   --short: 1 round, no warm-up (CI checks that it completes); --baseline: that build's CLI beside this one
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../engine/images/index.js';
import { bundle } from './bundle.js';
import { CLI, inThrowawayNetns, ms, startBenchDaemon, stats, timed, type BenchDaemon } from './harness.js';

const short = process.argv.includes('--short');
const runsArg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
const runs = short ? 1 : Number(runsArg ?? 15);
const baselineAt = process.argv.indexOf('--baseline');
/** `--baseline <dist>`: another build's dist/ (say, main's before a change), its CLI measured beside this one */
const baseline = baselineAt > 0 ? process.argv[baselineAt + 1] : undefined;

interface Case {
  label: string;
  run: () => Promise<unknown> | unknown;
  samples: number[];
  /** CPU time (ms) each round used, see cpuTicks() */
  cpu: number[];
  /** the daemon whose CPU time counts for this case (the baseline's own daemon for its API case) */
  daemonPid?: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * CPU time in clock ticks spent by `pid` and its reaped children: utime, stime, cutime, cstime of
 * /proc/<pid>/stat. On a loaded machine wall time mostly measures the wait for a core; CPU time does not.
 */
function cpuTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime..cstime are fields 14..17
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const quiet = { stdio: 'ignore' as const };

let holder: ChildProcess | undefined;

/** cgroup v1 with a cgroup2 hierarchy that has controllers (hugetlb here): crun refuses to run on it. */
function hybridHost(): boolean {
  try {
    return readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/**
 * How to call crun. On a hybrid host it runs in a mount namespace without /sys/fs/cgroup/unified, held open by
 * a sleeping process, so it sees plain cgroup v1 as boxlab and runc do; nsenter's own cost is a row of its own.
 */
async function crunCommand(cleanups: (() => void)[]): Promise<(args: string[]) => [string, string[]]> {
  if (!hybridHost()) return (args) => ['crun', args];
  const h = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'umount -l /sys/fs/cgroup/unified && exec sleep 3600'], quiet);
  holder = h;
  cleanups.push(() => h.kill());
  for (let i = 0; i < 200; i++) {
    if (h.exitCode !== null) throw new Error('could not make a mount namespace for crun (unshare --mount)');
    if (readFileSync(`/proc/${h.pid}/comm`, 'utf8').trim() === 'sleep') return (args) => ['nsenter', [`--mount=/proc/${h.pid}/ns/mnt`, 'crun', ...args]];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the mount namespace for crun did not come up');
}

/** this process's own utime+stime (the API client's work is left out: it is the same for every API case) */
function ownTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'boxlab-bench-peers-'));
  let d: BenchDaemon | undefined;
  let baseDaemon: BenchDaemon | undefined;
  const cleanups: (() => void)[] = [];
  const cases: Case[] = [];
  const add = (label: string, run: Case['run']): void => void cases.push({ label, run, samples: [], cpu: [] });
  try {
    d = await startBenchDaemon();
    const { client, env } = d;
    const api = (hostConfig: Record<string, unknown>, c = client) => async (): Promise<void> => {
      const { Id } = await c.post<{ Id: string }>('/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true, ...hostConfig } });
      const waiting = c.post(`/containers/${Id}/wait`, undefined, { condition: 'removed' });
      await c.post(`/containers/${Id}/start`);
      await waiting;
    };
    const cli = (args: string[]) => (): void => void execFileSync(process.execPath, [CLI, ...args], { env, ...quiet });
    await api({ NetworkMode: 'none' })(); // makes the busybox image
    const store = new ImageStore(d.root);
    const rootfs = store.layerDirs(store.resolve('busybox'))[0]!;

    add('boxlab API, --network none', api({ NetworkMode: 'none' }));
    add('boxlab API, default bridge', api({}));
    add('boxlab API, --network none, --userns remap', api({ NetworkMode: 'none', UsernsMode: 'remap' }));
    add('boxlab run --rm --network none busybox true', cli(['run', '--rm', '--network', 'none', 'busybox', 'true']));
    add('boxlab run --rm busybox true (bridge)', cli(['run', '--rm', 'busybox', 'true']));
    await client.post('/containers/create', { Image: 'busybox', Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } }, { name: 'bench-exec' });
    await client.post('/containers/bench-exec/start');
    add('boxlab exec bench-exec true', cli(['exec', 'bench-exec', 'true']));
    add('boxlab --version', cli(['--version']));
    add('boxlab ps', cli(['ps']));
    if (baseline) {
      // Another build's CLI against the same daemon: the client's before/after in one run.
      const other = (args: string[]) => (): void => void execFileSync(process.execPath, [join(baseline, 'cli/main.js'), ...args], { env, ...quiet });
      add('baseline: boxlab run --rm --network none', other(['run', '--rm', '--network', 'none', 'busybox', 'true']));
      add('baseline: boxlab --version', other(['--version']));
      add('baseline: boxlab ps', other(['ps']));
      // and its daemon (a second one, from that build; --network none only: both would make the same bridge)
      const { startBenchDaemon: startOther } = await import(join(baseline, 'bench/harness.js')) as typeof import('./harness.js');
      baseDaemon = await startOther();
      await api({ NetworkMode: 'none' }, baseDaemon.client)();
      add('baseline: boxlab API, --network none', api({ NetworkMode: 'none' }, baseDaemon.client));
      cases.at(-1)!.daemonPid = baseDaemon.pid;
    }

    for (const rt of ['crun', 'runc'] as const) {
      if (!have(rt)) {
        console.log(`(${rt} not installed: apt-get install ${rt} to compare)`);
        continue;
      }
      const runtime = rt === 'crun' ? await crunCommand(cleanups) : (args: string[]): [string, string[]] => [rt, args];
      const state = join(work, `${rt}-state`);
      const once = bundle(join(work, `${rt}-true`), rootfs, ['/bin/true']);
      let n = 0;
      add(`${rt} run (same rootfs, read-only)`, () => execFileSync(...runtime(['--root', state, 'run', '--bundle', once, `bench${process.pid}-${n++}`]), quiet));
      const long = bundle(join(work, `${rt}-sleep`), rootfs, ['/bin/sleep', '3600']);
      const id = `bench${process.pid}-${rt}-exec`;
      execFileSync(...runtime(['--root', state, 'run', '--detach', '--bundle', long, id]), quiet);
      cleanups.push(() => spawnSync(...runtime(['--root', state, 'delete', '--force', id]), quiet));
      add(`${rt} exec (into a running one)`, () => execFileSync(...runtime(['--root', state, 'exec', id, '/bin/true']), quiet));
    }
    if (holder) add('nsenter --mount=<crun\'s> true (its wrapper, alone)', () => execFileSync('nsenter', [`--mount=/proc/${holder!.pid}/ns/mnt`, 'true'], quiet));
    if (have('podman')) {
      // podman writes into the rootfs it is given (/etc/hosts, mount points): a copy of its own
      const pm = join(work, 'podman');
      cpSync(rootfs, join(pm, 'rootfs'), { recursive: true, verbatimSymlinks: true });
      const podman = ['--root', join(pm, 'storage'), '--runroot', join(pm, 'run'), '--tmpdir', join(pm, 'tmp'),
        '--cgroup-manager', 'cgroupfs', '--events-backend', 'none', '--runtime', 'runc', '--storage-driver', 'vfs'];
      // vfs: the overlay driver leaves a bind mount of its storage behind; with --rootfs no image is stored
      // nofile/nproc: podman's defaults exceed this host's hard limits
      add('podman run --rm --network none (runc)', () => execFileSync('podman', [...podman, 'run', '--rm', '--network', 'none',
        '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--rootfs', join(pm, 'rootfs'), '/bin/true'], quiet));
    } else {
      console.log('(podman not installed: apt-get install podman to compare)');
    }
    add('unshare ... chroot <rootfs> true (the floor)', () =>
      execFileSync('unshare', ['--uts', '--ipc', '--net', '--mount', '--pid', '--fork', 'chroot', rootfs, '/bin/true'], quiet));

    if (!short) for (const c of cases) await c.run(); // warm-up: page cache, first network, image
    // CPU: the daemon's (with its reaped inits and host tools) plus this process's reaped children (CLI, runc...)
    const daemonPid = d.pid;
    const ticks = (pid: number): number => cpuTicks(pid) + cpuTicks('self') - ownTicks();
    for (let i = 0; i < runs; i++) {
      for (const c of cases) {
        const pid = c.daemonPid ?? daemonPid;
        const before = ticks(pid);
        c.samples.push(await timed(c.run));
        c.cpu.push((ticks(pid) - before) * TICK_MS);
      }
    }
  } catch (e) {
    if (d) {
      try {
        console.error(`boxlabd's log:\n${readFileSync(join(d.root, 'boxlabd.log'), 'utf8').slice(-2000)}`);
      } catch {
        // no log: the daemon was not autostarted
      }
    }
    throw e;
  } finally {
    // last made, first undone: crun's delete still needs the mount namespace the holder keeps
    for (const c of cleanups.reverse()) c();
    await baseDaemon?.stop();
    await d?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  report(cases);
}

function mean(xs: number[]): number {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function report(cases: Case[]): void {
  const meanCpu = (prefix: string): number => mean(cases.find((c) => c.label.startsWith(prefix))?.cpu ?? []);
  const median = (prefix: string): number => stats(cases.find((c) => c.label.startsWith(prefix))?.samples ?? []).median;
  const crun = median('crun run');
  const runc = median('runc run');
  console.log(`container start time: ${runs} alternating round(s); ${cpus().length}× ${cpus()[0]?.model ?? '?'}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('wall ms: median, p10, p90, ratio of the median to crun\'s and runc\'s; cpu ms: mean CPU time (user+sys) of all processes involved');
  const crunCpu = meanCpu('crun run');
  const runcCpu = meanCpu('runc run');
  console.log(`${'what'.padEnd(52)} ${'median'.padStart(7)} ${'p10'.padStart(7)} ${'p90'.padStart(7)} ${'×crun'.padStart(6)} ${'×runc'.padStart(6)} ${'cpu'.padStart(6)} ${'×crun'.padStart(6)} ${'×runc'.padStart(6)}`);
  for (const c of cases) {
    const s = stats(c.samples);
    const ratio = (peer: number): string => (Number.isFinite(peer) && peer > 0 ? (s.median / peer).toFixed(2) : '-');
    const cpu = mean(c.cpu);
    const cpuRatio = (peer: number): string => (Number.isFinite(peer) && peer > 0 ? (cpu / peer).toFixed(2) : '-');
    console.log(`${c.label.padEnd(52)} ${ms(s.median).padStart(7)} ${ms(s.p10).padStart(7)} ${ms(s.p90).padStart(7)} ${ratio(crun).padStart(6)} ${ratio(runc).padStart(6)} ${cpu.toFixed(0).padStart(6)} ${cpuRatio(crunCpu).padStart(6)} ${cpuRatio(runcCpu).padStart(6)}`);
  }
}

inThrowawayNetns();
await main();
