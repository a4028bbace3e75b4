import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { execa } from 'execa';

/**
 * A throwaway single-member etcd (Debian's etcd-server, 3.4) for one test file: loopback only, random ports,
 * a temporary data dir; `stop` kills it by its pid and removes the dir.
 */
export interface TestEtcd {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port the kernel just handed out; etcd binds it a moment later (a race with other processes, rarely lost). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * `inNetnsOf` + `ip`: run it inside that process's network namespace (a test daemon's "host"), listening on
 * `ip` there, e.g. a host's underlay address; it is then probed with curl from inside that namespace.
 */
export async function startEtcd(opts: { inNetnsOf?: number; ip?: string; port?: number } = {}): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-etcd-'));
  const ip = opts.ip ?? '127.0.0.1';
  const [client, peer] = opts.inNetnsOf ? [opts.port ?? 2379, 2380] : [await freePort(), await freePort()];
  const endpoint = `http://${ip}:${client}`;
  const peerUrl = `http://${ip}:${peer}`;
  const enter = opts.inNetnsOf ? ['nsenter', `--net=/proc/${opts.inNetnsOf}/ns/net`, '--'] : [];
  const child: ChildProcess = spawn(enter[0] ?? 'etcd', [...enter.slice(1), ...(enter.length ? ['etcd'] : []),
    '--name', 'n1', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `n1=${peerUrl}`, '--initial-cluster-state', 'new',
    // no metrics/pprof listeners beyond the client port; quieter log
    '--log-level', 'warn', '--logger', 'zap',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (opts.inNetnsOf) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await execa('nsenter', [`--net=/proc/${opts.inNetnsOf}/ns/net`, '--', 'curl', '-sS', '--max-time', '1', `${endpoint}/health`], { reject: false });
      if (r.stdout.includes('"health":"true"')) return { endpoint, pid: child.pid!, stop };
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`etcd did not become healthy: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const probe = new Etcd3({ hosts: endpoint, dialTimeout: 500 });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited: ${log}`);
      try {
        await probe.put('/boxlab-probe').value('1');
        await probe.delete().key('/boxlab-probe');
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`etcd did not answer within 30 s: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    probe.close();
    await stop();
    throw e;
  }
  probe.close();
  return { endpoint, pid: child.pid!, stop };
}
