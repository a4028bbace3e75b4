import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setChildSubreaper } from '../sys/calls.js';
import { Runtime } from '../containers/runtime.js';
import { Client } from '../client/client.js';
import { Router } from './router.js';
import { createApiServer, listenUnix } from './server.js';
import { registerAll } from './routes/index.js';
import { sweepOrphans } from './sweep.js';
import { startReaper } from './reaper.js';
/**
 * boxlabd: owns all state, is the parent (subreaper) of every container, and serves the Engine API on a unix
 * socket. On SIGTERM/SIGINT it stops its containers (as dockerd does without live-restore) and leaves.
 */
export async function runDaemon(opts) {
    if (await new Client(opts.socket).ping()) {
        throw new Error(`another boxlabd already answers on ${opts.socket}`);
    }
    mkdirSync(opts.root, { recursive: true });
    setChildSubreaper();
    startReaper();
    const runtime = new Runtime({ root: opts.root, cgroupParent: opts.cgroupParent, usernsDefault: opts.usernsDefault ?? 'host' });
    const ctx = { runtime, root: opts.root, socket: opts.socket, cgroupParent: opts.cgroupParent, resetHooks: [] };
    ctx.resetHooks.push(() => Promise.resolve(sweepOrphans(ctx)));
    const router = new Router();
    registerAll(router, ctx);
    const server = createApiServer(router);
    await listenUnix(server, opts.socket);
    const pidFile = join(opts.root, 'boxlabd.pid');
    writeFileSync(pidFile, `${process.pid}\n`);
    console.log(`boxlabd ${process.pid} listening on ${opts.socket} (state in ${opts.root}, cgroups under ${opts.cgroupParent})`);
    let stopping = false;
    const stop = async () => {
        if (stopping)
            return;
        stopping = true;
        server.close();
        server.closeAllConnections?.();
        await runtime.shutdown({ remove: false, final: true });
        sweepOrphans(ctx);
        rmSync(opts.socket, { force: true });
        rmSync(pidFile, { force: true });
        process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
}
//# sourceMappingURL=daemon.js.map