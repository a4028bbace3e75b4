import { VERSION } from '../engine/version.js';

// The thin entry (docs/performance.md): `boxlab --version` answers before anything else is loaded; every
// other command loads commander, and `registerCommands` only the command group it needs.
if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  await main();
}

async function main(): Promise<void> {
  const [{ Command, CommanderError }, { registerCommands, langOption }, { ExitCode, finishTrace, reportError }, { UserError }, { parseLang }] = await Promise.all([
    import('commander'), import('./commands/hot.js'), import('./context.js'), import('../engine/sys/errors.js'), import('../i18n/lang.js'),
  ]);
  const program = new Command('boxlab')
    .description('an interactive course on how containers work, and the container runtime it drives')
    .version(VERSION, '--version')
    .option('--socket <path>', 'daemon socket (env BOXLAB_SOCKET, default /run/boxlab/boxlab.sock)')
    .option('--root <dir>', 'state root (env BOXLAB_ROOT, default /var/lib/boxlab)')
    .option('--trace', 'print every syscall and host command the engine makes')
    .option('--lang <lang>', 'language of the course: zh or en (env BOXLAB_LANG, else the locale, LANG=zh_CN.UTF-8 → zh)')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  // --lang is handed on as BOXLAB_LANG, so the course, the TUI and the daemon-less commands read one setting
  program.hook('preAction', (_program, action) => {
    const lang = langOption(action);
    if (lang === undefined) return;
    const chosen = parseLang(lang);
    if (!chosen) throw new UserError(`--lang ${lang}: use --lang zh (中文) or --lang en`);
    process.env.BOXLAB_LANG = chosen;
  });

  // `boxlab` alone opens the course (the TUI); everything else is a docker-style command.
  if (process.argv.length <= 2) process.argv.push('learn');

  // The message catalogue's current language (i18n t()). The commands' --help texts are read when they are
  // registered, before commander has parsed --lang, so it is taken from argv here; the hook runs after the one
  // above (hooks run in order) and sets it from BOXLAB_LANG for whatever the command prints.
  const { langFromEnv, parseLang: langOf, setLang } = await import('../i18n/index.js');
  const langAt = process.argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const langArg = langAt < 0 ? undefined : process.argv[langAt]!.includes('=') ? process.argv[langAt]!.slice('--lang='.length) : process.argv[langAt + 1];
  setLang(langOf(langArg) ?? langFromEnv());
  program.hook('preAction', () => setLang(langFromEnv()));
  await registerCommands(program, process.argv.slice(2));
  try {
    await program.parseAsync(process.argv);
    await finishTrace();
  } catch (e) {
    await finishTrace();
    if (e instanceof CommanderError) {
      // help and version are "errors" to commander; usage mistakes exit 125 as docker's do
      process.exitCode = e.exitCode === 0 ? 0 : 125;
      return;
    }
    if (e instanceof ExitCode) {
      process.exitCode = e.code;
      return;
    }
    process.exitCode = reportError(e);
  }
  // Streams to the daemon may keep the loop alive; a command that finished is done.
  setImmediate(() => process.exit());
}
