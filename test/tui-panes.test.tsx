import React from 'react';
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { diffLines } from '../course/diff.js';
import type { StepResult } from '../course/runner.js';
import { collapseDiff, EvidencePane, shortenIds, TracePane } from '../tui/panes.js';

const plain = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

describe('evidence and trace panes', () => {
  it('diff: changed lines with one line of context, long unchanged runs collapsed', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'X', 'e', 'f'].join('\n');
    expect(collapseDiff(diffLines(before, after))).toEqual(['gap', { op: ' ', text: 'd' }, { op: '+', text: 'X' }, { op: ' ', text: 'e' }, 'gap']);
  });

  it('shortens 64-digit container ids to 12 in trace lines', () => {
    const id = 'ab'.repeat(32);
    expect(shortenIds(`mkdir(/sys/fs/cgroup/pids/boxlab/${id}) = 0`)).toBe('mkdir(/sys/fs/cgroup/pids/boxlab/abababababab…) = 0');
  });

  it('shows checks first, an after-observation as a diff, and hides its before from the same step', () => {
    const result: StepResult = {
      index: 0, title: 'Publish a port', ok: false, catchUp: false, trace: [],
      actions: [{ command: 'boxlab run -d -p 8080:80 busybox httpd', kind: 'action', ok: true, stdout: 'c0ffee', stderr: '', exitCode: 0, durationMs: 5 }],
      observations: [
        { name: 'nat', phase: 'before', runs: [], output: '-P PREROUTING ACCEPT' },
        { name: 'nat', phase: 'after', runs: [{ command: 'iptables -t nat -S', kind: 'observe', ok: true, stdout: '', stderr: '', exitCode: 0, durationMs: 1 }], output: '', diff: diffLines('-P PREROUTING ACCEPT', '-P PREROUTING ACCEPT\n-A BOXLAB-DNAT -p tcp --dport 8080') },
      ],
      captures: [{ name: 'web.ip', value: '172.18.0.2' }],
      checks: [
        { proves: 'Publishing a port adds a DNAT rule.', passed: true, detail: 'output contains "8080"', line: 1 },
        { proves: 'The rule points at the container.', passed: false, detail: 'output does not contain "172.18.0.2"', hint: 'look at -j DNAT --to', line: 2 },
      ],
      error: undefined, hint: 'look at -j DNAT --to',
    } as StepResult;
    const f = plain(render(<EvidencePane result={result} height={30} offset={0} running={false} />).lastFrame());
    const lines = f.split('\n');
    expect(lines[0]).toMatch(/^✗ Step 1: Publish a port +1\/2 checks/);
    expect(f).toMatch(/✓ Publishing a port adds a DNAT rule\.\n✗ The rule points at the container\.\n\s+output does not contain "172\.18\.0\.2"\n\s+hint: look at -j DNAT --to/);
    expect(f).not.toContain('◉ nat (before)');
    expect(f).toMatch(/◉ nat \(after\) +— difference from before:/);
    expect(f).toMatch(/\+ -A BOXLAB-DNAT -p tcp --dport 8080/);
    expect(f).toMatch(/\$ boxlab run -d -p 8080:80 busybox httpd\n\s+c0ffee/);
    expect(f).toContain('⇢ web.ip = 172.18.0.2');
  });

  it('trace pane tails the newest events and scrolls back', () => {
    const events = Array.from({ length: 30 }, (_, i) => ({ time: i, kind: 'syscall' as const, name: `call${i}`, args: '', result: '0', durationMs: 0.1, pid: 1 }));
    const tail = plain(render(<TracePane events={events} height={5} offset={0} />).lastFrame());
    expect(tail.split('\n')).toEqual([' call25() = 0 (0.10 ms)', ' call26() = 0 (0.10 ms)', ' call27() = 0 (0.10 ms)', ' call28() = 0 (0.10 ms)', ' call29() = 0 (0.10 ms)']);
    const back = plain(render(<TracePane events={events} height={5} offset={10} />).lastFrame());
    expect(back.split('\n')[4]).toBe(' call19() = 0 (0.10 ms)');
  });
});
