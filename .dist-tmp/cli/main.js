import { Command, CommanderError } from 'commander';
import { registerAll } from './commands/index.js';
import { ExitCode, finishTrace, reportError } from './context.js';
const program = new Command('boxlab')
    .description('an interactive course on how containers work, and the container runtime it drives')
    .version('0.1.0', '--version')
    .option('--socket <path>', 'daemon socket (env BOXLAB_SOCKET, default /run/boxlab/boxlab.sock)')
    .option('--root <dir>', 'state root (env BOXLAB_ROOT, default /var/lib/boxlab)')
    .option('--trace', 'print every syscall and host command the engine makes')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
registerAll(program);
async function main() {
    // `boxlab` alone opens the course (the TUI); everything else is a docker-style command.
    if (process.argv.length <= 2)
        process.argv.push('learn');
    try {
        await program.parseAsync(process.argv);
        await finishTrace();
    }
    catch (e) {
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
void main();
//# sourceMappingURL=main.js.map