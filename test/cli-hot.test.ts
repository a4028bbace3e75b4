import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { HOT_COMMANDS, commandWord, langOption, registerCommands } from '../cli/commands/hot.js';

// The CLI's lazy command table (cli/commands/hot.ts): each hot word must be defined by the group it loads,
// or `boxlab <word>` would say "unknown command".
describe('hot command table', () => {
  for (const [word, load] of Object.entries(HOT_COMMANDS)) {
    it(`${word} is defined by the group it loads`, async () => {
      const program = new Command('boxlab').enablePositionalOptions();
      (await load()).register(program);
      expect(program.commands.map((c) => c.name())).toContain(word);
    });
  }

  it('finds the command word after global options', () => {
    expect(commandWord(['--root', '/x', '--trace', 'run', '-d', 'busybox'])).toBe('run');
    expect(commandWord(['--socket', 's', 'ps'])).toBe('ps');
    expect(commandWord(['--help'])).toBeUndefined();
    expect(commandWord([])).toBeUndefined();
  });

  // docs/lesson-format.md §8 writes `boxlab check --lang zh 01-uts`; `boxlab --lang zh check` works too.
  // `run busybox echo --lang zh` must still hand --lang to the container's command.
  for (const args of [['--lang', 'zh', 'check', '01-uts'], ['check', '--lang', 'zh', '01-uts'], ['lessons', 'lint', '--lang', 'zh'], ['run', 'busybox', 'echo', '--lang', 'zh']]) {
    it(`boxlab ${args.join(' ')}: --lang ${args[0] === 'run' ? 'goes to the container' : 'is read'}`, async () => {
      const program = new Command('boxlab').enablePositionalOptions().option('--lang <lang>').exitOverride();
      await registerCommands(program, args);
      let seen: { lang?: string; args: string[] } | undefined;
      program.hook('preAction', (_p, action) => { seen = { lang: langOption(action), args: action.args }; throw new Error('stop before the action'); });
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow('stop before the action');
      if (args[0] === 'run') {
        expect(seen?.lang).toBeUndefined();
        expect(seen?.args).toEqual(['busybox', 'echo', '--lang', 'zh']);
      } else expect(seen?.lang).toBe('zh');
    });
  }

  it('leaves a command\'s own --lang to the command (interview checks its value itself)', async () => {
    const args = ['interview', '--list', '--lang', 'fr'];
    const program = new Command('boxlab').enablePositionalOptions().option('--lang <lang>').exitOverride();
    await registerCommands(program, args);
    let seen: string | undefined = 'unset';
    program.hook('preAction', (_p, action) => { seen = langOption(action); throw new Error('stop before the action'); });
    await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow('stop before the action');
    expect(seen).toBeUndefined();
  });
});
