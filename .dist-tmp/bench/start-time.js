/**
 * Container start time, side by side with peers, in one run (issue: runtime core benchmark):
 *   boxlab CLI   `boxlab run --rm busybox true` (client process + daemon + init stage + exec)
 *   boxlab API   create + attach-free start + wait of `true` against a running daemon
 *   unshare      `unshare --uts --ipc --net --mount --pid --fork chroot <rootfs> true`
 *   runc         `runc run` of a bundle over the same busybox rootfs (when runc is installed)
 * Prints medians (and p90) in milliseconds. Usage: node dist/bench/start-time.js [runs]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../engine/client/client.js';
import { connect } from '../engine/client/daemon-start.js';
import { ImageStore } from '../engine/images/index.js';
const runs = Number(process.argv[2] ?? 20);
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
function stats(samples) {
    const s = [...samples].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] };
}
async function time(label, fn) {
    await fn(); // warm-up: image build, page cache
    const samples = [];
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        await fn();
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return [label, samples];
}
function have(cmd) {
    return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
async function main() {
    const root = mkdtempSync(join(tmpdir(), 'boxlab-bench-'));
    const socket = join(root, 'boxlab.sock');
    const env = { ...process.env, BOXLAB_ROOT: root, BOXLAB_SOCKET: socket, BOXLAB_CGROUP_PARENT: 'boxlab-bench' };
    const results = [];
    try {
        const client = await connect({ socket, root, cgroupParent: 'boxlab-bench' });
        results.push(await time('boxlab run --rm busybox true (CLI)', () => {
            execFileSync(process.execPath, [CLI, 'run', '--rm', 'busybox', 'true'], { env, stdio: 'ignore' });
        }));
        const api = (hostConfig) => async () => {
            const { Id } = await client.post('/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true, ...hostConfig } });
            const waiting = client.post(`/containers/${Id}/wait`, undefined, { condition: 'removed' });
            await client.post(`/containers/${Id}/start`);
            await waiting;
        };
        results.push(await time('boxlab API create+start+wait (bridge, seccomp)', api({})));
        results.push(await time('boxlab API, --network none', api({ NetworkMode: 'none' })));
        results.push(await time('boxlab API, --network none, seccomp=unconfined', api({ NetworkMode: 'none', SecurityOpt: ['seccomp=unconfined'] })));
        results.push(await time('boxlab API, --network none, --userns remap', api({ NetworkMode: 'none', UsernsMode: 'remap' })));
        const store = new ImageStore(root);
        const layer = store.layerDirs(store.resolve('busybox'))[0];
        results.push(await time('unshare --uts --ipc --net --mount --pid --fork chroot', () => {
            execFileSync('unshare', ['--uts', '--ipc', '--net', '--mount', '--pid', '--fork', 'chroot', layer, '/bin/true'], { stdio: 'ignore' });
        }));
        if (have('runc')) {
            const bundle = mkdtempSync(join(tmpdir(), 'boxlab-bench-runc-'));
            execFileSync('runc', ['spec'], { cwd: bundle });
            const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
            spec.process.args = ['/bin/true'];
            spec.process.terminal = false;
            spec.root = { path: layer, readonly: true };
            writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
            let n = 0;
            results.push(await time('runc run (same rootfs, read-only)', () => {
                execFileSync('runc', ['--root', join(bundle, 'state'), 'run', '--bundle', bundle, `bench${process.pid}-${n++}`], { stdio: 'ignore' });
            }));
            rmSync(bundle, { recursive: true, force: true });
        }
        else {
            console.log('(runc not installed: apt-get install runc to compare)');
        }
    }
    catch (e) {
        const log = join(root, 'boxlabd.log');
        if (existsSync(log))
            console.error(`boxlabd's log:\n${readFileSync(log, 'utf8').slice(-2000)}`);
        throw e;
    }
    finally {
        // The benchmark's daemon goes whatever happened: reset (containers, bridge, chains), then SIGTERM by pid.
        await new Client(socket).post('/boxlab/reset').catch(() => undefined);
        const pidFile = join(root, 'boxlabd.pid');
        if (existsSync(pidFile)) {
            process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
            for (let i = 0; i < 100 && existsSync(socket); i++)
                await new Promise((r) => setTimeout(r, 50));
        }
        rmSync(root, { recursive: true, force: true });
    }
    console.log(`container start time, ${runs} runs each (ms)`);
    console.log(`${'what'.padEnd(52)} ${'median'.padStart(8)} ${'p90'.padStart(8)}`);
    for (const [label, samples] of results) {
        const s = stats(samples);
        console.log(`${label.padEnd(52)} ${s.median.toFixed(1).padStart(8)} ${s.p90.toFixed(1).padStart(8)}`);
    }
}
await main();
//# sourceMappingURL=start-time.js.map