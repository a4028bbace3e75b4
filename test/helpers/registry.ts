import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRegistry { host: string; port: number; dir: string; storage: string; process: ChildProcess; stop(): Promise<void> }

/** A free TCP port on 127.0.0.1 of the namespace this thread is in. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

/**
 * Debian's docker-registry (the reference distribution registry) on 127.0.0.1 with throwaway storage; `auth`
 * is the config's auth: section as YAML lines. `netnsPid`: run it in that process's network namespace; `ip`: an
 * address of this namespace other than 127.0.0.1 to listen on.
 */
export async function startRegistry(opts: { auth?: string; netnsPid?: number; port?: number; ip?: string } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-registry-'));
  const port = opts.port ?? (await freePort());
  const storage = join(dir, 'storage');
  writeFileSync(join(dir, 'config.yml'), [
    'version: 0.1',
    'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${storage}`, '  delete:', '    enabled: true',
    'http:', `  addr: ${opts.ip ?? '127.0.0.1'}:${port}`,
    ...(opts.auth ? [opts.auth] : []),
  ].join('\n'));
  const cmd = opts.netnsPid ? ['nsenter', `--net=/proc/${opts.netnsPid}/ns/net`, '--', 'docker-registry'] : ['docker-registry'];
  const child = spawn(cmd[0]!, [...cmd.slice(1), 'serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const host = `${opts.ip ?? '127.0.0.1'}:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await fetch(`http://${host}/v2/`).then(() => true, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) { await stop(); throw new Error(`docker-registry did not start: ${log}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, port, dir, storage, process: child, stop };
}
