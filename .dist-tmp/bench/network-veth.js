/**
 * Cost of one container endpoint: NetworkManager.connect() + disconnect() versus the same kernel work typed as
 * a plain shell `ip` sequence, plus the parts on their own (veth deletion, release after the container exited).
 * Runs inside a throwaway network namespace that plays the host, like the tests.
 *
 *   npm run build && node dist/bench/network-veth.js [iterations]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkManager } from '../engine/network/index.js';
import { CLONE, closeFd, host, openPath, setns, unshare } from '../engine/sys/index.js';
const N = Number(process.argv[2] ?? 30);
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
async function timed(fn) {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
}
async function fakeContainer() {
    const child = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
    const pid = child.pid;
    const mine = readlinkSync('/proc/self/ns/net');
    while (true) {
        try {
            if (readlinkSync(`/proc/${pid}/ns/net`) !== mine)
                break;
        }
        catch {
            // not yet
        }
        await new Promise((r) => setTimeout(r, 2));
    }
    return {
        pid,
        stop: async () => {
            const exited = new Promise((r) => child.once('exit', r));
            process.kill(pid, 'SIGKILL');
            await exited;
        },
    };
}
async function main() {
    const original = openPath('/proc/self/ns/net');
    unshare(CLONE.NEWNET);
    const stateDir = mkdtempSync(join(tmpdir(), 'boxlab-bench-net-'));
    const mgr = new NetworkManager({ stateDir, bridgePrefix: 'bxb', vethPrefix: 'bxbv' });
    const c = await fakeContainer();
    try {
        await host('ip', ['link', 'set', 'lo', 'up']);
        await mgr.ensureDefault();
        const ns = `/proc/${c.pid}/ns/net`;
        const engine = [];
        const connectOnly = [];
        const disconnectOnly = [];
        for (let i = 0; i < N; i++) {
            const t0 = process.hrtime.bigint();
            await mgr.connect({ container: 'b', containerName: 'b', netnsPath: ns, network: 'bridge' });
            const t1 = process.hrtime.bigint();
            await mgr.disconnect('b', 'bridge');
            const t2 = process.hrtime.bigint();
            connectOnly.push(Number(t1 - t0) / 1e6);
            disconnectOnly.push(Number(t2 - t1) / 1e6);
            engine.push(Number(t2 - t0) / 1e6);
        }
        const script = `set -e
ip link add bxbvsh mtu 1500 master bxb0 up type veth peer name eth0 address 02:b1:ac:1d:00:02 mtu 1500 netns ${ns}
nsenter --net=${ns} ip -batch - <<EOF
addr add 172.29.0.2/16 dev eth0
link set dev eth0 up
link set dev lo up
route add default via 172.29.0.1 dev eth0
EOF
ip link del dev bxbvsh`;
        const shell = [];
        for (let i = 0; i < N; i++)
            shell.push(await timed(() => host('sh', ['-c', script])));
        const del = [];
        for (let i = 0; i < N; i++) {
            await host('ip', ['link', 'add', 'bxbvdel', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
            del.push(await timed(() => host('ip', ['link', 'del', 'dev', 'bxbvdel'])));
        }
        const delKernel = [];
        for (let i = 0; i < Math.min(N, 10); i++) {
            await host('ip', ['link', 'add', 'bxbvdel', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
            const r = await host('sh', ['-c', 's=$(date +%s%N); ip link del dev bxbvdel; e=$(date +%s%N); echo $(( (e - s) / 1000 ))']);
            delKernel.push(Number(r.stdout) / 1000);
        }
        // release() after the container exited: the namespace took the veth with it, nothing to delete
        const releaseDead = [];
        for (let i = 0; i < Math.min(N, 10); i++) {
            const d = await fakeContainer();
            await mgr.connect({ container: 'd', containerName: 'd', netnsPath: `/proc/${d.pid}/ns/net`, network: 'bridge' });
            await d.stop();
            releaseDead.push(await timed(() => mgr.release('d')));
        }
        const row = (what, xs) => `${what.padEnd(58)} ${median(xs).toFixed(1).padStart(7)} ms`;
        console.log(`network endpoint, median of ${N} (throwaway netns, iptables ${(await host('iptables', ['--version'])).stdout})`);
        console.log(row('boxlab connect + disconnect (engine, traced execa)', engine));
        console.log(row('  connect: ip link add … netns; nsenter ip -batch', connectOnly));
        console.log(row('  disconnect: ip link del (veth) + IPAM release', disconnectOnly));
        console.log(row('same by plain shell (sh -c: ip link add; nsenter ip; ip del)', shell));
        console.log(row('ip link del of a veth (spawned from node)', del));
        console.log(row('ip link del of a veth (inside sh, no node spawn)', delKernel));
        console.log(row('release() after the container exited (no veth left)', releaseDead));
    }
    finally {
        await c.stop();
        await mgr.reset();
        rmSync(stateDir, { recursive: true, force: true });
        setns(original, CLONE.NEWNET);
        closeFd(original);
    }
}
await main();
//# sourceMappingURL=network-veth.js.map