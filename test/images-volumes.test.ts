import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, host, NotFoundError } from '../engine/sys/index.js';
import { commitContainer, commitExcludes, ImageStore, overlayOptions, parseMounts, prepareMounts, prepareRootfs, removeRootfs, VolumeStore, type MountSpec, type RootfsDirs } from '../engine/images/index.js';

let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'boxlab-volumes-')); });
afterAll(() => { rmSync(base, { recursive: true, force: true }); });

/**
 * What the init stage does with the mounts, as shell, in a private mount namespace: overlay, then each
 * mount (target created first), then --read-only as a per-mount ro flag on the overlay. Runs `script` inside.
 */
async function inContainerMounts(d: RootfsDirs, mounts: MountSpec[], readonlyRoot: boolean, script: string) {
  const M = d.merged;
  const lines = [`mount -t overlay overlay -o ${overlayOptions(d)} ${M}`];
  for (const m of mounts) {
    lines.push(`mkdir -p ${M}${m.target}`);
    if (m.kind === 'tmpfs') lines.push(`mount -t tmpfs -o nosuid,nodev${m.readonly ? ',ro' : ''}${m.options ? `,${m.options}` : ''} tmpfs ${M}${m.target}`);
    else {
      lines.push(`mount --rbind ${m.source} ${M}${m.target}`);
      if (m.readonly) lines.push(`mount -o remount,bind,ro ${M}${m.target}`);
    }
  }
  if (readonlyRoot) lines.push(`mount -o remount,bind,ro ${M}`);
  lines.push(`cd ${M}`, script);
  return host('unshare', ['-m', '--propagation', 'private', 'sh', '-c', lines.join('\n')], { allowFailure: true });
}

describe('volume specs', () => {
  it('parses -v, --tmpfs and image VOLUMEs into mounts, parents first', () => {
    const m = parseMounts(['/host/dir:/data:ro', 'named:/etc', '/anon', 'n2:/x/y:nocopy'], { '/run': 'size=1m' }, { '/etc': {}, '/var/lib/db': {} });
    expect(m.map((x) => [x.kind, x.target, x.readonly, x.copyUp, x.volumeName ?? x.source])).toEqual([
      ['volume', '/anon', false, true, ''],
      ['bind', '/data', true, false, '/host/dir'],
      ['volume', '/etc', false, true, 'named'],
      ['tmpfs', '/run', false, false, 'tmpfs'],
      ['volume', '/x/y', false, false, 'n2'],
      ['volume', '/var/lib/db', false, true, ''], // the image's VOLUME, anonymous
    ]);
  });

  it('names what is wrong with a bad spec', () => {
    expect(() => parseMounts(['/host:data'])).toThrow(/container path "data" must be absolute/);
    expect(() => parseMounts(['./rel:/data'])).toThrow(/neither an absolute host path nor a volume name/);
    expect(() => parseMounts(['/a:/x', 'vv:/x'])).toThrow('duplicate mount point: /x');
    expect(() => parseMounts(['/a:/x:rx'])).toThrow(/unknown option "rx"/);
    expect(() => parseMounts(['/a:/'])).toThrow(/cannot mount over the container's \//);
  });
});

describe('volume store', () => {
  it('creates (idempotently), lists, inspects and refuses to remove a volume in use', () => {
    const vs = new VolumeStore(join(base, 'vs'));
    const v = vs.create('data');
    expect(v.Mountpoint).toBe(join(base, 'vs', 'volumes', 'data', '_data'));
    writeFileSync(join(v.Mountpoint, 'keep'), 'x');
    expect(vs.create('data').CreatedAt).toBe(v.CreatedAt);
    expect(readFileSync(join(v.Mountpoint, 'keep'), 'utf8')).toBe('x');
    const anon = vs.create();
    expect(anon.Anonymous).toBe(true);
    expect(vs.list().map((x) => x.Name).sort()).toEqual([anon.Name, 'data'].sort());
    expect(() => vs.remove('data', { users: () => ['abc123'] })).toThrow(ConflictError);
    expect(() => vs.remove('data', { users: () => ['abc123'] })).toThrow('remove data: volume is in use - [abc123]');
    vs.remove('data', { users: () => [] });
    expect(() => vs.inspect('data')).toThrow(NotFoundError);
    expect(() => vs.remove('data')).toThrow('no such volume: data');
    expect(() => vs.create('bad name')).toThrow(/invalid volume name/);
    expect(vs.prune(() => [])).toEqual([anon.Name]);
  });
});

describe('volume semantics on a real overlay root', () => {
  it('copyData fills a named volume from the image, a bind mount hides the image dir, writes reach the host, commit leaves volumes out', async () => {
    const root = join(base, 'rt');
    const store = new ImageStore(root);
    const vols = new VolumeStore(root);
    const img = await store.ensureBusybox();
    const d = prepareRootfs(root, 'v1', store, img);
    const hostDir = join(base, 'hostdir');
    mkdirSync(hostDir);
    const ro = join(base, 'rodir');
    mkdirSync(ro);
    writeFileSync(join(ro, 'f'), 'read only\n');
    const mounts = prepareMounts(parseMounts([`${hostDir}:/usr`, 'etcvol:/etc', `${ro}:/ro:ro`, '/scratch'], { '/run': 'size=1m' }), vols, store.layerDirs(img).reverse());
    const etc = vols.inspect('etcvol').Mountpoint;
    expect(readFileSync(join(etc, 'passwd'), 'utf8')).toMatch(/^root:/); // copyData: filled from the image
    expect(readdirSync(hostDir)).toEqual([]); // a bind mount is never filled
    const r = await inContainerMounts(d, mounts, false, [
      'ls usr | wc -l',                                  // the image's /usr is hidden by the empty bind
      'echo vol > etc/written-in-container',
      'echo host > usr/from-container',
      'echo x > ro/f 2>/dev/null && echo ro-writable || echo ro-refused',
      'echo upper > in-upper.txt',
    ].join('\n'));
    expect(r.stdout.split('\n')).toEqual(['0', 'ro-refused']);
    expect(readFileSync(join(etc, 'written-in-container'), 'utf8')).toBe('vol\n');
    expect(readFileSync(join(hostDir, 'from-container'), 'utf8')).toBe('host\n');
    expect(existsSync(join(d.upper, 'etc/written-in-container'))).toBe(false);
    expect(readFileSync(join(d.upper, 'in-upper.txt'), 'utf8')).toBe('upper\n');
    // a second copyData does not overwrite: the volume is no longer empty
    writeFileSync(join(etc, 'passwd'), 'changed\n');
    prepareMounts(parseMounts(['etcvol:/etc']), vols, store.layerDirs(img).reverse());
    expect(readFileSync(join(etc, 'passwd'), 'utf8')).toBe('changed\n');

    const snap = await commitContainer(store, { upper: d.upper, image: img, exclude: commitExcludes(mounts) });
    const { stdout } = await host('tar', ['-tf', store.layerTar(snap.RootFS.DiffIDs.at(-1)!)]);
    expect(stdout.split('\n').sort()).toEqual(['in-upper.txt']); // mount points and volume contents left out
    removeRootfs(root, 'v1');
  });

  it('--read-only: the root refuses writes, volumes and tmpfs take them', async () => {
    const root = join(base, 'rt');
    const store = new ImageStore(root);
    const vols = new VolumeStore(root);
    const img = await store.ensureBusybox();
    const d = prepareRootfs(root, 'v2', store, img);
    const mounts = prepareMounts(parseMounts(['/data'], { '/tmp': 'size=1m,mode=1777' }), vols, store.layerDirs(img).reverse());
    const r = await inContainerMounts(d, mounts, true, [
      'touch newfile 2>/dev/null && echo root-writable || echo root-refused',
      'echo v > data/f && echo data-ok',
      'echo t > tmp/f && echo tmp-ok',
      'grep " $(pwd)/tmp " /proc/self/mounts | cut -d" " -f3',
    ].join('\n'));
    expect(r.stdout.split('\n')).toEqual(['root-refused', 'data-ok', 'tmp-ok', 'tmpfs']);
    const anon = mounts.find((m) => m.target === '/data')!;
    expect(readFileSync(join(anon.source, 'f'), 'utf8')).toBe('v\n');
    expect(lstatSync(d.upper).isDirectory()).toBe(true);
    expect(readdirSync(d.upper).sort()).toEqual(['data']); // only the mount point was made, before the ro remount
    removeRootfs(root, 'v2');
  });
});
