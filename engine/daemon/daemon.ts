import { statePaths } from '../paths.js';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { setChildSubreaper } from '../sys/calls.js';
import { Runtime } from '../containers/runtime.js';
import { daemonAnswers } from '../client/boxlabd.js';
import { cgroupParentFor } from '../paths.js';
import { Router } from './router.js';
import { createApiServer, listenUnix } from './server.js';
import { registerAll } from './routes/index.js';
import type { DaemonContext } from './context.js';
import { sweepOrphans } from './sweep.js';
import { startReaper } from './reaper.js';
import { ClusterConnection, parseClusterStore, setClusterConnection } from '../network/cluster/index.js';
import { parseIp } from '../network/ipv4.js';
import { UserError } from '../sys/index.js';

export interface DaemonOptions {
  root: string;
  socket: string;
  /** default: `boxlab`, or `boxlab-<hash>` for another root (engine/paths.ts) */
  cgroupParent?: string;
  /** docker's --userns-remap */
  usernsDefault?: 'host' | 'remap';
  /** overlay networks: the cluster store (`etcd://HOST:PORT[,…]`) and this host's underlay address */
  clusterStore?: string;
  clusterAdvertise?: string;
}

/**
 * boxlabd: owns all state, starts every container under its own boxlab-shim (and is the subreaper of those it
 * starts without one), and serves the Engine API on a unix socket. On SIGTERM/SIGINT it stops the containers
 * that have no shim and leaves the others running (docker's live-restore), then leaves.
 */
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const cgroupParent = opts.cgroupParent ?? process.env.BOXLAB_CGROUP_PARENT ?? cgroupParentFor(opts.root);
  if (await daemonAnswers(opts.socket)) {
    throw new Error(`another boxlabd already answers on ${opts.socket}`);
  }
  if (opts.clusterStore !== undefined) {
    parseClusterStore(opts.clusterStore);
    if (!opts.clusterAdvertise || parseIp(opts.clusterAdvertise) === undefined) {
      throw new UserError('--cluster-store needs --cluster-advertise IP: this host\'s address on the underlay, where other hosts send VXLAN packets');
    }
  }
  mkdirSync(opts.root, { recursive: true });
  setChildSubreaper();
  startReaper();
  const runtime = new Runtime({ root: opts.root, cgroupParent, usernsDefault: opts.usernsDefault ?? 'host' });
  const cluster = opts.clusterStore !== undefined ? new ClusterConnection(opts.clusterStore, opts.clusterAdvertise!) : undefined;
  if (cluster) setClusterConnection(runtime.network(), cluster);
  const ctx: DaemonContext = { runtime, root: opts.root, socket: opts.socket, cgroupParent, resetHooks: [] };
  ctx.resetHooks.push(() => Promise.resolve(sweepOrphans(ctx)));
  const router = new Router();
  registerAll(router, ctx);
  const server = createApiServer(router);
  await listenUnix(server, opts.socket);
  const { pidFile } = statePaths(opts.root);
  writeFileSync(pidFile, `${process.pid}\n`);
  console.log(`boxlabd ${process.pid} listening on ${opts.socket} (state in ${opts.root}, cgroups under ${cgroupParent})`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections?.();
    // live restore (docker's live-restore: true) unless BOXLAB_LIVE_RESTORE=0: supervised containers stay up
    await runtime.shutdown({ remove: false, final: true, liveRestore: process.env.BOXLAB_LIVE_RESTORE !== '0' });
    await cluster?.close().catch(() => undefined);
    sweepOrphans(ctx);
    rmSync(opts.socket, { force: true });
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
