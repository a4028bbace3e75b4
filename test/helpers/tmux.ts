import { existsSync } from 'node:fs';
import { execa, execaSync } from 'execa';

// vm/provision.sh installs tmux; a machine without it skips (and says so) rather than failing
export const hasTmux = execaSync('sh', ['-c', 'command -v tmux'], { reject: false }).exitCode === 0;

/** A private tmux server (its own socket name) with one session: a real terminal for TUI tests. */
export function tmuxTerminal(server: string, session: string) {
  const flags = ['-L', server];
  const tmux = (...args: string[]) => execa('tmux', [...flags, ...args], { reject: false });
  const screen = async () => (await tmux('capture-pane', '-p', '-t', session)).stdout;
  const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);

  async function waitFor(re: RegExp, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    let last = '';
    while (Date.now() < end) {
      last = await screen();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`the screen never showed ${re}; it shows:\n${last}`);
  }

  /** Starts `command` in a detached session of the given size. */
  const start = (command: string, columns = 80, rows = 24) => tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command);

  /** Closes the terminal (SIGHUP: the TUI cleans its lesson up) and waits for the TUI's processes to exit. */
  async function close(): Promise<void> {
    const pane = (await tmux('display', '-p', '-t', session, '#{pane_pid}')).stdout.trim();
    const children = pane ? (await execa('pgrep', ['-P', pane], { reject: false })).stdout.split('\n').filter(Boolean) : [];
    await tmux('kill-server');
    for (let i = 0; i < 200 && children.some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 100));
  }

  return { tmux, screen, keys, waitFor, start, close };
}
