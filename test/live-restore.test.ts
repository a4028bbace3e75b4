import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { demuxer } from '../engine/client/client.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

/**
 * Live restore (issue 18): boxlabd is SIGKILLed while containers run and restarted on the same state root.
 * Each container's boxlab-shim keeps writing its log and records its exit meanwhile; the new daemon
 * re-attaches. Real processes, real kernel: nothing mocked.
 */

interface Inspect {
  Id: string;
  State: { Running: boolean; ExitCode: number; FinishedAt: string; Pid: number; Error: string };
  Boxlab: { Shim?: { Pid: number } };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // a zombie waiting for whoever inherited it is gone as far as the test cares
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The container's log through the API, in order, each line with its stream. */
async function logLines(d: TestDaemon, id: string, follow = false, stopAt?: string): Promise<[string, string][]> {
  const res = await d.client.stream('GET', `/containers/${id}/logs`, { query: { stdout: '1', stderr: '1', ...(follow && { follow: '1' }) } });
  const lines: [string, string][] = [];
  let partial = '';
  return new Promise((resolve) => {
    const done = (): void => {
      res.destroy();
      resolve(lines);
    };
    res.on('data', demuxer((stream, payload) => {
      partial += payload.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const p of parts) lines.push([stream, p]);
      if (stopAt && lines.some(([, l]) => l === stopAt)) done();
    }));
    res.on('end', done);
  });
}

/**
 * Every number 1..n exactly once, odd ones on stderr and even ones on stdout, each stream in order. Across the
 * two streams order holds only as far as the two pipes let anyone see it: lines written 50 ms apart may be
 * read in one wake-up of a reader that was kept off the CPU that long (docker's shim has the same two pipes).
 */
function expectCount(lines: [string, string][], n: number): void {
  const numbered = lines.filter(([, l]) => /^\d+$/.test(l)).map(([stream, l]) => [stream, Number(l)] as const);
  expect(numbered.map(([, x]) => x).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  for (const [stream, x] of numbered) expect(stream).toBe(x % 2 ? 'stderr' : 'stdout');
  for (const name of ['stdout', 'stderr']) {
    const mine = numbered.filter(([stream]) => stream === name).map(([, x]) => x);
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
  }
}

const COUNT = 80;
// numbered lines every 50 ms (odd ones to stderr), then a tick every 200 ms for attach to see
const COUNTER = `i=0; while [ $i -lt ${COUNT} ]; do i=$((i+1)); if [ $((i%2)) = 1 ]; then echo $i >&2; else echo $i; fi; sleep 0.05; done; while true; do echo tick; sleep 0.2; done`;

describe('live restore: containers outlive a SIGKILLed boxlabd', () => {
  let d: TestDaemon;
  let restarted: TestDaemon | undefined;
  const shims: number[] = [];

  beforeAll(async () => {
    d = await startDaemon();
  }, 90_000);
  afterAll(async () => {
    await restarted?.stop();
    if (!restarted) await d.stop();
  }, 90_000);

  it('keeps logs and exit codes across the crash; the new daemon re-attaches (logs -f, wait, exec, attach, stop)', async () => {
    const counter = (await d.cli(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', COUNTER])).stdout.trim();
    const seven = (await d.cli(['run', '-d', '--name', 'seven', 'busybox', 'sh', '-c', 'sleep 1.5; exit 7'])).stdout.trim();
    expect(counter).toMatch(/^[0-9a-f]{64}$/);
    const before = await d.client.get<Inspect>(`/containers/${counter}/json`);
    const shimPid = before.Boxlab.Shim?.Pid;
    expect(shimPid, 'a plain run starts under boxlab-shim').toBeGreaterThan(0);
    shims.push(shimPid!, (await d.client.get<Inspect>(`/containers/${seven}/json`)).Boxlab.Shim!.Pid);
    // the shim, not boxlabd, is the init's parent
    const ppid = Number(readFileSync(`/proc/${before.State.Pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    expect(ppid).toBe(shimPid);

    await until('a few numbered lines', async () => ((await logLines(d, counter)).length >= 6 ? true : undefined));
    const killedAt = Date.now();
    d.process.kill('SIGKILL');
    await new Promise((r) => d.process.once('exit', r));
    // `seven` exits while no daemon runs; `counter` keeps counting
    await until('seven to exit with the daemon down', () => (shims.slice(1).every((p) => !alive(p)) ? true : undefined), 10_000);
    const restartAt = Date.now();
    restarted = await startDaemon({ restartOf: d, netnsOf: shimPid! });

    const waited = await restarted.client.post<{ StatusCode: number }>(`/containers/${seven}/wait`);
    expect(waited.StatusCode).toBe(7);
    const sevenRec = await restarted.client.get<Inspect>(`/containers/${seven}/json`);
    expect(sevenRec.State.ExitCode).toBe(7);
    expect(sevenRec.State.Error).toBe('');
    const finished = Date.parse(sevenRec.State.FinishedAt);
    expect(finished).toBeGreaterThan(killedAt);
    expect(finished).toBeLessThan(restartAt);

    // logs -f picks up where the file ends and follows the survivor: every number once, in order, streams kept
    const followed = await logLines(restarted, counter, true, String(COUNT));
    expectCount(followed, COUNT);
    expectCount(await logLines(restarted, counter), COUNT);

    const exec = await restarted.cli(['exec', 'counter', 'echo', 'inside']);
    expect(exec.stdout.trim()).toBe('inside');
    const stats = await restarted.client.get<{ memory_stats: { usage?: number } }>(`/containers/${counter}/stats`, { stream: '0' });
    expect(stats.memory_stats.usage).toBeGreaterThan(0);

    const attach = restarted.cli(['attach', 'counter']);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await restarted.cli(['stop', '-t', '1', 'counter'])).exitCode).toBe(0);
    expect((await attach).stdout).toContain('tick');
    const stopped = await restarted.client.get<Inspect>(`/containers/${counter}/json`);
    expect(stopped.State.Running).toBe(false);
    expect(stopped.State.ExitCode).toBe(137);

    expect((await restarted.cli(['rm', 'counter', 'seven'])).exitCode).toBe(0);
    expect(shims.filter(alive), 'no shim outlives its container').toEqual([]);
  }, 60_000);

  it('a SIGKILLed shim: the container, which lost its supervisor, is ended and recorded so', async () => {
    const daemon = restarted ?? d;
    const id = (await daemon.cli(['run', '-d', 'busybox', 'sleep', '600'])).stdout.trim();
    const rec = await daemon.client.get<Inspect>(`/containers/${id}/json`);
    process.kill(rec.Boxlab.Shim!.Pid, 'SIGKILL');
    const waited = await daemon.client.post<{ StatusCode: number; Error: { Message: string } | null }>(`/containers/${id}/wait`);
    expect(waited.StatusCode).toBe(137);
    expect(waited.Error?.Message).toMatch(/boxlab-shim was killed/);
    expect(alive(rec.State.Pid)).toBe(false);
    expect((await daemon.cli(['rm', id])).exitCode).toBe(0);
  }, 30_000);

  it('SIGTERM leaves supervised containers running for the next daemon (live restore); reset leaves no shim behind', async () => {
    const daemon = restarted ?? d;
    const id = (await daemon.cli(['run', '-d', 'busybox', 'sleep', '600'])).stdout.trim();
    const rec = await daemon.client.get<Inspect>(`/containers/${id}/json`);
    const shim = rec.Boxlab.Shim!.Pid;
    const exited = new Promise((r) => daemon.process.once('exit', r));
    daemon.process.kill('SIGTERM');
    await exited;
    expect(alive(rec.State.Pid) && alive(shim)).toBe(true);
    restarted = await startDaemon({ restartOf: daemon, netnsOf: shim });
    expect((await restarted.client.get<Inspect>(`/containers/${id}/json`)).State.Running).toBe(true);
    await restarted.client.post('/boxlab/reset');
    await until('the shim to exit', () => (alive(shim) ? undefined : true), 10_000);
  }, 40_000);
});
