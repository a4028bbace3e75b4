import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

/**
 * Docker Engine API compatibility through the stock docker CLI (client only): docker cp both ways, import,
 * rename, top, system df, prune, inspect's effective HostConfig. The CLI runs in the daemon's network
 * namespace, as a learner's would on the host. Each test removes what it made.
 */
const docker = await execa('docker', ['--version'], { reject: false }).then((r) => r.exitCode === 0, () => false);

let d: TestDaemon;
let work: string;
beforeAll(async () => {
  if (!docker) return;
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'boxlab-api-cli-'));
});
afterAll(async () => {
  await d?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const dk = (args: string[], input?: string | Buffer) => execa('nsenter', [`--net=/proc/${d.process.pid}/ns/net`, '--', 'docker', '-H', `unix://${d.socket}`, ...args],
  { reject: false, timeout: 60_000, ...(input !== undefined && { input }), env: { DOCKER_CONFIG: work } });

/** Polls `check` until it holds (the daemon acts on its own clock: restarts, probes); fails after 20 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached within 20 s');
}

describe.skipIf(!docker)('the stock docker CLI drives boxlabd', () => {
  it('docker cp copies into a created container and out of a running one', async () => {
    mkdirSync(join(work, 'in/sub'), { recursive: true });
    writeFileSync(join(work, 'in/sub/hello.txt'), 'hello from the host\n');
    expect((await dk(['create', '--name', 'cp1', 'busybox', 'sh', '-c', 'cat /dst/sub/hello.txt; echo made > /made.txt; sleep 600'])).exitCode).toBe(0);
    const put = await dk(['cp', join(work, 'in'), 'cp1:/dst']);
    expect(put.stderr).toBe('');
    expect(put.exitCode).toBe(0);
    expect((await dk(['start', 'cp1'])).exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect((await dk(['logs', 'cp1'])).stdout).toBe('hello from the host');
    const get = await dk(['cp', 'cp1:/made.txt', join(work, 'out.txt')]);
    expect(get.exitCode).toBe(0);
    expect(readFileSync(join(work, 'out.txt'), 'utf8')).toBe('made\n');
    const missing = await dk(['cp', 'cp1:/no/such', join(work, 'x')]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/Could not find the file \/no\/such/);
    await dk(['rm', '-f', 'cp1']);
  });

  it('docker cp out of a stopped container mounts and unmounts its root', async () => {
    expect((await dk(['run', '--name', 'cp2', 'busybox', 'sh', '-c', 'echo left > /left.txt'])).exitCode).toBe(0);
    const r = await dk(['cp', 'cp2:/left.txt', '-']);
    await dk(['rm', 'cp2']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('left\n'); // a tar stream holding the file
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(d.root);
  });

  it('docker cp into a stopped container lands in its volume (mounted for the copy, then let go)', async () => {
    writeFileSync(join(work, 'data.txt'), 'in the volume\n');
    await dk(['create', '--name', 'cpv', '-v', '/vol1', 'busybox', 'cat', '/vol1/data.txt']);
    const put = await dk(['cp', join(work, 'data.txt'), 'cpv:/vol1/']);
    const run = await dk(['start', '-a', 'cpv']);
    const vols = (await dk(['inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}}', 'cpv'])).stdout;
    await dk(['rm', 'cpv']);
    await dk(['volume', 'rm', vols]);
    expect(put.exitCode).toBe(0);
    expect(run.stdout).toBe('in the volume');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(d.root);
  });

  it('docker import takes a tar body and docker rename, top work', async () => {
    const exported = await execa('nsenter', [`--net=/proc/${d.process.pid}/ns/net`, '--', 'docker', '-H', `unix://${d.socket}`, 'create', 'busybox', 'true'], { reject: false, env: { DOCKER_CONFIG: work } });
    const id = exported.stdout.trim();
    await dk(['export', '-o', join(work, 'flat.tar'), id]);
    await dk(['rm', id]);
    const imp = await dk(['import', join(work, 'flat.tar'), 'imported:v1']);
    expect(imp.stderr).toBe('');
    expect(imp.exitCode).toBe(0);
    expect((await dk(['run', '-d', '--name', 'old-name', 'imported:v1', 'sleep', '600'])).exitCode).toBe(0);
    expect((await dk(['rename', 'old-name', 'new-name'])).exitCode).toBe(0);
    expect((await dk(['ps', '--format', '{{.Names}}'])).stdout).toBe('new-name');
    const top = await dk(['top', 'new-name']);
    expect(top.exitCode).toBe(0);
    expect(top.stdout.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(top.stdout).toMatch(/sleep 600/);
    // docker update of only the restart policy (recorded; boxlab does not restart containers yet)
    const up = await dk(['update', '--restart', 'on-failure:3', 'new-name']);
    const policy = await dk(['inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'new-name']);
    await dk(['rm', '-f', 'new-name']);
    expect(up.stderr).toBe('');
    expect(policy.stdout).toBe('on-failure:3');
    await dk(['rmi', 'imported:v1']);
  });

  it('docker inspect shows the effective HostConfig; unknown log drivers are refused, none has no logs', async () => {
    await dk(['create', '--name', 'insp', '-e', 'BARE', '-e', 'A=1', 'busybox', 'true']);
    const r = await dk(['inspect', '--format', '{{json .HostConfig.LogConfig}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NetworkMode}} {{json .Config.Env}} {{len .NetworkSettings.Networks}}', 'insp']);
    await dk(['rm', 'insp']);
    // the image's PATH first, then the -e entries (in whatever order this docker CLI sent them: it does not
    // keep the command line's); a bare BARE is kept as docker keeps it
    const [logConfig, restart, mode, envJson, networks] = r.stdout.trim().split(' ');
    expect([logConfig, restart, mode, networks]).toEqual(['{"Type":"json-file","Config":{}}', 'no', 'bridge', '1']);
    const env = JSON.parse(envJson!) as string[];
    expect(env[0]).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(env.slice(1).sort()).toEqual(['A=1', 'BARE']);
    const bad = await dk(['create', '--log-driver', 'syslogx', 'busybox', 'true']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/no log driver named 'syslogx'/);
    // logs --until / --since: a window in time (the CLI sends unix seconds)
    expect((await dk(['run', '--name', 'timed', 'busybox', 'echo', 'teahouse'])).exitCode).toBe(0);
    const early = await dk(['logs', '--until', '1970-01-01T00:00:01Z', 'timed']);
    const late = await dk(['logs', '--since', '2999-01-01T00:00:00Z', 'timed']);
    const all = await dk(['logs', '--until', '2999-01-01T00:00:00Z', 'timed']);
    await dk(['rm', 'timed']);
    expect([early.stdout, late.stdout, all.stdout]).toEqual(['', '', 'teahouse']);
    expect((await dk(['run', '--name', 'quiet', '--log-driver', 'none', 'busybox', 'echo', 'hi'])).exitCode).toBe(0);
    const logs = await dk(['logs', 'quiet']);
    expect(logs.exitCode).not.toBe(0);
    expect(logs.stderr).toMatch(/does not support reading/);
    await dk(['rm', 'quiet']);
  });

  it('docker system df and the prunes (with a label filter)', async () => {
    await dk(['create', '--name', 'keepme', '--label', 'keep=1', 'busybox', 'true']);
    await dk(['create', '--name', 'pruneme', 'busybox', 'true']);
    await dk(['network', 'create', 'prunenet']);
    const df = await dk(['system', 'df']);
    expect(df.exitCode).toBe(0);
    expect(df.stdout).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE/);
    expect(df.stdout).toMatch(/Containers\s+2\s+0/);
    const pc = await dk(['container', 'prune', '-f', '--filter', 'label!=keep']);
    expect(pc.exitCode).toBe(0);
    expect((await dk(['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('keepme');
    const pn = await dk(['network', 'prune', '-f']);
    expect(pn.stdout).toContain('prunenet');
    expect((await dk(['network', 'ls', '--format', '{{.Name}}'])).stdout).not.toContain('prunenet');
    expect((await dk(['image', 'prune', '-f'])).exitCode).toBe(0);
    await dk(['rm', 'keepme']);
    await dk(['volume', 'create', '--label', 'keep=1', 'vol-keep']);
    await dk(['volume', 'create', 'vol-drop']);
    const pv = await dk(['volume', 'prune', '-a', '-f', '--filter', 'label!=keep']);
    expect(pv.stdout).toContain('vol-drop');
    expect((await dk(['volume', 'ls', '--format', '{{.Name}}'])).stdout).toBe('vol-keep');
    await dk(['volume', 'rm', 'vol-keep']);
    const badDriver = await dk(['volume', 'create', '-d', 'nope', 'vol-x']);
    expect(badDriver.stderr).toMatch(/plugin "nope" not found/);
  });

  it('docker run --restart: on-failure:N retries N times; always restarts until docker stop; events filter by container and event', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await dk(['run', '-d', '--name', 'rp1', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
    await dk(['run', '-d', '--name', 'rp2', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2']);
    const state = async (name: string): Promise<string> => (await dk(['inspect', '-f', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}', name])).stdout;
    // the back-off is 100 ms, 200 ms, …: both get there within seconds
    await until(async () => (await state('rp1')) === 'exited 2 3');
    await until(async () => Number((await state('rp2')).split(' ')[1]) >= 2);
    const rm = await dk(['rm', 'rp2']);
    expect(rm.exitCode).not.toBe(0);
    expect(rm.stderr).toMatch(/stop the container before removing/);
    expect((await dk(['stop', 'rp2'])).exitCode).toBe(0);
    const stopped = await state('rp2');
    expect(stopped).toMatch(/^exited /);
    await new Promise((r) => setTimeout(r, 800));
    expect(await state('rp2')).toBe(stopped); // a client's stop is not followed by a restart
    // three starts of rp1 (the first and two retries), seen through docker events' filters
    const ev = await dk(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'container=rp1', '--filter', 'event=start', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    expect(ev.stdout.split('\n')).toEqual(['start rp1', 'start rp1', 'start rp1']);
    await dk(['rm', 'rp1', 'rp2']);
    const bad = await dk(['create', '--restart', 'sometimes', 'busybox', 'true']);
    expect(bad.exitCode).not.toBe(0);
  });

  it('docker run --health-cmd: starting, unhealthy after the retries, healthy once the probe passes; health_status events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await dk(['run', '-d', '--name', 'hc1', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '600']);
    const health = async (): Promise<string> => (await dk(['inspect', '-f', '{{.State.Health.Status}} {{len .State.Health.Log}}', 'hc1'])).stdout;
    expect(await health()).toMatch(/^(starting|unhealthy) /);
    await until(async () => (await health()).startsWith('unhealthy'));
    expect((await dk(['exec', 'hc1', 'touch', '/tmp/ok'])).exitCode).toBe(0);
    await until(async () => (await health()).startsWith('healthy'));
    expect((await dk(['ps', '--format', '{{.Status}}', '--filter', 'name=hc1'])).stdout).toMatch(/\(healthy\)$/);
    const ev = await dk(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'event=health_status', '--format', '{{.Action}}']);
    expect(ev.stdout.split('\n')).toEqual(['health_status: unhealthy', 'health_status: healthy']);
    // exec of a binary the container lacks: docker's 126 and its message
    const missing = await dk(['exec', 'hc1', 'no-such-binary']);
    expect(missing.exitCode).toBe(126);
    expect(missing.stdout + missing.stderr).toMatch(/executable file not found/);
    await dk(['rm', '-f', 'hc1']);
  });

  it('build --target/--label, commit shows its Parent, and the list filters of images, volumes and networks', async () => {
    mkdirSync(join(work, 'ctx'));
    writeFileSync(join(work, 'ctx/Dockerfile'), 'FROM busybox AS first\nENV STAGE=first\nFROM busybox\nENV STAGE=second\n');
    const b = await dk(['build', '-q', '--target', 'first', '--label', 'team=api', '-t', 'tgt:1', join(work, 'ctx')], undefined);
    expect(b.exitCode).toBe(0);
    expect((await dk(['inspect', '-f', '{{json .Config.Labels}} {{index .Config.Env 1}}', 'tgt:1'])).stdout).toBe('{"team":"api"} STAGE=first');
    const missing = await dk(['build', '-q', '--target', 'nope', join(work, 'ctx')]);
    expect(missing.stderr).toMatch(/failed to reach build target nope/);
    await dk(['run', '--name', 'tocommit', 'tgt:1', 'touch', '/changed']);
    await dk(['commit', 'tocommit', 'committed:1']);
    const parent = (await dk(['inspect', '-f', '{{.Parent}}', 'committed:1'])).stdout;
    expect(parent).toBe((await dk(['inspect', '-f', '{{.Id}}', 'tgt:1'])).stdout);
    expect((await dk(['images', '--filter', 'reference=committed', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toBe('committed:1');
    expect((await dk(['images', '--filter', 'label=team=api', '--format', '{{.Repository}}'])).stdout.split('\n').sort()).toEqual(['committed', 'tgt']);
    await dk(['rm', 'tocommit']);
    await dk(['rmi', 'committed:1', 'tgt:1']);
    await dk(['volume', 'create', 'filter-apple']);
    await dk(['volume', 'create', 'filter-pear']);
    expect((await dk(['volume', 'ls', '-q', '--filter', 'name=apple'])).stdout).toBe('filter-apple');
    await dk(['volume', 'rm', 'filter-apple', 'filter-pear']);
    await dk(['network', 'create', '--label', 'tier=db', 'lbl-net']);
    await dk(['network', 'create', 'plain-net']);
    expect((await dk(['network', 'ls', '--filter', 'label=tier=db', '--format', '{{.Name}}'])).stdout).toBe('lbl-net');
    expect((await dk(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}'])).stdout.split('\n').sort()).toEqual(['lbl-net', 'plain-net']);
    expect((await dk(['network', 'inspect', '-f', '{{json .Labels}}', 'lbl-net'])).stdout).toBe('{"tier":"db"}');
    await dk(['network', 'rm', 'lbl-net', 'plain-net']);
  });

  it('swarm endpoints answer 503 as a node that is no manager', async () => {
    const r = await dk(['service', 'ls']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/This node is not a swarm manager/);
  });
});
