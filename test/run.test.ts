import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readlinkSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
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
const ns = (pid: number | 'self', kind: string): string => readlinkSync(`/proc/${pid}/ns/${kind}`);
const mountinfo = (): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ').slice(4, 5).join()).sort();

describe('run: namespaces', () => {
  it('gives the container its own hostname', async () => {
    const r = await d.cli(['run', '--rm', '--hostname', 'lab', 'busybox', 'hostname']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'lab' });
    expect(hostname()).not.toBe('lab');
  });

  it('runs the command as PID 1 inside, with another pid outside', async () => {
    expect((await d.cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo $$'])).stdout).toBe('1');
    await d.cli(['run', '-d', '--name', 'pid1', 'busybox', 'sleep', '600']);
    const { State } = await inspect('pid1');
    expect(State.Pid).toBeGreaterThan(1);
    // NSpid lists the pid in every pid namespace the process is in, outermost first.
    const nspid = readFileSync(`/proc/${State.Pid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)![1]!.split(/\s+/);
    expect(nspid).toEqual([String(State.Pid), '1']);
    await d.cli(['rm', '-f', 'pid1']);
  });

  it('creates new uts, ipc, pid, net, mnt and cgroup namespaces and keeps the user namespace', async () => {
    await d.cli(['run', '-d', '--name', 'nsa', 'busybox', 'sleep', '600']);
    const pid = (await inspect('nsa')).State.Pid;
    for (const kind of ['uts', 'ipc', 'pid', 'net', 'mnt', 'cgroup']) expect(ns(pid, kind), kind).not.toBe(ns('self', kind));
    expect(ns(pid, 'user')).toBe(ns('self', 'user'));
    const rec = await inspect('nsa');
    expect(rec.Boxlab.Namespaces.uts).toBe(ns(pid, 'uts'));
    await d.cli(['rm', '-f', 'nsa']);
  });

  it('shares namespaces where a mode says so: --uts host, --network host, --pid/--ipc container:', async () => {
    await d.cli(['run', '-d', '--name', 'donor', '--ipc', 'shareable', 'busybox', 'sleep', '600']);
    await d.cli(['run', '-d', '--name', 'guest', '--pid', 'container:donor', '--ipc', 'container:donor', 'busybox', 'sleep', '600']);
    await d.cli(['run', '-d', '--name', 'hosty', '--uts', 'host', '--network', 'host', 'busybox', 'sleep', '600']);
    const donor = (await inspect('donor')).State.Pid;
    const guest = (await inspect('guest')).State.Pid;
    const hosty = (await inspect('hosty')).State.Pid;
    expect(ns(guest, 'pid')).toBe(ns(donor, 'pid'));
    expect(ns(guest, 'ipc')).toBe(ns(donor, 'ipc'));
    expect(ns(guest, 'uts')).not.toBe(ns(donor, 'uts'));
    expect(ns(hosty, 'uts')).toBe(ns('self', 'uts'));
    expect(ns(hosty, 'net')).toBe(d.netns);
    expect(ns(hosty, 'pid')).not.toBe(ns('self', 'pid'));
    // The guest sees the donor's sleep as PID 1 of the shared pid namespace.
    const ps = await d.cli(['exec', 'guest', 'ps', '-o', 'pid,args']);
    expect(ps.stdout).toMatch(/^\s*1\s+sleep 600$/m);
    expect((await d.cli(['exec', 'hosty', 'hostname'])).stdout).toBe(hostname());
    await d.cli(['rm', '-f', 'guest', 'hosty', 'donor']);
  });

  it('refuses to join the IPC namespace of a container that is not shareable', async () => {
    await d.cli(['run', '-d', '--name', 'private-ipc', 'busybox', 'sleep', '600']);
    const r = await d.cli(['run', '--rm', '--ipc', 'container:private-ipc', 'busybox', 'true']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/not shareable/);
    await d.cli(['rm', '-f', 'private-ipc']);
  });
});

describe('run: root filesystem', () => {
  it('leaves the host mount table unchanged while a container runs and after', async () => {
    const before = mountinfo();
    await d.cli(['run', '-d', '--name', 'mnt', 'busybox', 'sleep', '600']);
    expect(mountinfo()).toEqual(before);
    const inside = await d.cli(['exec', 'mnt', 'cat', '/proc/self/mountinfo']);
    expect(inside.stdout).toMatch(/ \/ \S+ - overlay overlay /);
    expect(inside.stdout).toMatch(/ \/proc \S+ - proc proc /);
    expect(inside.stdout).toMatch(/ \/sys ro,\S+ - sysfs sysfs /);
    expect(inside.stdout).toMatch(/ \/dev\/pts \S+ - devpts devpts /);
    await d.cli(['rm', '-f', 'mnt']);
    expect(mountinfo()).toEqual(before);
  });

  it('writes into the per-container upper dir and never into the image layer', async () => {
    const rec0 = await d.cli(['create', '--name', 'cow', 'busybox', 'sh', '-c', 'echo new > /created; echo extra >> /etc/passwd; rm /bin/vi']);
    expect(rec0.exitCode).toBe(0);
    const rec = await inspect('cow');
    const lowest = rec.GraphDriver.Data.LowerDir.split(':').at(-1)!;
    const hash = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    const passwdBefore = hash(join(lowest, 'etc/passwd'));
    await d.cli(['start', '-a', 'cow']);
    const upper = rec.GraphDriver.Data.UpperDir;
    expect(readFileSync(join(upper, 'created'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(upper, 'etc/passwd'), 'utf8')).toMatch(/extra\n$/);
    expect(hash(join(lowest, 'etc/passwd'))).toBe(passwdBefore);
    expect(existsSync(join(lowest, 'bin/vi'))).toBe(true);
    await d.cli(['rm', 'cow']);
    expect(existsSync(upper)).toBe(false);
  });

  it('generates /etc/hostname, /etc/hosts and /etc/resolv.conf and a working /dev', async () => {
    const r = await d.cli(['run', '--rm', '-h', 'etc-test', 'busybox', 'sh', '-c',
      'cat /etc/hostname; grep etc-test /etc/hosts || echo no-host-line; grep -c localhost /etc/hosts; ls /dev; echo x > /dev/null && echo null-ok']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^etc-test$/m);
    expect(r.stdout).toMatch(/null-ok/);
    for (const dev of ['null', 'zero', 'random', 'urandom', 'tty', 'pts', 'shm', 'fd', 'stdout']) expect(r.stdout).toMatch(new RegExp(`^${dev}$`, 'm'));
  });

  it('uses the image default command, env and -e, -w, -u, --entrypoint', async () => {
    expect((await d.cli(['run', '--rm', '-e', 'GREETING=hi', 'busybox', 'sh', '-c', 'echo $GREETING $PATH'])).stdout)
      .toBe('hi /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect((await d.cli(['run', '--rm', '-w', '/tmp/work', 'busybox', 'pwd'])).stdout).toBe('/tmp/work');
    expect((await d.cli(['run', '--rm', '-u', '1000:1001', 'busybox', 'id'])).stdout).toBe('uid=1000 gid=1001 groups=1001');
    expect((await d.cli(['run', '--rm', '-u', 'nobody', 'busybox', 'id', '-u'])).stdout).toBe('65534');
    expect((await d.cli(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via', 'entrypoint'])).stdout).toBe('via entrypoint');
    // the host's environment does not leak in
    process.env.BOXLAB_SECRET_PROBE = 'leak';
    expect((await d.cli(['run', '--rm', 'busybox', 'env'])).stdout).not.toMatch(/BOXLAB_SECRET_PROBE/);
    delete process.env.BOXLAB_SECRET_PROBE;
  });
});

describe('run: exit codes', () => {
  it.each([
    [['sh', '-c', 'exit 0'], 0],
    [['sh', '-c', 'exit 1'], 1],
    [['no-such-command'], 127],
    [['/etc/passwd'], 126],
  ])('%j exits %i', async (cmd, code) => {
    const r = await d.cli(['run', '--rm', 'busybox', ...cmd]);
    expect(r.exitCode).toBe(code);
  });

  it('reports 137 for a container killed with SIGKILL', async () => {
    expect((await d.cli(['run', '-d', '--name', 'killme', 'busybox', 'sleep', '600'])).exitCode).toBe(0);
    expect((await d.cli(['kill', 'killme'])).stdout).toBe('killme');
    expect((await d.cli(['wait', 'killme'])).stdout).toBe('137');
    const rec = await inspect('killme');
    expect(rec.State).toMatchObject({ Status: 'exited', ExitCode: 137, Running: false, Pid: 0 });
    await d.cli(['rm', 'killme']);
  });
});
