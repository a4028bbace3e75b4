/**
 * `boxlab run --rm busybox true`: median wall time on the default bridge network versus --network none, through
 * the real CLI and a private daemon, inside a throwaway network namespace that plays the host. podman on these
 * machines: ~150 ms none, ~390 ms bridge (the bar).
 *
 *   npm run build && node dist/bench/network-run.js [iterations]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLONE, closeFd, host, openPath, setns, unshare } from '../engine/sys/index.js';
const N = Number(process.argv[2] ?? 15);
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
async function main() {
    const original = openPath('/proc/self/ns/net');
    unshare(CLONE.NEWNET);
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-bench-run-'));
    const root = join(dir, 'root');
    const socket = join(dir, 'boxlab.sock');
    const env = { ...process.env, BOXLAB_ROOT: root, BOXLAB_SOCKET: socket };
    const daemon = spawn(process.execPath, [CLI, '--root', root, '--socket', socket, 'daemon', '--cgroup-parent', `boxlab-bench-${process.pid}`], { stdio: 'ignore', env });
    try {
        await host('ip', ['link', 'set', 'lo', 'up']);
        for (let i = 0; i < 100 && !existsSync(socket); i++)
            await new Promise((r) => setTimeout(r, 50));
        const cli = (args) => host(process.execPath, [CLI, ...args], { env });
        const time = async (args) => {
            const t = process.hrtime.bigint();
            await cli(args);
            return Number(process.hrtime.bigint() - t) / 1e6;
        };
        // warm up: image import, default network, chains
        await cli(['run', '--rm', 'busybox', 'true']);
        await cli(['run', '--rm', '--network', 'none', 'busybox', 'true']);
        const none = [];
        const bridge = [];
        for (let i = 0; i < N; i++) {
            none.push(await time(['run', '--rm', '--network', 'none', 'busybox', 'true']));
            bridge.push(await time(['run', '--rm', '--network', 'bridge', 'busybox', 'true']));
        }
        const eps = (await cli(['network', 'inspect', '-f', '{{json .Containers}}', 'bridge'])).stdout;
        console.log(`boxlab run --rm busybox true, median of ${N} (CLI + private daemon, throwaway netns)`);
        console.log(`  --network none     ${median(none).toFixed(0).padStart(5)} ms   (podman ~150 ms)`);
        console.log(`  --network bridge   ${median(bridge).toFixed(0).padStart(5)} ms   (podman ~390 ms)`);
        console.log(`  endpoints left on the default network afterwards: ${eps}`);
        await cli(['reset']);
    }
    finally {
        const exited = new Promise((r) => daemon.once('exit', r));
        daemon.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
        setns(original, CLONE.NEWNET);
        closeFd(original);
    }
}
await main();
//# sourceMappingURL=network-run.js.map