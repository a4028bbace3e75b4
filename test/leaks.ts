import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCgroupMounts } from '../engine/cgroups/mode.js';

/**
 * A picture of the host state that tests must leave as they found it (docs/architecture.md, "Tests"): mounts, cgroup
 * directories, links, iptables rules, named netns and processes left behind by the suite.
 */
export interface HostSnapshot {
  mounts: string[];
  cgroups: string[];
  links: string[];
  iptables: string[];
  netns: string[];
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function mounts(): string[] {
  // Only mount point, fs type and source: ids and peer groups change without anything leaking.
  return readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').map((line) => {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    return `${f[4]} ${f[dash + 1]} ${f[dash + 2]}`;
  }).sort();
}

function cgroupDirs(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      out.push(p);
      walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  const managed = managedByOurStarter();
  return out.filter((p) => !managed.some((m) => p === m || p.startsWith(`${m}/`))).sort();
}

/**
 * The cgroup subtrees that whoever started the test run manages: in each hierarchy, the top-level directory
 * on the way to the cgroup this process was put in (a systemd slice, a CI runner's or sandbox's per-process
 * groups). Its children come and go with the starter's other processes. boxlab never creates cgroups there:
 * its cgroup parents (`boxlab`, `boxlab-<hash>`, the tests' `boxlab-test-*`) sit at each hierarchy's root.
 */
function managedByOurStarter(): string[] {
  const mounts = readCgroupMounts();
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, controllers = '', path = '/'] = line.split(/:(.*?):/);
    const top = path.split('/').filter(Boolean)[0];
    if (top === undefined) continue; // in the hierarchy's root: nothing managed above us
    const point = controllers === '' ? mounts.unified : controllers.split(',').map((c) => mounts.v1.get(c)).find((p) => p !== undefined);
    if (point !== undefined) out.push(join(point, top));
  }
  return out;
}

function iptablesRules(): string[] {
  const out: string[] = [];
  for (const tool of ['iptables-save', 'ip6tables-save']) {
    if (!existsSync(`/usr/sbin/${tool}`)) continue;
    out.push(...run(tool, []).split('\n').filter((l) => l && !l.startsWith('#') && !/^:\S+ \S+ \[/.test(l)));
  }
  return out;
}

export function snapshot(): HostSnapshot {
  return {
    mounts: mounts(),
    cgroups: cgroupDirs(),
    links: run('ip', ['-br', 'link']).split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter(Boolean).sort(),
    iptables: iptablesRules(),
    netns: run('ip', ['netns', 'list']).split('\n').filter(Boolean).sort(),
  };
}

/** Lines present in `after` but not in `before`, and the reverse, per category. */
export function diffSnapshots(before: HostSnapshot, after: HostSnapshot): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(before) as (keyof HostSnapshot)[]) {
    const b = new Set(before[key]);
    const a = new Set(after[key]);
    for (const x of a) if (!b.has(x)) problems.push(`${key}: left behind: ${x}`);
    for (const x of b) if (!a.has(x)) problems.push(`${key}: removed: ${x}`);
  }
  return problems;
}

/** Live (non-zombie) processes whose ancestry leads to `root`, other than `root` itself. */
export function descendants(root: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  const info = new Map<number, { cmd: string; state: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      info.set(Number(name), { cmd, state: fields[0] ?? '?' });
    } catch {
      // raced with exit
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  for (const [pid, i] of info) {
    if (pid === root || i.state === 'Z') continue;
    let p = parent.get(pid);
    while (p !== undefined && p > 1 && p !== root) p = parent.get(p);
    if (p === root) out.push({ pid, cmd: i.cmd });
  }
  return out;
}
