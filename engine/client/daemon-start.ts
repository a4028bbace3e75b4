import { statePaths } from '../paths.js';
import { closeSync, mkdirSync, openSync, readFileSync, existsSync } from 'node:fs';
import { Client } from './client.js';
import { daemonAnswers, spawnDaemon } from './boxlabd.js';
import { UserError } from '../sys/errors.js';

export interface DaemonLocation {
  socket: string;
  root: string;
  cgroupParent?: string;
}

/** boxlabd is not running and could not be started for the learner; the message says what to do. */
export class DaemonStartError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 1 });
    this.name = 'DaemonStartError';
  }
}

function lastLines(path: string, n: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trim().split('\n').slice(-n).join(' | ');
}

/**
 * Returns a client for a running daemon, starting one in the background when the socket does not answer
 * (docker needs the daemon started by hand; boxlab does it for the learner).
 */
export async function connect(loc: DaemonLocation, opts: { autostart?: boolean } = {}): Promise<Client> {
  const client = new Client(loc.socket);
  if (await daemonAnswers(loc.socket)) return client;
  if (opts.autostart === false) throw new DaemonStartError(`boxlabd is not running on ${loc.socket}: start it with \`boxlab daemon\``);
  if (process.getuid?.() !== 0) {
    throw new DaemonStartError(`boxlabd is not running on ${loc.socket} and only root can start it: run boxlab with sudo`);
  }
  try {
    mkdirSync(loc.root, { recursive: true });
  } catch (e) {
    throw new DaemonStartError(`boxlabd is not running on ${loc.socket} and cannot start: its state root ${loc.root} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick another with --root`);
  }
  const logPath = statePaths(loc.root).log;
  const out = openSync(logPath, 'a');
  let exited: number | null = null;
  spawnDaemon(loc, out, (code) => (exited = code));
  closeSync(out);
  for (let i = 0; i < 100; i++) {
    if (await daemonAnswers(loc.socket)) return client;
    if (exited !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const why = lastLines(logPath, 2) || 'no output';
  throw new DaemonStartError(`boxlabd did not start (${why}); its log is ${logPath}`);
}
