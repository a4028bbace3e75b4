import { chmodSync, chownSync, closeSync, existsSync, linkSync, writeSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNT, setChildSubreaper, umount2, UserError } from '../engine/sys/index.js';
import {
  adoptInit, allocateRange, chownCopy, createUserNamespace, describeUserMapping, idmapMount, listRanges, mapUserNamespace,
  parseRange, parseSubidFile, poolBlocks, probeIdmap, reconcileRanges, releaseRange, resolveUsernsMode,
  ownedPipe, prepareRemappedDirs, securityDoctor, securityPlan, startRemapped, userNamespaceEnterArgs, userNamespaceJoin, userNamespaceSpawnArgs, RANGE_SIZE,
} from '../engine/security/index.js';
import { ensureBuilt, repo } from './fixtures/security-build.js';

const fixture = join(repo, 'test/fixtures/userns-init.mjs');
const waitpid = koffi.load('libc.so.6').func('int waitpid(int pid, _Out_ int *status, int options)');

// scratch space on the layer filesystem (ext4 here), not tmpfs: idmapping is per filesystem
const scratch = mkdtempSync('/var/tmp/boxlab-userns-test-');
chmodSync(scratch, 0o755); // root of the namespace is host uid 100000: it must be able to traverse the path
const stateRoot = join(scratch, 'state');
const noSubids = { stateRoot, subuidFile: join(scratch, 'subuid'), subgidFile: join(scratch, 'subgid') };
writeFileSync(noSubids.subuidFile, '');
writeFileSync(noSubids.subgidFile, '');

beforeAll(() => {
  ensureBuilt();
  setChildSubreaper(); // adoptInit re-parents the init to us; we reap it by pid below
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('uid/gid ranges', () => {
  it('parses ranges and subuid files; malformed or overlapping → one-line UserError', () => {
    expect(parseRange('100000:65536')).toEqual({ start: 100000, count: 65536 });
    expect(parseRange('100000-165535')).toEqual({ start: 100000, count: 65536 });
    expect(() => parseRange('100000')).toThrow(/^id range "100000" is malformed: write START:COUNT/);
    expect(() => parseRange('5:0')).toThrow(UserError);
    expect(() => parseSubidFile('boxlab:100000\n', '/etc/subuid', 'boxlab')).toThrow(/^\/etc\/subuid:1: "boxlab:100000" is malformed/);
    expect(() => parseSubidFile('boxlab:100000:65536\nboxlab:150000:65536\n', '/etc/subuid', 'boxlab'))
      .toThrow(/ranges 100000:65536 and 150000:65536 overlap/);
    // other users' bad lines are not ours to refuse
    expect(parseSubidFile('alice:x:y\nboxlab:100000:65536\n', '/etc/subuid', 'boxlab')).toHaveLength(1);
  });

  it('takes the pool from /etc/subuid+subgid for "boxlab", else 100000+k·65536 minus other users\' ranges', () => {
    const sub = join(scratch, 'sub-boxlab');
    writeFileSync(sub, 'boxlab:1000000:131072\n');
    expect(poolBlocks({ stateRoot, subuidFile: sub, subgidFile: sub })).toEqual([1000000, 1065536]);
    const other = join(scratch, 'sub-alice');
    writeFileSync(other, 'alice:100000:65536\n');
    expect(poolBlocks({ stateRoot, subuidFile: other, subgidFile: other })[0]).toBe(165536);
    expect(poolBlocks(noSubids)[0]).toBe(100000);
  });

  it('allocates distinct ranges, records them, releases and reconciles', () => {
    const a = allocateRange('ctr-a', noSubids);
    const b = allocateRange('ctr-b', noSubids);
    expect(a.uid).toEqual({ start: 100000, count: RANGE_SIZE });
    expect(b.uid.start).toBe(100000 + RANGE_SIZE);
    expect(allocateRange('ctr-a', noSubids)).toEqual(a); // idempotent
    expect(JSON.parse(readFileSync(join(stateRoot, 'userns/ranges.json'), 'utf8')).allocations).toHaveLength(2);
    expect(releaseRange('ctr-a', stateRoot)).toBe(true);
    expect(allocateRange('ctr-c', noSubids).uid.start).toBe(100000); // the freed block is reused
    expect(reconcileRanges(stateRoot, new Set(['ctr-c']))).toEqual(['ctr-b']);
    expect(listRanges(stateRoot).map((r) => r.owner)).toEqual(['ctr-c']);
    releaseRange('ctr-c', stateRoot);
    expect(existsSync(join(stateRoot, 'userns/lock'))).toBe(false);
  });

  it('resolves --userns like docker (+ remap)', () => {
    expect(resolveUsernsMode('', 'remap')).toBe('remap');
    expect(resolveUsernsMode('host', 'remap')).toBe('host');
    expect(() => resolveUsernsMode('private')).toThrow(/^--userns "private" is not supported/);
    expect(() => resolveUsernsMode('', 'remap', { privileged: true })).toThrow(/^--privileged does not work with user namespaces: add --userns host$/);
    expect(resolveUsernsMode('host', 'remap', { privileged: true })).toBe('host');
  });
});

async function collect(child: ReturnType<typeof spawn>): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  await Promise.all([new Promise((r) => child.stdout!.on('close', r)), new Promise((r) => child.stderr!.on('close', r))]);
  return { stdout, stderr };
}

describe('user namespaces on the real kernel', () => {
  for (const how of ['idmapped', 'chown-copy'] as const) {
    it(`run path (${how}): root inside is the allocated host uid; writes land shifted in the upper dir; layers unchanged`, async () => {
      const alloc = allocateRange(`ctr-run-${how}`, noSubids);
      const host = alloc.uid.start;
      const dir = join(scratch, `run-${how}`);
      for (const d of ['layer/etc', 'upper', 'work', 'rootfs']) mkdirSync(join(dir, d), { recursive: true });
      chmodSync(dir, 0o700); // as a state dir might be: prepareRemappedDirs must open the way
      writeFileSync(join(dir, 'layer/etc/hostname'), 'image\n');
      prepareRemappedDirs(alloc, ['upper', 'work', 'rootfs'].map((d) => join(dir, d)));
      const rootfs = join(dir, 'rootfs');
      const script = [
        'id -u', 'cat /proc/self/uid_map', `stat -c '%u:%g' ${rootfs}/etc/hostname`,
        `echo inside > ${rootfs}/etc/new`, `echo more >> ${rootfs}/etc/hostname`, 'hostname lab && hostname',
      ].join('; ');
      const [file, ...args] = [...userNamespaceSpawnArgs(['uts', 'ipc', 'net', 'pid']), process.execPath, fixture];
      // the overlay's lowerdirs are only known after startRemapped: the fixture reads its config from stdin's line
      // stdin is a pipe we own: Node destroys the launcher's own 'pipe' stdin once adoptInit has killed it
      const [stdinRead, stdinWrite] = ownedPipe();
      const launcher = spawn(file!, args, { stdio: [stdinRead, 'pipe', 'pipe'], env: { BOXLAB_USERNS_FIXTURE: 'stdin' } });
      closeSync(stdinRead);
      const output = collect(launcher);
      const started = await startRemapped({
        launcherPid: launcher.pid!, forked: true, allocation: alloc, lowerdirs: [join(dir, 'layer')],
        mountDir: join(dir, 'idmap'), stateRoot, how,
      });
      try {
        expect(started.how).toBe(how);
        expect(describeUserMapping(started.initPid).uidMap).toBe(`0 ${host} ${RANGE_SIZE}`);
        const cfg = { argv: ['/bin/sh', '-c', script], overlay: { lower: started.lowerdirs.join(':'), upper: join(dir, 'upper'), work: join(dir, 'work'), target: rootfs } };
        writeSync(stdinWrite, `${JSON.stringify(cfg)}\n`);
        closeSync(stdinWrite);
        const { stdout, stderr } = await output;
        expect(stderr + stdout).toBe(`0\n         0     ${host}      65536\n0:0\nlab\n`);
      } finally {
        started.release();
      }
      const st = new Int32Array(1);
      expect(waitpid(started.initPid, st, 0)).toBe(started.initPid);
      expect(st[0]).toBe(0); // exit status 0, seen by us as the adopting subreaper
      // on the host: the new file and the copied-up file belong to the mapped uid; the layer is unchanged
      expect(statSync(join(dir, 'upper/etc/new')).uid).toBe(host);
      expect(statSync(join(dir, 'upper/etc/hostname')).uid).toBe(host);
      expect(statSync(join(dir, 'layer/etc/hostname')).uid).toBe(0);
      expect(readFileSync(join(dir, 'layer/etc/hostname'), 'utf8')).toBe('image\n');
      expect(existsSync(join(dir, 'idmap/0'))).toBe(false); // released: unmounted and removed
      const copies = join(stateRoot, 'userns/layers', String(host));
      expect(existsSync(copies)).toBe(how === 'chown-copy');
      releaseRange(`ctr-run-${how}`, stateRoot);
      expect(existsSync(copies)).toBe(false);
    });
  }

  it('the security plan applies inside a remapped container: caps, seccomp, masked and read-only /proc', async () => {
    const alloc = allocateRange('ctr-plan', noSubids);
    const script = 'grep -E "^(CapEff|CapBnd|Seccomp|Uid):" /proc/self/status; wc -c < /proc/timer_list; echo 1 > /proc/sys/kernel/hostname || echo RO; ip addr add 10.9.9.9/32 dev lo || echo NOCAP';
    const cfg = { argv: ['/bin/sh', '-c', script], mountProc: true, plan: securityPlan({}) };
    const [file, ...args] = [...userNamespaceSpawnArgs(['uts', 'ipc', 'net', 'pid']), process.execPath, fixture];
    const launcher = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { BOXLAB_USERNS_FIXTURE: JSON.stringify(cfg) } });
    const output = collect(launcher);
    const ns = await mapUserNamespace(launcher.pid!, alloc);
    try {
      launcher.stdin!.end('go\n');
      const { stdout, stderr } = await output;
      expect(stdout).toContain('CapEff:\t00000000a80425fb');
      expect(stdout).toContain('CapBnd:\t00000000a80425fb');
      expect(stdout).toContain('Seccomp:\t2');
      expect(stdout).toMatch(/^Uid:\s+0\s+0\s+0\s+0$/m); // as the container sees itself
      expect(stdout).toMatch(/^0$/m); // /proc/timer_list masked
      expect(stdout).toContain('RO');
      expect(stdout).toContain('NOCAP');
      expect(stderr).toMatch(/Read-only file system/);
    } finally {
      ns.close();
      releaseRange('ctr-plan', stateRoot);
    }
  });

  it('holder path: the host sees the init\'s Uid as the mapped uid in /proc/PID/status', async () => {
    const alloc = allocateRange('ctr-holder', noSubids);
    const ns = await createUserNamespace(alloc);
    try {
      const [file, ...args] = [...userNamespaceEnterArgs(ns, ['uts', 'pid']), '/bin/sleep', '30'];
      const launcher = spawn(file!, args, { stdio: 'ignore' });
      const initPid = await adoptInit(launcher.pid!, true);
      const mapping = describeUserMapping(initPid);
      // exec: join the running container's user namespace and be its root
      const [nsenter, ...joinArgs] = [...userNamespaceJoin(initPid), '/bin/sh', '-c', 'id -u; readlink /proc/self/ns/user'];
      const joined = await collect(spawn(nsenter!, joinArgs, { stdio: ['ignore', 'pipe', 'pipe'] }));
      process.kill(initPid, 'SIGKILL');
      expect(joined.stderr + joined.stdout).toBe(`0\n${ns.inode}\n`);
      expect(waitpid(initPid, new Int32Array(1), 0)).toBe(initPid);
      expect(mapping.uid.split(/\s+/)).toEqual(Array(4).fill(String(alloc.uid.start)));
      expect(mapping.gid.split(/\s+/)).toEqual(Array(4).fill(String(alloc.gid.start)));
      expect(mapping.userns).toBe(ns.inode);
    } finally {
      ns.close();
      releaseRange('ctr-holder', stateRoot);
    }
  });

  it('probeIdmap: this kernel idmaps mounts on the layer filesystem; doctor says so', async () => {
    expect(await probeIdmap(scratch)).toBe('idmapped');
    const doctor = await securityDoctor(scratch);
    expect(doctor.map((d) => d.name)).toEqual(['user namespaces', 'idmapped layers', 'seccomp', 'capabilities']);
    expect(doctor.every((d) => d.ok)).toBe(true);
  });

  it('chown-copy fallback: shifts every owner, keeps setuid bits, modes and symlinks', async () => {
    const src = join(scratch, 'cc-src');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'bin/su'), '');
    chmodSync(join(src, 'bin/su'), 0o4755);
    writeFileSync(join(src, 'bin/user'), '');
    chownSync(join(src, 'bin/user'), 1000, 1000);
    symlinkSync('su', join(src, 'bin/link'));
    linkSync(join(src, 'bin/user'), join(src, 'bin/user-hardlink'));
    await chownCopy(src, join(scratch, 'cc-dst'), 200000);
    const st = statSync(join(scratch, 'cc-dst/bin/su'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([200000, 200000, 0o4755]);
    expect(statSync(join(scratch, 'cc-dst/bin/user')).uid).toBe(201000);
    expect(statSync(join(scratch, 'cc-dst/bin/user-hardlink')).ino).toBe(statSync(join(scratch, 'cc-dst/bin/user')).ino);
    expect(lstatSync(join(scratch, 'cc-dst/bin/link')).uid).toBe(200000);
    expect(statSync(join(src, 'bin/su')).uid).toBe(0);
  });
});
