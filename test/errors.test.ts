import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, startDaemon, type TestDaemon } from './helpers/daemon.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  await d?.stop();
});

async function nothingLeft(): Promise<void> {
  expect((await d.cli(['ps', '-a', '-q'])).stdout).toBe('');
  const overlay = join(d.root, 'overlay');
  expect(existsSync(overlay) ? readdirSync(overlay) : []).toEqual([]);
}

/** Bad input: one clear line on stderr, a non-zero exit, and nothing half-made. */
describe('bad input', () => {
  it('unknown image', async () => {
    const r = await d.cli(['run', '--rm', 'no-such-image', 'true']);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^Error response from daemon: No such image: no-such-image[^\n]*$/);
    await nothingLeft();
  });

  it('invalid and duplicate --name', async () => {
    const bad = await d.cli(['run', '--name', 'bad name', 'busybox', 'true']);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr).toMatch(/^Error response from daemon: Invalid container name \(bad name\)/);
    expect(bad.stderr.split('\n')).toHaveLength(1);
    await d.cli(['run', '-d', '--name', 'taken', 'busybox', 'sleep', '600']);
    const dup = await d.cli(['run', '--name', 'taken', 'busybox', 'true']);
    expect(dup.exitCode).toBe(125);
    expect(dup.stderr).toMatch(/The container name "\/taken" is already in use/);
    await d.cli(['rm', '-f', 'taken']);
    await nothingLeft();
  });

  it('a command missing from the image exits 127 and leaves no cgroup or process', async () => {
    const r = await d.cli(['run', '--rm', 'busybox', 'no-such-cmd']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toBe('boxlab: exec: "no-such-cmd": executable file not found in $PATH');
    await nothingLeft();
    const kept = await d.cli(['run', '--name', 'kept', 'busybox', 'no-such-cmd']);
    expect(kept.exitCode).toBe(127);
    const rec = await d.client.get<{ State: { Status: string; ExitCode: number; Error: string } }>('/containers/kept/json');
    expect(rec.State).toMatchObject({ Status: 'created', ExitCode: 127 });
    expect(rec.State.Error).toMatch(/executable file not found/);
    await d.cli(['rm', 'kept']);
  });

  it('exec and attach on a stopped container', async () => {
    await d.cli(['run', '--name', 'stopped', 'busybox', 'true']);
    const ex = await d.cli(['exec', 'stopped', 'true']);
    expect(ex.exitCode).not.toBe(0);
    expect(ex.stderr).toMatch(/is not running/);
    const at = await d.cli(['attach', 'stopped']);
    expect(at.exitCode).not.toBe(0);
    expect(at.stderr).toMatch(/cannot attach to a stopped container/);
    await d.cli(['rm', 'stopped']);
  });

  it('rm of a running container without -f', async () => {
    await d.cli(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '600']);
    const r = await d.cli(['rm', 'busy']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/container is running: stop the container before removing or force remove/);
    expect((await d.cli(['ps', '-q'])).stdout).not.toBe('');
    await d.cli(['rm', '-f', 'busy']);
    await nothingLeft();
  });

  it('an unknown flag', async () => {
    const r = await d.cli(['run', '--no-such-flag', 'busybox', 'true']);
    expect(r.exitCode).toBe(125);
    expect(r.stderr.split('\n')[0]).toBe("error: unknown option '--no-such-flag'");
    await nothingLeft();
  });

  it('-u naming a user the image does not have', async () => {
    const r = await d.cli(['run', '--rm', '-u', 'ghost', 'busybox', 'id']);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe('Error response from daemon: unable to find user ghost: no matching entries in passwd file');
    await nothingLeft();
  });

  it('a daemon that is not running and cannot start says why', async () => {
    const r = await execa(process.execPath, [CLI, 'ps'], {
      reject: false,
      env: { ...process.env, BOXLAB_ROOT: '/dev/null/boxlab', BOXLAB_SOCKET: '/dev/null/boxlab/boxlab.sock' },
    });
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr).split('\n')).toHaveLength(1);
    expect(String(r.stderr)).toBe('boxlab: boxlabd is not running on /dev/null/boxlab/boxlab.sock and cannot start: its state root /dev/null/boxlab cannot be created (ENOTDIR); pick another with --root');
  });
});
