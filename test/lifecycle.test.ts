import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import type { ContainerRecord } from '../engine/containers/types.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  await d?.stop();
});

const inspect = async (name: string): Promise<ContainerRecord> => d.client.get<ContainerRecord>(`/containers/${name}/json`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('stop and kill', () => {
  it('stop sends SIGTERM first: a process that handles TERM exits by it, before the timeout', async () => {
    await d.cli(['run', '-d', '--name', 'traps', 'busybox', 'sh', '-c', 'trap "echo got TERM; exit 143" TERM; while :; do sleep 0.1; done']);
    await sleep(300);
    expect((await d.cli(['stop', '-t', '30', 'traps'])).exitCode).toBe(0);
    // 143 is the trap's own exit: a SIGKILL after the timeout would have left 137
    expect((await inspect('traps')).State.ExitCode).toBe(143);
    expect((await d.cli(['logs', 'traps'])).stdout).toBe('got TERM');
    await d.cli(['rm', 'traps']);
  });

  it('stop kills a PID 1 that ignores SIGTERM once the timeout passes (exit 137)', async () => {
    // sleep installs no TERM handler, and the kernel does not deliver unhandled signals to a namespace's init
    await d.cli(['run', '-d', '--name', 'ignores', 'busybox', 'sleep', '600']);
    const t0 = Date.now();
    await d.cli(['stop', '-t', '1', 'ignores']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect((await inspect('ignores')).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    await d.cli(['rm', 'ignores']);
  });

  it('kill -s delivers the named signal', async () => {
    await d.cli(['run', '-d', '--name', 'usr1', 'busybox', 'sh', '-c', 'trap "exit 42" USR1; while :; do sleep 0.1; done']);
    await sleep(300);
    await d.cli(['kill', '-s', 'USR1', 'usr1']);
    expect((await d.cli(['wait', 'usr1'])).stdout).toBe('42');
    await d.cli(['rm', 'usr1']);
  });
});

describe('logs', () => {
  it('keeps stdout and stderr apart, with timestamps on request', async () => {
    await d.cli(['run', '--name', 'talker', 'busybox', 'sh', '-c', 'echo to-out; echo to-err >&2; echo again']);
    const logs = await d.cli(['logs', 'talker']);
    expect(logs.stdout).toBe('to-out\nagain');
    expect(logs.stderr).toBe('to-err');
    const ts = await d.cli(['logs', '-t', 'talker']);
    expect(ts.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z to-out$/m);
    const file = (await inspect('talker')).LogPath;
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stream: string; log: string });
    expect(lines.map((l) => `${l.stream}:${l.log}`).sort()).toEqual(['stderr:to-err\n', 'stdout:again\n', 'stdout:to-out\n']);
    await d.cli(['rm', 'talker']);
  });

  it('follows a running container until it exits', async () => {
    await d.cli(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.2; done']);
    const r = await d.cli(['logs', '-f', 'ticker']);
    expect(r.stdout).toBe('tick 1\ntick 2\ntick 3');
    await d.cli(['rm', 'ticker']);
  });
});

describe('exec', () => {
  it("joins the container's namespaces — hostname, pid, mounts — and its cgroup", async () => {
    await d.cli(['run', '-d', '--name', 'host1', '--hostname', 'inside', 'busybox', 'sleep', '600']);
    const rec = await inspect('host1');
    const r = await d.cli(['exec', 'host1', 'sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; awk \'$5=="/" { for (i = 7; i <= NF; i++) if ($i == "-") print $(i+1) }\' /proc/self/mountinfo']);
    expect(r.stdout.split('\n')).toEqual(['inside', 'sleep 600 ', 'overlay']);
    for (const kind of ['uts', 'ipc', 'net', 'pid', 'mnt', 'cgroup']) {
      const inside = await d.cli(['exec', 'host1', 'readlink', `/proc/self/ns/${kind}`]);
      expect(inside.stdout, kind).toBe(rec.Boxlab.Namespaces[kind]);
    }
    // While an exec runs, the container's cgroup holds two processes.
    await d.cli(['exec', '-d', 'host1', 'sleep', '30']);
    const dir = Object.values(rec.Boxlab.CgroupPaths)[0]!;
    const procs = readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n');
    expect(procs).toHaveLength(2);
    const inCgroup = await d.cli(['exec', 'host1', 'cat', '/proc/self/cgroup']);
    expect(inCgroup.stdout).toMatch(/:\/$/m);
    await d.cli(['rm', '-f', 'host1']);
  });

  it('passes -e, -w and -u, and reports the exit code', async () => {
    await d.cli(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '600']);
    expect((await d.cli(['exec', '-e', 'X=1', '-w', '/tmp', '-u', '65534', 'ex', 'sh', '-c', 'echo $X $(pwd) $(id -u)'])).stdout).toBe('1 /tmp 65534');
    expect((await d.cli(['exec', 'ex', 'sh', '-c', 'exit 9'])).exitCode).toBe(9);
    expect((await d.cli(['exec', '-i', 'ex', 'cat'], { input: 'piped in\n' })).stdout).toBe('piped in');
    await d.cli(['rm', '-f', 'ex']);
  });
});

describe('the daemon as subreaper', () => {
  it('reaps orphans re-parented to it, so none stays a zombie', async () => {
    // With the host's pid namespace the background sleep outlives the shell and is re-parented to boxlabd;
    // the cgroup teardown kills it and the daemon must collect it.
    await d.cli(['run', '--rm', '--pid', 'host', 'busybox', 'sh', '-c', 'sleep 30 & exit 0']);
    const zombies = (): string[] => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return f[0] === 'Z' && Number(f[1]) === d.process.pid;
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 100 && zombies().length > 0; i++) await sleep(250);
    expect(zombies()).toEqual([]);
  });
});

describe('detached containers and ps', () => {
  it('a detached container outlives the CLI; the daemon records its exit afterwards', async () => {
    const r = await d.cli(['run', '-d', '--name', 'later', 'busybox', 'sh', '-c', 'sleep 4; exit 7']);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}$/);
    const ps = await d.cli(['ps']);
    expect(ps.stdout).toMatch(/later$/m);
    expect(ps.stdout).toMatch(/Up /);
    // poll the daemon: the CLI that started the container is long gone
    let rec = await inspect('later');
    for (let i = 0; i < 300 && rec.State.Running; i++) {
      await sleep(100);
      rec = await inspect('later');
    }
    expect(rec.State).toMatchObject({ Status: 'exited', ExitCode: 7, Running: false });
    expect(Date.parse(rec.State.FinishedAt)).toBeGreaterThan(Date.parse(rec.State.StartedAt));
    expect((await d.cli(['ps'])).stdout).not.toMatch(/later/);
    expect((await d.cli(['ps', '-a'])).stdout).toMatch(/Exited \(7\) .* later$/m);
    await d.cli(['rm', 'later']);
  });

  it('--rm removes the container when it exits', async () => {
    await d.cli(['run', '--rm', '--name', 'gone', 'busybox', 'true']);
    expect((await d.cli(['ps', '-a'])).stdout).not.toMatch(/gone/);
  });
});
