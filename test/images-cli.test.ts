import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

// The image and volume commands end to end: real CLI, private daemon, real containers.
let d: TestDaemon;
let work: string;
beforeAll(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'boxlab-images-cli-'));
});
afterAll(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<string> {
  const r = await d.cli(args);
  if (r.exitCode !== 0) throw new Error(`boxlab ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('images through the CLI', () => {
  it('diff, commit, history, save/rmi/load, export/import of a real container', async () => {
    await ok(['run', '--name', 'c1', 'busybox', 'sh', '-c', 'echo hi > /new.txt; rm /etc/group; echo x >> /etc/passwd']);
    const diff = (await ok(['diff', 'c1'])).split('\n');
    expect(diff).toEqual(expect.arrayContaining(['A /new.txt', 'D /etc/group', 'C /etc/passwd', 'C /etc']));
    const id = await ok(['commit', '-c', 'CMD ["cat", "/new.txt"]', '-m', 'first commit', 'c1', 'snap:1']);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await ok(['run', '--rm', 'snap:1'])).toBe('hi');
    expect(await ok(['run', '--rm', 'snap:1', 'cat', '/etc/group']).catch((e: Error) => e.message)).toMatch(/No such file/);
    expect(await ok(['images'])).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n(.*\n)*snap +1 +[0-9a-f]{12} /m);
    const hist = (await ok(['history', 'snap:1'])).split('\n');
    expect(hist).toHaveLength(3);
    expect(hist[1]).toMatch(/first commit$/);

    const archive = join(work, 'snap.tar');
    await ok(['save', '-o', archive, 'snap:1']);
    expect(await ok(['rmi', 'snap:1'])).toMatch(/^Untagged: snap:1\nDeleted: sha256:/);
    expect(await ok(['load', '-i', archive])).toBe('Loaded image: snap:1');
    expect(await ok(['run', '--rm', 'snap:1'])).toBe('hi');

    const flat = join(work, 'flat.tar');
    await ok(['export', '-o', flat, 'c1']);
    expect(await ok(['import', '-c', 'CMD ["cat", "/new.txt"]', flat, 'flat:1'])).toMatch(/^sha256:/);
    expect(await ok(['run', '--rm', 'flat:1'])).toBe('hi');
  });

  it('exports a running container through /proc/<pid>/root without its /proc, /sys and /dev contents', async () => {
    await ok(['run', '-d', '--network', 'none', '--name', 'live', 'busybox', 'sh', '-c', 'echo live > /live.txt; exec sleep 600']);
    for (let i = 0; i < 50 && !(await d.cli(['exec', 'live', 'cat', '/live.txt'])).stdout.includes('live'); i++) await new Promise((r) => setTimeout(r, 100));
    const flat = join(work, 'live.tar');
    await ok(['export', '-o', flat, 'live']);
    const { execa } = await import('execa');
    const list = (await execa('tar', ['-tf', flat])).stdout.split('\n');
    expect(list).toEqual(expect.arrayContaining(['live.txt', 'bin/busybox', 'proc/', 'sys/', 'dev/']));
    expect(list.some((p) => /^(proc|sys|dev)\/./.test(p))).toBe(false);
    await ok(['rm', '-f', 'live']);
  });

  it('refuses to remove an image a container uses, in one line', async () => {
    const r = await d.cli(['rmi', 'busybox']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/conflict: unable to remove repository reference "busybox" \(must force\) - container [0-9a-f]{12} is using its referenced image/);
    const bad = await d.cli(['load', '-i', join(work, 'nope.tar')]);
    expect(bad.exitCode).not.toBe(0);
  });

  it('builds a Dockerfile and runs the result with its ENTRYPOINT and CMD', async () => {
    const ctx = join(work, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'msg.txt'), 'built\n');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY msg.txt /msg.txt\nWORKDIR /w\nRUN echo ran >> /msg.txt && pwd > /where\nENTRYPOINT ["cat"]\nCMD ["/msg.txt"]\n');
    const out = await ok(['build', '-t', 'b:1', ctx]);
    expect(out).toMatch(/Step 1\/6 : FROM busybox/);
    expect(out).toMatch(/Successfully tagged b:1$/);
    expect(await ok(['run', '--rm', 'b:1'])).toBe('built\nran');
    expect(await ok(['run', '--rm', 'b:1', '/etc/hostname'])).toMatch(/^[0-9a-f]{12}$/);
    expect(await ok(['run', '--rm', 'b:1', '/where'])).toBe('/w'); // RUN ran in a real container, in the WORKDIR
    expect(await ok(['ps', '-a', '-q'])).not.toMatch(/\n.*\n.*\n/); // the RUN containers are gone again
    writeFileSync(join(ctx, 'Dockerfile.fail'), 'FROM busybox\nRUN echo oops >&2; exit 3\n');
    const failed = await d.cli(['build', '-f', join(ctx, 'Dockerfile.fail'), ctx]);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stderr).toMatch(/The command '\/bin\/sh -c echo oops >&2; exit 3' returned a non-zero code: 3/);
    expect(await ok(['build', '-t', 'b:1', ctx])).toMatch(/Using cache(.|\n)*Using cache(.|\n)*Using cache/);
    const bad = await d.cli(['build', ctx, '-f', join(ctx, 'nope')]);
    expect(bad.exitCode).not.toBe(0);
  });

  it('volume create, ls, inspect, rm', async () => {
    expect(await ok(['volume', 'create', 'v1'])).toBe('v1');
    expect(await ok(['volume', 'ls', '-q'])).toBe('v1');
    const mp = await ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'v1']);
    expect(mp).toBe(join(d.root, 'volumes', 'v1', '_data'));
    expect(existsSync(mp)).toBe(true);
    expect(await ok(['volume', 'rm', 'v1'])).toBe('v1');
    const r = await d.cli(['volume', 'inspect', 'v1']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/no such volume: v1/);
  });
});
