import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from './client.js';

/**
 * The one seam between "a client" and "the daemon process": whether a boxlabd answers on a socket, and how
 * to start one. The CLI's autostart (daemon-start.ts) and the daemon's own "is another one running?" check
 * (daemon/daemon.ts) both come here, so neither reaches into the other's room: the daemon does not build a
 * client, and the engine never spawns the CLI (it starts engine/daemon/main.js, boxlabd's own entry point).
 */

const BOXLABD_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));

/** true when a boxlabd answers `GET /_ping` on `socket`. */
export function daemonAnswers(socket: string): Promise<boolean> {
  return new Client(socket).ping();
}

export interface DaemonArgs {
  root: string;
  socket: string;
  cgroupParent?: string;
}

/** boxlabd's command line, as engine/daemon/main.ts parses it. */
export function daemonArgv(a: DaemonArgs): string[] {
  return ['--root', a.root, '--socket', a.socket, ...(a.cgroupParent ? ['--cgroup-parent', a.cgroupParent] : [])];
}

/** Starts boxlabd in the background, its output appended to `logFd`; resolves nothing, watch it with `onExit`. */
export function spawnDaemon(a: DaemonArgs, logFd: number, onExit: (code: number) => void): void {
  const child = spawn(process.execPath, [BOXLABD_MAIN, ...daemonArgv(a)], { detached: true, stdio: ['ignore', logFd, logFd] });
  child.on('exit', (code) => onExit(code ?? 1));
  child.unref();
}
