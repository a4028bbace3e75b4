import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host, UserError } from '../sys/index.js';
import { removeTree, tempDir } from './fsutil.js';
import { goArch } from './config.js';
/**
 * Every file of the busybox layer carries this mtime and the image this creation date, so the layer digest
 * and the image id depend only on the busybox binary: the same on every run and every machine.
 */
export const BUSYBOX_EPOCH = new Date('2024-01-01T00:00:00Z');
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';
const DIRS = [
    ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o555], ['root', 0o700],
    ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['var', 0o755],
    ['var/tmp', 0o1777],
];
export function findBusybox() {
    const bin = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
    if (!bin)
        throw new UserError('busybox-static is not installed: run `apt-get install busybox-static` (the default image is built from it)');
    return bin;
}
/** Lays out the busybox root filesystem in `dir`: the binary, one symlink per applet, passwd/group, the usual dirs. */
export async function stageBusybox(dir) {
    const bin = findBusybox();
    for (const [d, mode] of DIRS) {
        mkdirSync(join(dir, d), { recursive: true });
        chmodSync(join(dir, d), mode);
    }
    copyFileSync(bin, join(dir, 'bin/busybox'));
    chmodSync(join(dir, 'bin/busybox'), 0o755);
    const { stdout } = await host(bin, ['--list']);
    const applets = stdout.split('\n').map((s) => s.trim()).filter((s) => /^[\w.[\]-]+$/.test(s) && s !== 'busybox');
    for (const a of applets)
        symlinkSync('busybox', join(dir, 'bin', a));
    writeFileSync(join(dir, 'etc/passwd'), PASSWD);
    writeFileSync(join(dir, 'etc/group'), GROUP);
    chmodSync(join(dir, 'etc/passwd'), 0o644);
    chmodSync(join(dir, 'etc/group'), 0o644);
    const help = await host(bin, ['--help'], { allowFailure: true });
    const version = /BusyBox v([\w.+~-]+)/.exec(help.stdout + help.stderr)?.[1] ?? 'unknown';
    return { version };
}
export async function buildBusybox(store) {
    const work = tempDir(join(store.dir, 'tmp'), 'busybox');
    try {
        const rootfs = join(work, 'rootfs');
        mkdirSync(rootfs);
        const { version } = await stageBusybox(rootfs);
        const diffID = await store.layerFromDir(rootfs, { mtime: BUSYBOX_EPOCH });
        const created = BUSYBOX_EPOCH.toISOString();
        const config = {
            architecture: goArch(),
            os: 'linux',
            created,
            config: { Env: [DEFAULT_PATH], Cmd: ['sh'] },
            rootfs: { type: 'layers', diff_ids: [diffID] },
            history: [{ created, created_by: `boxlab: busybox ${version} from Debian's busybox-static, one symlink per applet` }],
        };
        return store.addImage(config, ['busybox:latest']);
    }
    finally {
        removeTree(work);
    }
}
//# sourceMappingURL=busybox.js.map