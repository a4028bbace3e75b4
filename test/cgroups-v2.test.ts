import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UserError, formatTrace, onTrace } from '../engine/sys/index.js';
import { V2Manager, detectCgroupMode, parseCgroupMounts } from '../engine/cgroups/index.js';
import { listV2Children, removeV2Parent } from '../engine/cgroups/v2.js';

// The v2 manager against a real cgroup2 hierarchy even on this hybrid host: /sys/fs/cgroup/unified is a live
// cgroup2 mount with no controllers (they are bound to the v1 hierarchies), so everything the v2 core does
// without controllers — leaves, cgroup.procs, cgroup.freeze/cgroup.events, cgroup.kill, cpu.stat usage,
// rmdir — runs on the kernel here. The limits themselves are proven by test/cgroups.test.ts inside the
// cgroup-v2 guest (vm/test-in-vm.sh). On a pure v2 host this file runs at /sys/fs/cgroup.

const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
const ROOT = mounts.unified;
const PARENT = `boxlab-test-v2-${process.pid}`;
const managers: V2Manager[] = [];
const children: ChildProcess[] = [];
let seq = 0;

function newCgroup(): V2Manager {
  const cg = new V2Manager({ parent: PARENT, name: `t${++seq}`, root: ROOT! });
  managers.push(cg);
  return cg;
}

function start(cmd: string): ChildProcess {
  const child = spawn('/bin/busybox', ['sh', '-c', cmd], { stdio: 'ignore' });
  children.push(child);
  return child;
}

const exited = (c: ChildProcess) => new Promise<NodeJS.Signals | null>((r) => c.on('exit', (_code, sig) => r(sig)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuTicks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
};

afterEach(() => {
  for (const cg of managers.splice(0)) cg.destroy();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(() => {
  if (ROOT === undefined) return;
  removeV2Parent(PARENT, ROOT);
  expect(existsSync(join(ROOT, PARENT))).toBe(false);
});

describe.skipIf(ROOT === undefined)(`v2 manager core on ${ROOT} (${detectCgroupMode()} host)`, () => {
  it('makes a leaf, moves a process in, and reports it', () => {
    const cg = newCgroup();
    cg.create();
    const p = start('sleep 60');
    cg.apply(p.pid!);
    expect(cg.procs()).toEqual([p.pid]);
    expect(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8')).toContain(`0::/${cg.name}\n`);
    expect(readFileSync(join(cg.dirs().unified!, 'cgroup.events'), 'utf8')).toMatch(/^populated 1$/m);
    expect(listV2Children(PARENT, ROOT!)).toEqual([`t${seq}`]);
  });

  it('freezes with cgroup.freeze and waits for "frozen 1"; thaw resumes', async () => {
    const cg = newCgroup();
    cg.create();
    const p = start('while :; do :; done');
    cg.apply(p.pid!);
    await sleep(100);
    cg.freeze();
    expect(readFileSync(join(cg.dirs().unified!, 'cgroup.events'), 'utf8')).toMatch(/^frozen 1$/m);
    const t = cpuTicks(p.pid!);
    await sleep(300);
    expect(cpuTicks(p.pid!)).toBe(t);
    cg.thaw();
    expect(readFileSync(join(cg.dirs().unified!, 'cgroup.events'), 'utf8')).toMatch(/^frozen 0$/m);
    await sleep(300);
    expect(cpuTicks(p.pid!)).toBeGreaterThan(t);
    // cpu.stat's usage is core accounting, present without the cpu controller
    expect(cg.stats().cpu.usageNs).toBeGreaterThan(0);
  });

  it('destroy thaws, kills everything inside (forked children too) and removes the leaf', async () => {
    const cg = newCgroup();
    cg.create();
    // gated: the shell forks its sleeps only after it was moved in, so they are born inside
    const p = spawn('/bin/busybox', ['sh', '-c', 'read _; sleep 60 & sleep 60 & wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(p);
    cg.apply(p.pid!);
    p.stdin!.write('\n');
    const gone = exited(p);
    for (let i = 0; i < 100 && cg.procs().length < 3; i++) await sleep(20);
    expect(cg.procs()).toHaveLength(3);
    cg.freeze();
    const hasKill = existsSync(join(cg.dirs().unified!, 'cgroup.kill'));
    const trace: string[] = [];
    const off = onTrace((e) => trace.push(formatTrace(e)));
    cg.destroy();
    off();
    expect(await gone).toBe('SIGKILL');
    if (hasKill) {
      // kernel >= 5.14: one write to cgroup.kill instead of a kill(2) per pid
      expect(trace.some((l) => l.startsWith(`write(${cg.dirs().unified}/cgroup.kill, "1") = 0`))).toBe(true);
    }
    expect(existsSync(cg.dirs().unified!)).toBe(false);
    cg.destroy(); // idempotent
  });

  it('says which controller is missing instead of writing into the void', () => {
    const cg = newCgroup();
    cg.create();
    const available = readFileSync(join(ROOT!, 'cgroup.controllers'), 'utf8');
    if (!available.includes('memory')) {
      expect(() => cg.set({ Memory: 32 * 2 ** 20 })).toThrow(UserError);
      expect(() => cg.set({ Memory: 32 * 2 ** 20 })).toThrow(/needs the cgroup v2 "memory" controller/);
    }
    if (!available.includes('pids')) expect(() => cg.set({ PidsLimit: 20 })).toThrow(/"pids" controller/);
    cg.set({}); // nothing asked, nothing needed
  });
});
