import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { CLONE, closeFd, host, openPath, setns, unshare } from '../engine/sys/index.js';

/**
 * The test worker's main thread moves into a throwaway network namespace that plays "the host": every `ip`,
 * `iptables`, `sysctl` the engine spawns afterwards runs there (docs/architecture.md, "Namespaces from Node"), so the machine's own links and
 * rules are never touched. Leaving switches back; the namespace dies with the last process inside it.
 */
export function enterThrowawayHost(): () => void {
  const original = openPath('/proc/self/ns/net');
  unshare(CLONE.NEWNET);
  return () => {
    setns(original, CLONE.NEWNET, '/proc/self/ns/net (saved)');
    closeFd(original);
  };
}

/** "Containers": processes in their own network namespace, killed by pid at the end. */
export class FakeContainers {
  private readonly children = new Map<number, ChildProcess>();

  async start(cmd: string[] = ['sleep', '600']): Promise<number> {
    const child = spawn('unshare', ['--net', ...cmd], { stdio: 'ignore' });
    const pid = child.pid;
    if (pid === undefined) throw new Error('unshare did not start');
    this.children.set(pid, child);
    const mine = readlinkSync('/proc/self/ns/net');
    for (let i = 0; i < 200; i++) {
      try {
        if (readlinkSync(`/proc/${pid}/ns/net`) !== mine) return pid;
      } catch {
        // not there yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`fake container ${pid} never got its own network namespace`);
  }

  async stop(pid: number): Promise<void> {
    const child = this.children.get(pid);
    if (!child) return;
    this.children.delete(pid);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(pid, 'SIGKILL');
    await exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((pid) => this.stop(pid)));
  }
}

export const netns = (pid: number): string => `/proc/${pid}/ns/net`;

/** Runs a command inside a fake container's network namespace; returns exit code and output. */
export async function inside(pid: number, cmd: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return host('nsenter', [`--net=${netns(pid)}`, ...cmd], { allowFailure: true, timeoutMs: 10_000 });
}

/** iptables rules as the leak check sees them, minus table headers and built-in chain counters. */
export async function iptablesRules(): Promise<string[]> {
  const out = (await host('iptables-save', [])).stdout.split('\n');
  return out.filter((l) => l.startsWith('-A ') || (l.startsWith(':') && !/^:(PREROUTING|INPUT|OUTPUT|FORWARD|POSTROUTING) /.test(l))).sort();
}

export async function links(): Promise<string[]> {
  return (await host('ip', ['-br', 'link'])).stdout.split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter(Boolean).sort();
}
