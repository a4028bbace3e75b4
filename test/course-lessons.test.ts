import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../course/commands.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

// Lessons 00–06 run headless against a private daemon, exactly as `boxlab check` does in CI: every check must
// pass and the suite's leak check must find nothing left behind by them.
const LESSONS = ['00-processes', '01-uts', '02-pid', '03-ipc', '04-mount-propagation', '05-exec-and-setns', '06-daemon-and-socket'];

describe('namespace lessons against the real runtime', () => {
  let daemon: TestDaemon;
  beforeAll(async () => { daemon = await startDaemon(); });
  afterAll(async () => { await daemon?.stop(); });

  for (const id of LESSONS) {
    it(`${id}: every check passes`, async () => {
      const out: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
      const code = await checkCommand({ io, env: { ...process.env, ...daemon.env } }, {
        ids: [id], json: true, target: { socket: daemon.socket, root: daemon.root },
      });
      const report = JSON.parse(out.join('\n'));
      const failed = report.lessons[0].steps.flatMap((s: { error?: string; checks: { passed: boolean; proves: string; detail: string }[] }) => [
        ...(s.error ? [s.error] : []), ...s.checks.filter((c) => !c.passed).map((c) => `${c.proves} — ${c.detail}`),
      ]);
      expect(failed).toEqual([]);
      expect(report.lessons[0].cleanupFailures).toEqual([]);
      expect(code).toBe(0);
      const ps = await daemon.cli(['ps', '-a', '-q']);
      expect(ps.stdout.trim()).toBe('');
    }, 180_000);
  }
});
