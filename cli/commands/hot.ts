import type { Command } from 'commander';

/**
 * The commands typed most, each with the one group module that defines it, so that `boxlab run` or
 * `boxlab ps` loads that group only instead of every group (the course, the classroom, the interview...).
 * Node compiles every module it loads on every start and nothing is cached between runs on Node 20: the
 * client's start is the CLI's biggest fixed cost (docs/performance.md). Any other word, `--help`, or no
 * command at all registers every group, as before. test/cli-hot.test.ts checks each entry against its module.
 */
type Group = () => Promise<{ register: (program: Command) => void }>;
const run: Group = () => import('./run.js');
const containers: Group = () => import('./containers.js');
const exec: Group = () => import('./exec.js');

export const HOT_COMMANDS: Record<string, Group> = {
  run, create: run,
  ps: containers, start: containers, stop: containers, rm: containers, wait: containers, logs: containers, kill: containers,
  exec,
};

/** Global options that take a value: what follows them is not the command word. */
const VALUED = new Set(['--socket', '--root', '--lang']);

/** The command word of argv (after node and the script), or undefined when options hide it. */
export function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUED.has(a)) i++;
    else if (a === '--help' || a === '-h') return undefined;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function registerCommands(program: Command, args: string[]): Promise<void> {
  const word = commandWord(args);
  const hot = word !== undefined && Object.hasOwn(HOT_COMMANDS, word) ? HOT_COMMANDS[word] : undefined;
  if (hot && !args.includes('--help') && !args.includes('-h')) (await hot()).register(program);
  else (await import('./index.js')).registerAll(program);
  acceptLangAfterCommand(program);
}

/**
 * `boxlab check --lang zh 01-uts` (as docs/lesson-format.md writes it) as well as `boxlab --lang zh check`:
 * with positional options the program's own --lang is only read before the command word, so every command
 * takes it too. The nearest one wins (see langOption); `run`/`exec` pass what follows the image through.
 */
function acceptLangAfterCommand(cmd: Command): void {
  for (const sub of cmd.commands) {
    if (!sub.options.some((o) => o.long === '--lang')) {
      sub.option('--lang <lang>', 'language of the course: zh or en (as boxlab --lang)');
      LANG_ADDED.add(sub);
    }
    acceptLangAfterCommand(sub);
  }
}

/** Commands given the program's --lang here; a command with a --lang of its own (interview) reads it itself. */
const LANG_ADDED = new WeakSet<Command>();

/** The --lang given nearest to the command that runs (`check --lang zh`), else the program's (`--lang zh check`). */
export function langOption(action: Command): string | undefined {
  for (let c: Command | null = action; c; c = c.parent) {
    if (c.parent && !LANG_ADDED.has(c)) continue;
    const lang = c.opts<{ lang?: string }>().lang;
    if (lang !== undefined) return lang;
  }
  return undefined;
}
