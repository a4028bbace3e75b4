import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ReadStream } from 'node:tty';
import { writeSync } from 'node:fs';
import { openPty, closeFd, setWindowSize } from '../engine/sys/calls.js';
import { CLI, startDaemon, type TestDaemon } from './helpers/daemon.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => {
  await d?.stop();
});

/**
 * Drives `boxlab run -it` the way a person at a terminal does: the CLI gets the slave side of a pty we own,
 * and the test types into the master and reads the screen from it.
 */
function terminal(args: string[]) {
  const pty = openPty();
  setWindowSize(pty.master, 30, 100);
  // setsid --ctty: a new session whose controlling terminal is the pty, so a resize sends it SIGWINCH as a
  // terminal emulator's would.
  const child = spawn('setsid', ['--ctty', process.execPath, CLI, ...args], {
    stdio: [pty.slave, pty.slave, pty.slave], env: { ...process.env, ...d.env, TERM: 'xterm' },
  });
  closeFd(pty.slave);
  const master = new ReadStream(pty.master);
  let screen = '';
  master.on('data', (b: Buffer) => (screen += b.toString()));
  master.on('error', () => undefined);
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  return {
    type: (s: string) => writeSync(pty.master, s),
    screen: () => screen,
    async waitFor(re: RegExp, ms = 20_000): Promise<void> {
      const t0 = Date.now();
      while (!re.test(screen)) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re} on screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    resize: (rows: number, cols: number) => setWindowSize(pty.master, rows, cols),
    exited,
    close: () => master.destroy(),
  };
}

describe('run -it', () => {
  it('runs an interactive shell on a real pty with job control and window size', async () => {
    const t = terminal(['run', '-it', '--rm', '--hostname', 'ttybox', 'busybox', 'sh']);
    await t.waitFor(/\/ # /);
    t.type('hostname; tty; stty size\r');
    await t.waitFor(/ttybox[\s\S]*\/dev\/(pts\/\d+|console)[\s\S]*30 100/);
    // a resize of the outer terminal reaches the container (SIGWINCH through the daemon's pty master)
    t.resize(40, 120);
    await new Promise((r) => setTimeout(r, 500));
    t.type('stty size\r');
    await t.waitFor(/40 120/);
    // job control works: the shell has a controlling terminal, so `sleep &` then `jobs` lists it
    t.type('sleep 30 & jobs\r');
    await t.waitFor(/\[1\]\+?\s+Running\s+sleep 30/);
    t.type('kill %1; exit 3\r');
    expect(await t.exited).toBe(3);
    t.close();
  });

  it('detaches on Ctrl-p Ctrl-q and leaves the container running', async () => {
    const t = terminal(['run', '-it', '--name', 'detachable', 'busybox', 'sh']);
    await t.waitFor(/\/ # /);
    t.type('\x10\x11');
    expect(await t.exited).toBe(0);
    t.close();
    const rec = await d.client.get<{ State: { Running: boolean } }>('/containers/detachable/json');
    expect(rec.State.Running).toBe(true);
    await d.cli(['rm', '-f', 'detachable']);
  });
});
