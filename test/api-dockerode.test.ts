import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import Docker from 'dockerode';
import * as tar from 'tar';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

/**
 * Docker Engine API compatibility through dockerode, the Node SDK: the calls an SDK user makes (create,
 * start, wait, logs, archive both ways, stats one-shot, inspect) against a private boxlabd, with the API
 * version pinned as SDK users often do. Every container made here is removed.
 */
let d: TestDaemon;
let docker: Docker;
let work: string;
beforeAll(async () => {
  d = await startDaemon();
  docker = new Docker({ socketPath: d.socket, version: 'v1.41' });
  work = mkdtempSync(join(tmpdir(), 'boxlab-api-node-'));
});
afterAll(async () => {
  await d?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const collect = async (s: NodeJS.ReadableStream): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
};

describe('dockerode drives boxlabd', () => {
  it('create, start, wait, logs (demultiplexed) and inspect with the daemon defaults', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], Env: ['NOVALUE', 'K=v'] });
    try {
      const info = await c.inspect();
      expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: {} });
      expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'no', MaximumRetryCount: 0 });
      expect(info.Config.Env).toContain('NOVALUE');
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['bridge']);
      await c.start();
      expect(await c.wait()).toMatchObject({ StatusCode: 3 });
      const raw = await c.logs({ stdout: true, stderr: true, follow: false }) as unknown as Buffer;
      const out = new PassThrough();
      const err = new PassThrough();
      docker.modem.demuxStream(Readable.from([raw]), out, err);
      await new Promise((r) => setImmediate(r));
      expect(out.read()?.toString()).toBe('out\n');
      expect(err.read()?.toString()).toBe('err\n');
      // attach to the stopped container with logs=1&stream=0: its logs, then the end
      const attached = await c.attach({ hijack: true, stream: false, logs: true, stdout: true, stderr: false });
      const frames = await collect(attached);
      expect(frames.subarray(8).toString()).toBe('out\n');
    } finally {
      await c.remove({ force: true });
    }
  });

  it('putArchive (gzip, no Content-Type of its own) and getArchive round-trip a file', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'] });
    try {
      writeFileSync(join(work, 'note.txt'), 'through dockerode\n');
      const tarball = await collect(tar.c({ cwd: work, gzip: false }, ['note.txt']) as unknown as NodeJS.ReadableStream);
      const gz = await collect(Readable.from([tarball]).pipe(createGzip()));
      await c.putArchive(gz, { path: '/tmp' });
      await c.start();
      const got = await c.getArchive({ path: '/tmp/note.txt' });
      const files: Record<string, string> = {};
      const parser = new tar.Parser({ onReadEntry: (e) => { const b: Buffer[] = []; e.on('data', (x: Buffer) => b.push(x)); e.on('end', () => (files[e.path] = Buffer.concat(b).toString())); } });
      await new Promise<void>((resolve, reject) => { got.pipe(parser as unknown as NodeJS.WritableStream); parser.on('end', resolve); parser.on('error', reject); });
      expect(files).toEqual({ 'note.txt': 'through dockerode\n' });
      // HEAD answers (dockerode hands back no headers; the docker CLI's cp test reads the stat header)
      await expect(c.infoArchive({ path: '/tmp' })).resolves.toBeDefined();
      await expect(c.infoArchive({ path: '/no/such' })).rejects.toThrow(/404/);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('stats with stream=false and one-shot answer one object; kill returns once dead', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'] });
    try {
      await c.start();
      const one = await c.stats({ stream: false, 'one-shot': true } as { stream: false });
      expect(one).toHaveProperty('memory_stats');
      expect(one).toHaveProperty('cpu_stats');
      const two = await c.stats({ stream: false });
      expect(two).toHaveProperty('read');
      expect(two.networks?.eth0).toHaveProperty('rx_bytes');
      expect(two).toHaveProperty('blkio_stats');
      // kill (SIGKILL) answers once the container is dead: never "running" right after
      await c.kill();
      expect((await c.inspect()).State).toMatchObject({ Running: false, Status: 'exited', ExitCode: 137 });
    } finally {
      await c.remove({ force: true });
    }
  });

  it('rename, top and exec via the SDK, and the info keys clients read', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'], name: 'sdk-a' });
    try {
      await c.start();
      await c.rename({ name: 'sdk-b' });
      expect((await c.inspect()).Name).toBe('/sdk-b');
      const top = await c.top({ ps_args: 'aux' }) as { Titles: string[]; Processes: string[][] };
      expect(top.Titles).toContain('PID');
      expect(top.Processes.some((p) => p.at(-1) === 'sleep 600')).toBe(true);
      // a short exec, demultiplexed: its stdout is never lost to the answer's headers
      for (let i = 0; i < 5; i++) {
        const exec = await c.exec({ Cmd: ['sh', '-c', 'echo hello; echo oops >&2'], AttachStdout: true, AttachStderr: true });
        const stream = await exec.start({ hijack: true, stdin: false, Tty: false });
        const out = new PassThrough();
        const err = new PassThrough();
        docker.modem.demuxStream(stream, out, err);
        await new Promise((r) => stream.on('end', r));
        expect([out.read()?.toString(), err.read()?.toString()]).toEqual(['hello\n', 'oops\n']);
      }
    } finally {
      await c.remove({ force: true });
    }
    const info = await docker.info() as Record<string, unknown>;
    expect(info.Debug).toBe(false);
    expect(info.LoggingDriver).toBe('json-file');
  });

  it('HostConfig.Mounts (bind read-only, named volume, tmpfs with a size) and GroupAdd reach the process', async () => {
    mkdirSync(join(work, 'src'));
    writeFileSync(join(work, 'src/f.txt'), 'from the host\n');
    const c = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['sh', '-c', 'cat /b/f.txt; touch /b/x 2>/dev/null || echo read-only; echo kept > /v/a; grep " /t " /proc/mounts | grep -o "size=[0-9]*k"; id -G'],
      HostConfig: {
        Mounts: [
          { Type: 'bind', Source: join(work, 'src'), Target: '/b', ReadOnly: true },
          { Type: 'volume', Source: 'sdk-vol', Target: '/v' },
          { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 * 1024 } },
        ],
        GroupAdd: ['1000', '1001'],
      },
    });
    try {
      await c.start();
      expect(await c.wait()).toMatchObject({ StatusCode: 0 });
      const logs = (await c.logs({ stdout: true, follow: false }) as unknown as Buffer);
      const lines = demux(logs).split('\n');
      expect(lines).toEqual(['from the host', 'read-only', 'size=1024k', '0 1000 1001', '']);
      const mounts = (await c.inspect()).Mounts as { Type: string; Destination: string; Name?: string; RW: boolean }[];
      expect(mounts.map((m) => [m.Type, m.Destination, m.RW])).toEqual([['bind', '/b', false], ['tmpfs', '/t', true], ['volume', '/v', true]]);
      expect(mounts.find((m) => m.Type === 'volume')?.Name).toBe('sdk-vol');
      const missing = await docker.createContainer({ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'bind', Source: join(work, 'nope'), Target: '/n' }] } }).catch((e: Error) => e);
      expect(String(missing)).toMatch(/bind source path does not exist/);
    } finally {
      await c.remove({ force: true });
      await docker.getVolume('sdk-vol').remove();
    }
  });

  it('exec of a missing binary: 126 in the exec record and the error in the stream, as dockerd; pid 1 has only stdio', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'] });
    try {
      await c.start();
      const exec = await c.exec({ Cmd: ['no-such-binary'], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false, Tty: false });
      const out = demux(await collect(stream));
      expect(out).toMatch(/executable file not found in \$PATH/);
      expect((await exec.inspect()).ExitCode).toBe(126);
      // the container's pid 1 inherited nothing but its stdio from the daemon (the init closes the rest, as runc)
      const ls = await c.exec({ Cmd: ['ls', '/proc/1/fd'], AttachStdout: true, AttachStderr: true });
      expect(demux(await collect(await ls.start({ hijack: true, stdin: false, Tty: false })))).toBe('0\n1\n2\n');
    } finally {
      await c.remove({ force: true });
    }
  });
});

describe('dockerode: attach', () => {
  it('the detach keys (on a tty) end the attachment and leave the container running', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['cat'], Tty: true, OpenStdin: true });
    try {
      await c.start();
      const s = await c.attach({ stream: true, stdin: true, stdout: true, hijack: true, detachKeys: 'ctrl-x' }) as unknown as NodeJS.ReadWriteStream;
      let seen = '';
      s.on('data', (d: Buffer) => (seen += d.toString()));
      const closed = new Promise((r) => s.on('close', r));
      s.write('ping\n');
      await until(() => seen.includes('ping'));
      s.write('\x18');
      await closed;
      expect((await c.inspect()).State.Running).toBe(true);
    } finally {
      await c.remove({ force: true });
    }
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}

describe('dockerode: networks of a container', () => {
  it('connect before start is applied at start; endpoint aliases shown as docker shows them; one network per create before API 1.44', async () => {
    const n1 = await docker.createNetwork({ Name: 'sdk-n1' });
    const n2 = await docker.createNetwork({ Name: 'sdk-n2' });
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'sdk-n1' },
      NetworkingConfig: { EndpointsConfig: { 'sdk-n1': { Aliases: ['web'] } } } });
    try {
      await n2.connect({ Container: c.id, EndpointConfig: { Aliases: ['db'] } });
      const created = (await c.inspect()).NetworkSettings.Networks;
      expect(Object.keys(created).sort()).toEqual(['sdk-n1', 'sdk-n2']);
      expect(created['sdk-n2']!.IPAddress).toBe('');
      await c.start();
      const nets = (await c.inspect()).NetworkSettings.Networks;
      expect(nets['sdk-n1']!.Aliases).toEqual(['web', c.id.slice(0, 12)]);
      expect(nets['sdk-n2']!.Aliases).toEqual(['db', c.id.slice(0, 12)]);
      const exec = await c.exec({ Cmd: ['sh', '-c', 'ip -o -4 addr | grep -o "eth[0-9] *inet [0-9.]*"'], AttachStdout: true, AttachStderr: true });
      const addrs = demux(await collect(await exec.start({ hijack: true, stdin: false, Tty: false })));
      expect(addrs).toBe(`eth0    inet ${nets['sdk-n1']!.IPAddress}\neth1    inet ${nets['sdk-n2']!.IPAddress}\n`);
      // out and back in while running, now with the address asked for: shown under IPAMConfig as docker does
      const ip = nets['sdk-n2']!.IPAddress;
      await n2.disconnect({ Container: c.id });
      await n2.connect({ Container: c.id, EndpointConfig: { IPAMConfig: { IPv4Address: ip } } });
      const again = (await c.inspect()).NetworkSettings.Networks['sdk-n2']!;
      expect([again.IPAddress, again.IPAMConfig?.IPv4Address]).toEqual([ip, ip]);
      const two = await docker.createContainer({ Image: 'busybox', HostConfig: { NetworkMode: 'sdk-n1' },
        NetworkingConfig: { EndpointsConfig: { 'sdk-n1': {}, 'sdk-n2': {} } } }).catch((e: Error) => e);
      expect(String(two)).toMatch(/cannot be connected to network endpoints/);
    } finally {
      await c.remove({ force: true });
      await n1.remove();
      await n2.remove();
    }
  });
});

/** The stdout+stderr payloads of a multiplexed stream, in order. */
function demux(buf: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= buf.length;) {
    const n = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + n).toString();
    i += 8 + n;
  }
  return out;
}
