import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, symlinkSync, chmodSync, chownSync, truncateSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { host, mknodChar, UserError } from '../engine/sys/index.js';
import { ImageStore, commitContainer, diffUpper, exportFlat, importFlat, KIND_LETTER, loadImages, overlayOptions, prepareRootfs, removeRootfs, saveImages } from '../engine/images/index.js';
import { lsetxattr, lgetxattr } from '../engine/images/xattr.js';
import { makeTar } from './fixtures/images/make-tar.js';

let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'boxlab-layers-')); });
afterAll(() => { rmSync(base, { recursive: true, force: true }); });

/** Every path under a dir with type, mode, owner, size, link target and content hash — not mtimes. */
async function listing(dir: string, script = ''): Promise<string[]> {
  const { stdout } = await host('unshare', ['-m', '--propagation', 'private', 'sh', '-ec',
    `${script}\ncd ${dir}\nfind . -mindepth 1 -printf '%p|%M|%U|%G|%s|%l\\n' | sort\nfind . -type f -exec sha256sum {} + | sort -k2`]);
  return stdout.split('\n');
}

function storeState(s: ImageStore): string {
  return JSON.stringify([s.layerIds().sort(), s.list().map((i) => [i.Id, i.RepoTags]), readdirSync(join(s.dir, 'tmp'))]);
}

describe('safe layer extraction', () => {
  const bad = async (name: string, tar: Buffer, msg: RegExp): Promise<ImageStore> => {
    const store = new ImageStore(join(base, name));
    const before = storeState(store);
    const file = join(base, `${name}.tar`);
    writeFileSync(file, tar);
    await expect(store.importLayerTar(file)).rejects.toThrow(msg);
    await expect(store.importLayerTar(file)).rejects.toBeInstanceOf(UserError);
    expect(storeState(store)).toBe(before);
    return store;
  };

  it('refuses ../ paths and writes nothing outside', async () => {
    await bad('dotdot', makeTar([{ path: 'ok.txt', body: 'x' }, { path: '../../escaped.txt', body: 'pwned' }]), /contains "\.\."/);
    expect(existsSync(join(base, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(base, 'dotdot', 'escaped.txt'))).toBe(false);
  });

  it('refuses writing through a symlink that points outside, and hard links out of the layer', async () => {
    const outside = join(base, 'outside');
    mkdirSync(outside);
    await bad('symlinkout', makeTar([{ path: 'lnk', type: 'SymbolicLink', linkpath: outside }, { path: 'lnk/pwned', body: 'x' }]), /through the symbolic link "lnk"/);
    expect(readdirSync(outside)).toEqual([]);
    await bad('hardlinkout', makeTar([{ path: 'hl', type: 'Link', linkpath: '../../../etc/passwd' }]), /contains "\.\."/);
    await bad('hardlinkabs', makeTar([{ path: 'hl', type: 'Link', linkpath: '/etc/passwd' }]), /not in the layer/);
  });

  it('neutralises absolute paths and device nodes; turns .wh. entries into overlay whiteouts', async () => {
    const store = new ImageStore(join(base, 'neutral'));
    const file = join(base, 'neutral.tar');
    writeFileSync(file, makeTar([
      { path: '/abs/file.txt', body: 'inside' },
      { path: 'dev/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 },
      { path: 'etc/', type: 'Directory', mode: 0o755 },
      { path: 'etc/.wh.gone', body: '' },
      { path: 'opq/', type: 'Directory', mode: 0o755 },
      { path: 'opq/.wh..wh..opq', body: '' },
      { path: 'sh', type: 'SymbolicLink', linkpath: '/bin/busybox' },
    ]));
    const d = await store.importLayerTar(file);
    const dir = join(store.layerPath(d), 'diff');
    expect(readFileSync(join(dir, 'abs/file.txt'), 'utf8')).toBe('inside');
    expect(existsSync('/abs/file.txt')).toBe(false);
    expect(existsSync(join(dir, 'dev/null'))).toBe(false);
    const wh = lstatSync(join(dir, 'etc/gone'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    expect(lgetxattr(join(dir, 'opq'), 'trusted.overlay.opaque')).toBe('y');
    expect(readFileSync(join(store.layerPath(d), 'layer.tar')).equals(readFileSync(file))).toBe(true);
  });

  it('reports a corrupt or truncated tar in one line and leaves the store unchanged', async () => {
    await bad('garbage', Buffer.from('this is not a tar archive at all '.repeat(40)), /^not a valid layer tar: /);
    const src = new ImageStore(join(base, 'src'));
    const img = await src.ensureBusybox();
    const full = readFileSync(src.layerTar(img.RootFS.DiffIDs[0]!));
    const store = await bad('truncated', full.subarray(0, 1_000_000), /^not a valid layer tar: .*/);
    expect(store.list()).toEqual([]);
    await bad('empty', Buffer.alloc(0), /empty/);
  });
});

describe('diff, commit, save and load', () => {
  it('commits changed, added and deleted files into a layer that reproduces exactly that filesystem on a fresh store', async () => {
    const rootA = join(base, 'A');
    const a = new ImageStore(rootA);
    const img = await a.ensureBusybox();
    const rootfs = prepareRootfs(rootA, 'ctr', a, img);
    const up = rootfs.upper;
    // what a container would leave in its upper dir
    mkdirSync(join(up, 'etc'));
    writeFileSync(join(up, 'etc/passwd'), 'root:x:0:0:changed:/root:/bin/sh\n');
    mknodChar(join(up, 'etc/group'), 0, 0, 0); // rm /etc/group
    mkdirSync(join(up, 'new/dir'), { recursive: true });
    writeFileSync(join(up, 'new/dir/file'), 'hello\n');
    chownSync(join(up, 'new/dir/file'), 1000, 1000);
    writeFileSync(join(up, 'new/suid'), '#!/bin/sh\n');
    chmodSync(join(up, 'new/suid'), 0o4755);
    symlinkSync('/new/dir/file', join(up, 'new/link'));
    mkdirSync(join(up, 'usr'));
    lsetxattr(join(up, 'usr'), 'trusted.overlay.opaque', 'y'); // rm -rf /usr && mkdir /usr
    writeFileSync(join(up, 'usr/only'), 'only\n');
    mkdirSync(join(up, 'data'));
    writeFileSync(join(up, 'data/volume-file'), 'in a volume\n');

    const changes = diffUpper(up, rootfs.lowerdirs).map((c) => `${KIND_LETTER[c.Kind]} ${c.Path}`);
    expect(changes).toEqual(['A /data', 'A /data/volume-file', 'C /etc', 'D /etc/group', 'C /etc/passwd', 'A /new', 'A /new/dir',
      'A /new/dir/file', 'A /new/link', 'A /new/suid', 'C /usr', 'D /usr/bin', 'A /usr/only', 'D /usr/sbin']);

    const snap = await commitContainer(a, { upper: up, image: img, exclude: ['/data'], changes: ['CMD ["cat", "/new/dir/file"]'], tag: 'snap:1', comment: 'test' });
    expect(snap.RootFS.DiffIDs.slice(0, 1)).toEqual(img.RootFS.DiffIDs);
    expect(snap.RootFS.DiffIDs).toHaveLength(2);
    expect(snap.Config.Cmd).toEqual(['cat', '/new/dir/file']);
    expect(snap.History.at(-1)?.comment).toBe('test');
    const tarList = (await host('tar', ['-tf', a.layerTar(snap.RootFS.DiffIDs[1]!)])).stdout.split('\n');
    expect(tarList).toEqual(expect.arrayContaining(['etc/.wh.group', 'usr/.wh..wh..opq', 'new/dir/file']));
    expect(tarList.some((p) => p.startsWith('data'))).toBe(false);

    const archive = join(base, 'snap.tar');
    await saveImages(a, ['snap:1'], archive);
    const rootB = join(base, 'B');
    const b = new ImageStore(rootB);
    const loaded = await loadImages(b, archive);
    expect(loaded).toEqual([{ Id: snap.Id, RepoTags: ['snap:1'] }]);
    const snapB = b.resolve('snap:1');
    expect(snapB.RootFS.DiffIDs).toEqual(snap.RootFS.DiffIDs);

    const rootfsB = prepareRootfs(rootB, 'ctr2', b, snapB);
    const mount = (d: typeof rootfs) => `mount -t overlay overlay -o ${overlayOptions(d)} ${d.merged}`;
    const expected = (await listing(rootfs.merged, mount(rootfs))).filter((l) => !/\.\/data\b/.test(l));
    const got = await listing(rootfsB.merged, mount(rootfsB));
    expect(got).toEqual(expected);
    expect(got).toEqual(expect.arrayContaining(['./new/suid|-rwsr-xr-x|0|0|10|', './new/dir/file|-rw-r--r--|1000|1000|6|', './new/link|lrwxrwxrwx|0|0|13|/new/dir/file']));
    expect(got.some((l) => l.startsWith('./etc/group|'))).toBe(false);
    expect(got.some((l) => l.startsWith('./usr/bin'))).toBe(false);

    // export of the stopped container (layers + upper merged here, no mount) = the same tree as a flat tar
    const flat = join(base, 'flat.tar');
    await exportFlat(a, { lowerdirs: a.layerDirs(img).reverse(), upper: up, exclude: ['/data'] }, flat);
    const imported = await importFlat(b, flat, { tag: 'flat:1' });
    const rootfsC = prepareRootfs(rootB, 'ctr3', b, imported);
    expect(await listing(rootfsC.merged, mount(rootfsC))).toEqual(got);
    for (const id of ['ctr', 'ctr2', 'ctr3']) removeRootfs(id === 'ctr' ? rootA : rootB, id);
  });

  it('save is deterministic and save → load → save gives the same bytes and ids', async () => {
    const a = new ImageStore(join(base, 'A'));
    const one = join(base, 'one.tar');
    const two = join(base, 'two.tar');
    await saveImages(a, ['busybox', 'snap:1'], one);
    const c = new ImageStore(join(base, 'C'));
    const loaded = await loadImages(c, one);
    expect(loaded.map((l) => l.Id).sort()).toEqual([a.resolve('busybox').Id, a.resolve('snap:1').Id].sort());
    await saveImages(c, ['busybox', 'snap:1'], two);
    expect(readFileSync(two).equals(readFileSync(one))).toBe(true);
    const { stdout } = await host('tar', ['-tf', one]);
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['manifest.json', 'index.json', 'oci-layout']));
  });

  it('a load whose layer does not match its config fails in one line and adds nothing', async () => {
    const a = new ImageStore(join(base, 'A'));
    const dir = join(base, 'tampered');
    mkdirSync(dir);
    await host('tar', ['-xf', join(base, 'one.tar'), '-C', dir]);
    const layer = a.resolve('snap:1').RootFS.DiffIDs[1]!.slice(7);
    copyFileSync(join(base, 'neutral.tar'), join(dir, 'blobs/sha256', layer));
    await host('tar', ['-cf', join(base, 'tampered.tar'), '-C', dir, '.']);
    const d = new ImageStore(join(base, 'D'));
    const before = storeState(d);
    await expect(loadImages(d, join(base, 'tampered.tar'))).rejects.toThrow(/hashes to sha256:.* but the image config says .*corrupt/);
    expect(storeState(d)).toBe(before);
  });
});
