import { describe, expect, it } from 'vitest';
import { mount, sethostname, SysError, onTrace, formatTrace, host, HostCommandError, type TraceEvent } from '../engine/sys/index.js';

describe('engine/sys', () => {
  it('turns errno into an error naming the call, its arguments and the errno', () => {
    const events: TraceEvent[] = [];
    const off = onTrace((e) => events.push(e));
    try {
      expect(() => mount('none', '/nonexistent-boxlab-target', 'tmpfs', 0)).toThrow(SysError);
      try {
        mount('none', '/nonexistent-boxlab-target', 'tmpfs', 0);
      } catch (e) {
        expect((e as SysError).code).toBe('ENOENT');
        expect((e as Error).message).toBe('mount("none", "/nonexistent-boxlab-target", "tmpfs", 0): ENOENT');
      }
    } finally {
      off();
    }
    expect(events[0]).toMatchObject({ kind: 'syscall', name: 'mount', error: 'ENOENT' });
    expect(formatTrace(events[0]!)).toMatch(/^mount\("none", .*\) = -1 ENOENT/);
  });

  it('reports EINVAL for an over-long hostname', () => {
    expect(() => sethostname('x'.repeat(200))).toThrow(/sethostname\(.*\): EINVAL/);
  });

  it('traces host commands and names the failing command line', async () => {
    const events: TraceEvent[] = [];
    const off = onTrace((e) => events.push(e));
    try {
      const r = await host('sh', ['-c', 'echo hi']);
      expect(r.stdout).toBe('hi');
      await expect(host('sh', ['-c', 'echo oops >&2; exit 3'])).rejects.toThrow(HostCommandError);
      await expect(host('sh', ['-c', 'echo oops >&2; exit 3'])).rejects.toThrow("sh -c 'echo oops >&2; exit 3': exit 3: oops");
    } finally {
      off();
    }
    expect(events.map((e) => e.kind)).toEqual(['command', 'command', 'command']);
    expect(events[0]!.result).toBe('exit 0');
    expect(events[1]!.error).toBe('exit 3');
  });

  it('a failed host command carries what execa reports: command, exit code, signal, output, timed out', async () => {
    const failed = await host('sh', ['-c', 'echo out; echo oops >&2; exit 3']).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HostCommandError);
    expect(failed).toMatchObject({ command: "sh -c 'echo out; echo oops >&2; exit 3'", exitCode: 3, stdout: 'out', stderr: 'oops', timedOut: false });
    const slow = await host('sleep', ['5'], { timeoutMs: 100 }).catch((e: unknown) => e) as HostCommandError;
    expect(slow).toMatchObject({ command: 'sleep 5', timedOut: true, signal: 'SIGTERM' });
    expect(slow.message).toBe('sleep 5: timed out');
  });
});
