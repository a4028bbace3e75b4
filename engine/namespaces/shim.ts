import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';

/**
 * The parent's side of boxlab-shim's start-up handshake (engine/shim/shim.c, docs/live-restore.md): the shim
 * clones the init into new namespaces and says its pid; once the container it is for is known (a warm shim
 * waits in the pool until then), it is told where the container's directory and log are, opens them, listens
 * on its socket and says "ready". From then on it needs nothing from the daemon.
 */
export const SHIM_PATH = fileURLToPath(new URL('../shim/boxlab-shim', import.meta.url));

/** The shim is used unless it was not built (no C compiler) or BOXLAB_SHIM=0 turns it off. */
export function shimAvailable(): boolean {
  return process.env.BOXLAB_SHIM !== '0' && existsSync(SHIM_PATH);
}

export interface ShimSetup {
  /** the container's state directory: the shim's cwd, where its socket and exit file live */
  dir: string;
  /** the json-file log's name inside `dir`; none for --log-driver none */
  logName?: string;
  /** keep the container's stdin open for attach (docker -i) */
  openStdin: boolean;
}

export class ShimControl {
  /** the init's pid in the host's pid namespace */
  readonly initPid: Promise<number>;
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private ended = false;

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.deliver(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    child.stdout?.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
    child.stdin?.on('error', () => undefined);
    this.initPid = this.expect('pid').then((rest) => Number(rest));
  }

  private deliver(line: string): void {
    const w = this.waiters.shift();
    if (w) w(line);
    else this.lines.push(line);
  }

  private next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined || this.ended) return Promise.resolve(line);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async expect(word: string): Promise<string> {
    const line = await this.next();
    if (line === undefined || !line.startsWith(word)) {
      throw new Error(`boxlab-shim (pid ${this.child.pid}) failed before "${word}"${line ? `: ${line}` : ''}`);
    }
    return line.slice(word.length).trim();
  }

  /** Hands the shim its container; resolves once its log is open and its socket listens. */
  async configure(setup: ShimSetup): Promise<void> {
    const lines = [`dir ${setup.dir}`, ...(setup.logName ? [`log ${setup.logName}`] : []), `stdin ${setup.openStdin ? 1 : 0}`, 'go'];
    this.child.stdin?.end(`${lines.join('\n')}\n`);
    await this.expect('ready');
  }

  /** A shim never taken: closing its control pipe makes it kill the waiting init and exit. */
  abandon(): void {
    this.child.stdin?.end();
  }
}

/** Field 22 of /proc/<pid>/stat: with the pid, it names one process for good (a recycled pid has another). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
