import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { HOT_COMMANDS, commandWord } from '../cli/commands/hot.js';

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
});
