import type { Command } from 'commander';
import type { CourseContext } from '../../course/commands.js';
import type { DaemonTarget } from '../../course/env.js';
import { UserError } from '../../engine/sys/errors.js';
import { ExitCode, location } from '../context.js';
import { stopOnSignal } from '../stop-signal.js';

// `boxlab check | head` closes stdout early; the lesson must still run its cleanup, so writes stop quietly.
let stdoutOpen = true;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutOpen = false;
});
const io: CourseContext['io'] = {
  out: (line) => { if (stdoutOpen) process.stdout.write(`${line}\n`); },
  err: (line) => process.stderr.write(`${line}\n`),
};

function target(program: Command): DaemonTarget {
  const loc = location(program);
  return { socket: loc.socket, root: loc.root };
}

// The course engine (parser, zod schemas, runner) loads only for the course's own commands: every other
// command would otherwise pay ~200 ms of imports at start.
const course = () => import('../../course/commands.js');

function exit(code: number): void {
  if (code !== 0) throw new ExitCode(code);
}

/** The course: lessons, lint, check, progress, learn, and `reset --lesson`. */
export function register(program: Command): void {
  const lessons = program.command('lessons')
    .description('list the lessons with your progress (✓ done, ◐ started)')
    .action(async () => exit((await course()).listLessonsCommand({ io })));
  lessons.command('lint')
    .description('validate every lesson file; problems as file:line (see docs/lesson-format.md)')
    .action(async () => exit((await course()).lintLessonsCommand({ io })));
  lessons.command('translate-stamp')
    .description("record that a lesson's lesson.zh.md matches its lesson.md as it is now (the parity lint then stops calling it stale)")
    .argument('<lesson>', 'lesson id')
    .action(async (id: string) => exit((await course()).translateStampCommand({ io }, id)));

  program.command('check')
    .description('run lessons headless and print each check with what it proves; exit 0 only if all pass')
    .argument('[lessons...]', 'lesson ids (01-uts, or just uts)')
    .option('--all', 'every lesson')
    .option('--json', 'one JSON report on stdout')
    .option('--show-trace', "print the engine's trace under each step")
    .action(async (ids: string[], o: { all?: boolean; json?: boolean; showTrace?: boolean }) => {
      const signal = stopOnSignal();
      process.on('SIGPIPE', () => { stdoutOpen = false; });
      exit(await (await course()).checkCommand({ io }, {
        ids, target: target(program), signal,
        ...(o.all !== undefined && { all: o.all }), ...(o.json !== undefined && { json: o.json }),
        ...(o.showTrace !== undefined && { trace: o.showTrace }),
      }));
    });

  program.command('progress')
    .description('your progress through the course')
    .option('--export <file>', 'write it as JSON (for an instructor)')
    .action(async (o: { export?: string }) => exit((await course()).progressCommand({ io }, o.export !== undefined ? { exportTo: o.export } : {})));

  // the default command: `boxlab` alone opens the course. commander hands an unknown command word to the
  // default command, so a word that is not a lesson is reported as the typo it probably is.
  program.command('learn', { isDefault: true })
    .description('open the course (a lesson directly if named); also what `boxlab` alone does')
    .argument('[lesson]', 'lesson id')
    .action(async (lesson: string | undefined) => {
      if (lesson !== undefined) {
        const [{ loadLessons }, { lessonsDir }] = await Promise.all([import('../../course/lint.js'), import('../../course/env.js')]);
        const { lessons } = loadLessons(lessonsDir());
        const known = lessons.some((l) => l.meta.id === lesson || l.meta.id.startsWith(`${lesson}-`) || l.meta.id.split('-').slice(1).join('-') === lesson);
        if (!known) throw new UserError(`"${lesson}" is neither a command nor a lesson — boxlab --help lists commands, boxlab lessons the lessons`);
      }
      const { startTui } = await import('../../tui/index.js');
      exit(await startTui({ target: target(program), ...(lesson !== undefined && { lesson }) }));
    });

  // `boxlab reset` (system) removes the runtime's state; `--lesson X` forgets one lesson's progress instead.
  const reset = program.commands.find((c) => c.name() === 'reset') ?? program.command('reset').description('reset course progress').action(() => {
    throw new ExitCode(0);
  });
  reset.option('--lesson <id>', "forget one lesson's progress (containers and the rest are left alone)");
  reset.hook('preAction', async (cmd) => {
    const id = cmd.opts<{ lesson?: string }>().lesson;
    if (id === undefined) return;
    (await course()).resetLessonCommand({ io }, id);
    throw new ExitCode(0);
  });
}
