import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { host, NotFoundError } from '../engine/sys/index.js';
import { ImageStore, overlayOptions, prepareRootfs, removeRootfs } from '../engine/images/index.js';

let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'boxlab-images-')); });
afterAll(() => { rmSync(base, { recursive: true, force: true }); });

/** Runs a shell script in a private mount namespace: whatever it mounts vanishes with it, the host never sees it. */
async function inPrivateMountNs(script: string) {
  return host('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', script]);
}

describe('image store: the offline busybox image', () => {
  it('builds busybox:latest from busybox-static with the same layer digest and image id on every fresh store', async () => {
    const a = await new ImageStore(join(base, 'a')).ensureBusybox();
    const b = await new ImageStore(join(base, 'b')).ensureBusybox();
    expect(a.RootFS.DiffIDs).toHaveLength(1);
    expect(a.RootFS.DiffIDs[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.RootFS.DiffIDs).toEqual(a.RootFS.DiffIDs);
    expect(b.Id).toBe(a.Id);
    expect(a.RepoTags).toEqual(['busybox:latest']);
    expect(a.Config.Cmd).toEqual(['sh']);
    expect(a.Config.Env[0]).toMatch(/^PATH=/);
  });

  it('lays out a usable root: busybox, applet links, passwd with nobody, a sticky /tmp', async () => {
    const store = new ImageStore(join(base, 'a'));
    const img = await store.ensureBusybox();
    const [dir] = store.layerDirs(img);
    expect(lstatSync(join(dir!, 'bin/sh')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir!, 'bin/busybox')).isFile()).toBe(true);
    expect(readFileSync(join(dir!, 'etc/passwd'), 'utf8')).toMatch(/^nobody:x:65534:65534:/m);
    expect(lstatSync(join(dir!, 'tmp')).mode & 0o7777).toBe(0o1777);
    const { stdout } = await host(join(dir!, 'bin/busybox'), ['echo', 'ok']);
    expect(stdout).toBe('ok');
  });

  it('resolves names, tags, full and short ids; an unknown one is docker\'s "No such image"', async () => {
    const store = new ImageStore(join(base, 'a'));
    const img = await store.ensureBusybox();
    for (const ref of ['busybox', 'busybox:latest', img.Id, img.Id.slice(7), img.Id.slice(7, 19), `sha256:${img.Id.slice(7, 15)}`]) {
      expect(store.resolve(ref).Id).toBe(img.Id);
    }
    expect(() => store.resolve('nosuch')).toThrow(NotFoundError);
    expect(() => store.resolve('nosuch:1')).toThrow('No such image: nosuch:1');
    expect(store.list().map((i) => i.Id)).toEqual([img.Id]);
  });
});

describe('container rootfs: layers + init layer + upper', () => {
  it('prepares dirs that mount as overlay; writes land in upper, the image layer stays untouched', async () => {
    const root = join(base, 'a');
    const store = new ImageStore(root);
    const img = await store.ensureBusybox();
    const d = prepareRootfs(root, 'c1', store, img);
    const [layer] = store.layerDirs(img);
    expect(d.lowerdirs).toEqual([d.initDir, layer]);
    for (const f of ['etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'dev/pts', 'dev/shm', 'proc', 'sys']) expect(existsSync(join(d.initDir, f))).toBe(true);
    const mountsBefore = readFileSync('/proc/self/mountinfo', 'utf8');
    const { stdout } = await inPrivateMountNs([
      `mount -t overlay overlay -o ${overlayOptions(d)} ${d.merged}`,
      `echo hello > ${d.merged}/new.txt`,
      `echo changed >> ${d.merged}/etc/passwd`,
      `rm ${d.merged}/etc/group`,
      `test -f ${d.merged}/etc/hostname && test -d ${d.merged}/dev/pts`,
      `${d.merged}/bin/busybox cat ${d.merged}/new.txt`,
    ].join('\n'));
    expect(stdout).toBe('hello');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mountsBefore);
    expect(readFileSync(join(d.upper, 'new.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(d.upper, 'etc/passwd'), 'utf8')).toMatch(/changed\n$/); // copied up
    const wh = lstatSync(join(d.upper, 'etc/group'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true); // the deletion became a whiteout
    expect(readFileSync(join(layer!, 'etc/passwd'), 'utf8')).not.toMatch(/changed/);
    expect(existsSync(join(layer!, 'etc/group'))).toBe(true);
    expect(existsSync(join(layer!, 'new.txt'))).toBe(false);
    removeRootfs(root, 'c1');
    removeRootfs(root, 'c1');
    expect(existsSync(d.upper) || existsSync(d.initDir)).toBe(false);
  });
});
