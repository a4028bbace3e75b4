import { existsSync } from 'node:fs';
import { execa, execaSync } from 'execa';

/** vm/provision.sh installs tmux; a machine without it skips the terminal tests (and says so) rather than failing */
export const hasTmux = execaSync('sh', ['-c', 'command -v tmux'], { reject: false }).exitCode === 0;

export interface TmuxTerminal {
  tmux(...args: string[]): ReturnType<typeof execa>;
  screen(): Promise<string>;
  keys(...k: string[]): Promise<unknown>;
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** the screen once two captures in a row agree (ink erases before it redraws: a capture may fall between) */
  settled(): Promise<string>;
  /** sends a key, waits for the screen to change and settle, so keys never overtake the drawing */
  press(key: string): Promise<string>;
  /** closes the terminal (SIGHUP to the TUI, which cleans its lesson up) and waits for its processes to end */
  close(): Promise<void>;
}

export interface TmuxSession extends TmuxTerminal {
  /** starts `command` in a detached `columns`×`rows` terminal */
  start(command: string, columns: number, rows: number): ReturnType<typeof execa>;
}

/** A private tmux server (its own socket name) with one session, started later with `start`. */
export function tmuxSession(name: string): TmuxSession {
  const server = ['-L', `${name}-${process.pid}`];
  const tmux = (...args: string[]) => execa('tmux', [...server, ...args], { reject: false });
  const screen = async () => String((await tmux('capture-pane', '-p', '-t', 'tui')).stdout);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const settled = async () => {
    let last = await screen();
    for (let t = 0; t < 40; t++) {
      await pause(60);
      const now = await screen();
      if (now === last && now.trim() !== '') return now;
      last = now;
    }
    return last;
  };
  return {
    tmux,
    screen,
    start: (command, columns, rows) => tmux('new-session', '-d', '-s', 'tui', '-x', String(columns), '-y', String(rows), command),
    keys: (...k) => tmux('send-keys', '-t', 'tui', ...k),
    settled,
    async waitFor(re, ms = 30_000) {
      const end = Date.now() + ms;
      let last = '';
      while (Date.now() < end) {
        last = await screen();
        if (re.test(last)) return last;
        await pause(100);
      }
      throw new Error(`the screen never showed ${re}; it shows:\n${last}`);
    },
    async press(key) {
      const before = await settled();
      await tmux('send-keys', '-t', 'tui', key);
      for (let t = 0; t < 60 && (await screen()) === before; t++) await pause(50);
      return settled();
    },
    async close() {
      const pane = String((await tmux('display', '-p', '-t', 'tui', '#{pane_pid}')).stdout).trim();
      const children = pane ? String((await execa('pgrep', ['-P', pane], { reject: false })).stdout).split('\n').filter(Boolean) : [];
      await tmux('kill-server');
      for (let i = 0; i < 200 && children.some((p) => existsSync(`/proc/${p}`)); i++) await pause(100);
    },
  };
}

/** A private tmux server running `command` in a `columns`×`rows` terminal. */
export async function openTerminal(name: string, columns: number, rows: number, command: string): Promise<TmuxTerminal> {
  const t = tmuxSession(name);
  const r = await t.start(command, columns, rows);
  if (r.exitCode !== 0) throw new Error(`tmux new-session failed: ${String(r.stderr)}`);
  return t;
}
