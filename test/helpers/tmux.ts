import { existsSync } from 'node:fs';
import { execa, execaSync } from 'execa';

/** tmux(1) is installed by vm/provision.sh; a machine without it skips the terminal tests (and says so). */
export const hasTmux = execaSync('sh', ['-c', 'command -v tmux'], { reject: false }).exitCode === 0;

/**
 * One pane of a private tmux server (its own socket name), for driving the real TUI in a real terminal:
 * read the screen, send keys, wait for text, and close it — waiting for the program in the pane to finish
 * its cleanup after the SIGHUP of a closed terminal.
 */
export function tmuxPane(name: string) {
  const server = ['-L', `boxlab-${name}-${process.pid}`];
  const tmux = (...args: string[]) => execa('tmux', [...server, ...args], { reject: false });
  const screen = async () => (await tmux('capture-pane', '-p', '-t', name)).stdout;
  const keys = (...k: string[]) => tmux('send-keys', '-t', name, ...k);
  return {
    tmux, screen, keys,
    start: (cmd: string, columns: number, rows: number) => tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), cmd),
    async waitFor(re: RegExp, ms = 30_000): Promise<string> {
      const end = Date.now() + ms;
      let last = '';
      while (Date.now() < end) {
        last = await screen();
        if (re.test(last)) return last;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`the screen never showed ${re}; it shows:\n${last}`);
    },
    /** one key, then wait until the screen changed: keys sent faster than ink renders can be lost */
    async press(key: string): Promise<void> {
      const before = await screen();
      await keys(key);
      for (let t = 0; t < 60 && (await screen()) === before; t++) await new Promise((r) => setTimeout(r, 50));
    },
    async close(): Promise<void> {
      const pane = (await tmux('display', '-p', '-t', name, '#{pane_pid}')).stdout.trim();
      const children = pane ? (await execa('pgrep', ['-P', pane], { reject: false })).stdout.split('\n').filter(Boolean) : [];
      await tmux('kill-server');
      for (let i = 0; i < 200 && children.some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 100));
    },
  };
}
