import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync, existsSync } from 'node:fs';
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

describe('run --userns remap', () => {
  it('root inside is an unprivileged uid outside; files it writes belong to that uid; layers stay untouched', async () => {
    const r = await d.cli(['run', '-d', '--name', 'remapped', '--userns', 'remap', 'busybox', 'sh', '-c', 'echo made > /made-inside; sleep 600']);
    expect(r.exitCode).toBe(0);
    const rec = await inspect('remapped');
    const alloc = rec.Boxlab.Userns!;
    expect(alloc.uid.start).toBeGreaterThan(0);
    expect((await d.cli(['exec', 'remapped', 'id', '-u'])).stdout).toBe('0');
    const status = readFileSync(`/proc/${rec.State.Pid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${alloc.uid.start}\\s+${alloc.uid.start}\\s+`, 'm'));
    expect(readFileSync(`/proc/${rec.State.Pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', String(alloc.uid.start), String(alloc.uid.count)]);
    // the image's files look root-owned inside without being copied or chowned on disk
    expect((await d.cli(['exec', 'remapped', 'stat', '-c', '%u:%g', '/bin/busybox'])).stdout).toBe('0:0');
    const lowest = rec.GraphDriver.Data.LowerDir.split(':').at(-1)!;
    expect(statSync(join(lowest, 'bin/busybox')).uid).toBe(0);
    const upperFile = join(rec.GraphDriver.Data.UpperDir, 'made-inside');
    for (let i = 0; i < 50 && !existsSync(upperFile); i++) await new Promise((res) => setTimeout(res, 100));
    expect(statSync(upperFile).uid).toBe(alloc.uid.start);
    expect((await inspect('remapped') as unknown as { Boxlab: { Security: { userMapping: { uidMap: string } } } }).Boxlab.Security.userMapping.uidMap)
      .toBe(`0 ${alloc.uid.start} ${alloc.uid.count}`);
    await d.cli(['rm', '-f', 'remapped']);
    const ranges = JSON.parse(readFileSync(join(d.root, 'userns/ranges.json'), 'utf8')) as { allocations: unknown[] };
    expect(ranges.allocations).toEqual([]);
  });

  it('keeps exit codes, stdin and the trace of a remapped container', async () => {
    expect((await d.cli(['run', '--rm', '--userns', 'remap', 'busybox', 'sh', '-c', 'exit 5'])).exitCode).toBe(5);
    expect((await d.cli(['run', '--rm', '-i', '--userns', 'remap', 'busybox', 'cat'], { input: 'through a pipe the daemon owns\n' })).stdout)
      .toBe('through a pipe the daemon owns');
    const traced = await d.cli(['--trace', 'run', '--rm', '--userns', 'remap', 'busybox', 'true']);
    expect(traced.stderr).toMatch(/unshare --user --keep-caps/);
    expect(traced.stderr).toMatch(/uid_map/);
  });

  it('refuses sharing host namespaces and --privileged, leaving no range allocated', async () => {
    const shared = await d.cli(['run', '--rm', '--userns', 'remap', '--network', 'host', 'busybox', 'true']);
    expect(shared.exitCode).toBe(125);
    expect(shared.stderr).toMatch(/--userns remap needs the container's own namespaces: drop --network host/);
    const priv = await d.cli(['run', '--rm', '--userns', 'remap', '--privileged', 'busybox', 'true']);
    expect(priv.exitCode).toBe(125);
    expect(priv.stderr).toMatch(/--privileged does not work with user namespaces/);
    const bad = await d.cli(['run', '--rm', '--userns', 'sideways', 'busybox', 'true']);
    expect(bad.stderr).toMatch(/--userns "sideways" is not supported/);
    const file = join(d.root, 'userns/ranges.json');
    if (existsSync(file)) expect((JSON.parse(readFileSync(file, 'utf8')) as { allocations: unknown[] }).allocations).toEqual([]);
    expect((await d.cli(['ps', '-aq'])).stdout).toBe('');
  });
});
