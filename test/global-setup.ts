import koffi from 'koffi';
import { snapshot, diffSnapshots, descendants, type HostSnapshot } from './leaks.js';

/**
 * Suite-wide leak check. The vitest main process becomes a child subreaper, so anything a test started and
 * abandoned (a daemon, a container init) is re-parented here instead of to PID 1 and can be found at the end.
 * Set BOXLAB_LEAKCHECK=0 only when another test run shares the machine and its state shows up here.
 */
let before: HostSnapshot;

export function setup(): void {
  const prctl = koffi.load('libc.so.6').func('int prctl(int option, ...)');
  prctl(36 /* PR_SET_CHILD_SUBREAPER */, 'unsigned long', 1);
  before = snapshot();
}

export async function teardown(): Promise<void> {
  // Give exiting processes a moment: a daemon stopped in afterAll may still be unwinding.
  let leftovers = descendants(process.pid).filter((p) => !p.cmd.includes('vitest'));
  for (let i = 0; i < 20 && leftovers.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    leftovers = descendants(process.pid).filter((p) => !p.cmd.includes('vitest'));
  }
  const problems = diffSnapshots(before, snapshot());
  for (const p of leftovers) problems.push(`processes: left running: pid ${p.pid} ${p.cmd}`);
  if (problems.length === 0) return;
  const message = `leak check: the suite left the host changed:\n  ${problems.join('\n  ')}`;
  if (process.env.BOXLAB_LEAKCHECK === '0') {
    console.warn(`${message}\n(ignored: BOXLAB_LEAKCHECK=0)`);
    return;
  }
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  throw new Error(message);
}
