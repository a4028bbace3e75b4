import { randomBytes } from 'node:crypto';
import { host } from '../sys/index.js';
import { overlayOptions, prepareRootfs, removeRootfs } from './rootfs.js';
import { resolveUser } from './users.js';
const DEVICES = 'null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0';
export function chrootRunner(store) {
    return async (o) => {
        const id = `build-${randomBytes(6).toString('hex')}`;
        const d = prepareRootfs(store.root, id, store, o.image);
        try {
            const { uid, gid } = resolveUser(o.user, d.lowerdirs);
            const workdir = o.workdir || '/';
            const script = [
                'M=$1; W=$2; shift 2',
                `mount -t overlay overlay -o '${overlayOptions(d)}' "$M"`,
                'mkdir -p "$M$W"',
                'mount -t proc proc "$M/proc"',
                'mount -t tmpfs -o mode=755,nosuid tmpfs "$M/dev"',
                `for n in ${DEVICES}; do f=\${n%%:*}; r=\${n#*:}; mknod -m 666 "$M/dev/$f" c \${r%%:*} \${r#*:}; done`,
                'exec "$@"',
            ].join('\n');
            const inner = uid === 0 && gid === 0
                ? ['unshare', `--root=${d.merged}`, `--wd=${workdir}`, '--', ...o.cmd]
                : ['chroot', `--userspec=${uid}:${gid}`, d.merged, '/bin/sh', '-c', 'cd "$0" && exec "$@"', workdir, ...o.cmd];
            const r = await host('unshare', ['-m', '-u', '-i', '-n', '-p', '-f', '--kill-child', '--propagation', 'private',
                'sh', '-ec', script, 'sh', d.merged, workdir, 'env', '-i', ...o.env, ...inner], { allowFailure: true });
            return { exitCode: r.exitCode, upper: d.upper, stdout: r.stdout, stderr: r.stderr, cleanup: () => removeRootfs(store.root, id) };
        }
        catch (e) {
            removeRootfs(store.root, id);
            throw e;
        }
    };
}
//# sourceMappingURL=runner.js.map