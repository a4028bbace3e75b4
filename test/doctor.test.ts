import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  runDoctor, formatDoctor, essentialProblems, firstRunNeeded, markFirstRun, parseIptablesVersion, NAMESPACE_TYPES,
  type DoctorReport,
} from '../engine/doctor/index.js';

// Every expectation here is read from the machine by a different route than the doctor takes
// (findmnt/stat instead of /proc/self/mounts, `iptables --version` parsed by hand, `command -v`).
const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();

let report: DoctorReport;
beforeAll(async () => {
  report = await runDoctor({ stateRoot: '/var/lib/boxlab' });
});

describe('doctor on this machine', () => {
  it('reads the running kernel', () => {
    expect(report.facts.kernel).toBe(sh('uname -r'));
    expect(report.checks.find((c) => c.id === 'kernel')!.detail).toContain(release());
  });

  it('finds the cgroup mode that the mount table shows', () => {
    const rootFs = sh('stat -fc %T /sys/fs/cgroup');
    const hasV2 = sh('findmnt -rn -t cgroup2 -o TARGET || true') !== '';
    const expected = rootFs === 'cgroup2fs' ? 'v2' : hasV2 ? 'hybrid' : 'v1';
    expect(report.facts.cgroup.mode).toBe(expected);
    if (expected === 'v2') {
      const listed = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(/\s+/).sort();
      expect(report.facts.cgroup.controllers).toEqual(listed);
    } else {
      // every v1 controller the doctor names is a mounted hierarchy
      for (const c of report.facts.cgroup.controllers) {
        expect(sh(`findmnt -rn -t cgroup -o OPTIONS`).split(/[\n,]/)).toContain(c);
      }
    }
    expect(report.facts.cgroup.controllers).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
  });

  it('creates every namespace type the kernel lists', () => {
    for (const ns of NAMESPACE_TYPES) {
      expect(report.facts.namespaces[ns], ns).toBe(existsSync(`/proc/self/ns/${ns}`));
    }
  });

  it('mounts a real overlay, as /proc/filesystems promises', () => {
    expect(report.facts.overlay.listed).toBe(/\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8')));
    expect(report.facts.overlay).toMatchObject({ listed: true, mountable: true });
  });

  it('names the iptables backend that `iptables --version` prints', () => {
    const out = sh('iptables --version');
    expect(report.facts.iptables.backend).toBe(out.includes('nf_tables') ? 'nft' : 'legacy');
    expect(out).toContain(`v${report.facts.iptables.version}`);
  });

  it('reads ip_forward and the user-namespace sysctls', () => {
    expect(report.facts.ipForward).toBe(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1');
    expect(report.facts.userns.sysctls['user.max_user_namespaces']).toBe(sh('sysctl -n user.max_user_namespaces'));
    expect(report.facts.userns.root).toBe(true);
  });

  it('finds the tools where the shell finds them', () => {
    for (const [tool, path] of Object.entries(report.facts.tools)) {
      const found = sh(`PATH=$PATH:/usr/sbin:/sbin command -v ${tool} || true`);
      expect(path !== null, tool).toBe(found !== '');
    }
  });

  it('measures free disk under the state root like df does', () => {
    const { path, freeBytes } = report.facts.disk;
    const dfBytes = Number(sh(`df -Pk ${path} | awk 'NR==2 {print $4}'`)) * 1024;
    expect(Math.abs(freeBytes - dfBytes)).toBeLessThan(256 * 1024 * 1024); // other writers move it a little
  });

  it('gives every problem a one-line fix and counts only fails against ok', () => {
    for (const c of report.checks) {
      if (c.status !== 'ok') expect(c.fix, c.id).toMatch(/^[^\n]+$/);
    }
    expect(report.ok).toBe(report.checks.every((c) => c.status !== 'fail'));
    expect(essentialProblems(report).every((c) => c.essential && c.status !== 'ok')).toBe(true);
  });

  it('leaves no temporary directory behind', () => {
    const left = sh(`ls -a ${report.facts.disk.path} | grep -c '^.boxlab-doctor-' || true`);
    expect(left).toBe('0');
  });
});

describe('formatDoctor', () => {
  it('prints one line per check, the fix under each problem, and a summary', () => {
    const text = formatDoctor(report);
    const lines = text.split('\n');
    expect(lines[0]).toContain(`cgroup ${report.facts.cgroup.mode}`);
    for (const c of report.checks) expect(text).toContain(c.title);
    const problems = report.checks.filter((c) => c.status !== 'ok');
    expect(lines.filter((l) => l.trimStart().startsWith('fix: '))).toHaveLength(problems.length);
    expect(lines.at(-1)).toMatch(problems.length === 0 ? /all checks passed/ : /\d+ problems?, \d+ warnings?/);
  });

  it('shows only what is wrong when asked', () => {
    const broken: DoctorReport = {
      ...report,
      checks: [
        ...report.checks.map((c) => ({ ...c, status: 'ok' as const })),
        { id: 'tool.tmux', title: 'tmux', status: 'fail', essential: true, detail: 'not found', fix: 'apt-get install tmux' },
      ],
      ok: false,
    };
    expect(formatDoctor(broken, { problemsOnly: true }).split('\n')).toEqual([
      expect.stringContaining('boxlab doctor:'),
      '✗ tmux  not found',
      '        fix: apt-get install tmux',
      '1 problem, 0 warnings: the lessons need the problems fixed',
    ]);
  });
});

describe('iptables --version parsing', () => {
  it('knows both backends', () => {
    expect(parseIptablesVersion('iptables v1.8.9 (nf_tables)')).toEqual({ version: '1.8.9', backend: 'nft' });
    expect(parseIptablesVersion('iptables v1.8.7 (legacy)')).toEqual({ version: '1.8.7', backend: 'legacy' });
    expect(parseIptablesVersion('iptables v1.6.1')).toEqual({ version: '1.6.1', backend: 'legacy' });
  });
});

describe('first run', () => {
  it('is needed until it is marked, per state directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-firstrun-'));
    try {
      const state = join(dir, 'state');
      expect(firstRunNeeded(state)).toBe(true);
      markFirstRun(state);
      expect(firstRunNeeded(state)).toBe(false);
      markFirstRun(state); // twice is fine
      expect(firstRunNeeded(state)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
