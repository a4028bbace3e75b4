import type { Command } from 'commander';
import type { CourseContext } from '../../course/commands.js';
import type { DaemonTarget } from '../../course/env.js';
import { UserError } from '../../engine/sys/errors.js';
import { t } from '../../i18n/index.js';
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

/** --help of the commands for lesson authors and CI: English, like the lesson sources and lint's findings. */
const AUTHOR_HELP = {
  lint: 'validate every lesson file; problems as file:line (see docs/lesson-format.md)',
  stamp: "record that a lesson's lesson.zh.md matches its lesson.md as it is now (the parity lint then stops calling it stale)",
  tasks: "solve each lesson's tasks instead: checks must fail before the solution, pass after",
  seed: 'with --tasks: draw the task values from this seed',
  counterfactual: "also run each check with its step's actions skipped; fail on any that still passes (it proves nothing) unless it declares invariant:",
};

/** The course: lessons, lint, check, progress, learn, and `reset --lesson`. */
export function register(program: Command): void {
  const lessons = program.command('lessons')
    .description(t().hpLessons)
    .action(async () => exit((await course()).listLessonsCommand({ io })));
  lessons.command('lint')
    .description(AUTHOR_HELP.lint)
    .action(async () => exit((await course()).lintLessonsCommand({ io })));
  lessons.command('translate-stamp')
    .description(AUTHOR_HELP.stamp)
    .argument('<lesson>', t().hpLessonId)
    .action(async (id: string) => exit((await course()).translateStampCommand({ io }, id)));

  program.command('check')
    .description(t().hpCheck)
    .argument('[lessons...]', t().hpLessonIds)
    .option('--all', t().hpAllLessons)
    .option('--json', t().hpJson)
    .option('--show-trace', t().hpShowTrace)
    .option('--tasks', AUTHOR_HELP.tasks)
    .option('--seed <seed>', AUTHOR_HELP.seed)
    .option('--counterfactual', AUTHOR_HELP.counterfactual)
    .action(async (ids: string[], o: { all?: boolean; json?: boolean; showTrace?: boolean; tasks?: boolean; seed?: string; counterfactual?: boolean }) => {
      const signal = stopOnSignal();
      process.on('SIGPIPE', () => { stdoutOpen = false; });
      if (o.tasks) {
        exit(await (await import('../../course/tasks/commands.js')).tasksCheckCommand({ io, target: target(program) }, {
          ids, signal, ...(o.all !== undefined && { all: o.all }), ...(o.json !== undefined && { json: o.json }),
          ...(o.seed !== undefined && { seed: o.seed }),
        }));
        return;
      }
      exit(await (await course()).checkCommand({ io }, {
        ids, target: target(program), signal,
        ...(o.all !== undefined && { all: o.all }), ...(o.json !== undefined && { json: o.json }),
        ...(o.showTrace !== undefined && { trace: o.showTrace }),
        ...(o.counterfactual !== undefined && { counterfactual: o.counterfactual }),
      }));
    });

  program.command('progress')
    .description(t().hpProgress)
    .option('--export <file>', t().hpProgressExport)
    .action(async (o: { export?: string }) => exit((await course()).progressCommand({ io }, o.export !== undefined ? { exportTo: o.export } : {})));

  // the default command: `boxlab` alone opens the course. commander hands an unknown command word to the
  // default command, so a word that is not a lesson is reported as the typo it probably is.
  program.command('learn', { isDefault: true })
    .description(t().hpLearn)
    .argument('[lesson]', t().hpLessonId)
    // commander hands `boxlab pull alpine` to this default command as two words; say what is wrong with the
    // first word instead of commander's "too many arguments for 'learn'"
    .allowExcessArguments(true)
    .action(async (lesson: string | undefined, _opts: unknown, cmd: Command) => {
      if (cmd.args.length > 1) {
        throw new UserError(t().unknownCommand(lesson ?? ''));
      }
      if (lesson !== undefined) {
        const [{ loadLessons }, { lessonsDir }, { findLesson }] = await Promise.all([
          import('../../course/lint.js'), import('../../course/env.js'), import('../../course/find-lesson.js')]);
        const { lessons } = loadLessons(lessonsDir());
        const known = findLesson(lessons, lesson) !== undefined;
        if (!known) throw new UserError(t().unknownCommandOrLesson(lesson));
      }
      const { startTui } = await import('../../tui/index.js');
      exit(await startTui({ target: target(program), ...(lesson !== undefined && { lesson }) }));
    });

  // `boxlab reset` (system) removes the runtime's state; `--lesson X` forgets one lesson's progress instead.
  const reset = program.commands.find((c) => c.name() === 'reset') ?? program.command('reset').description(t().hpReset).action(() => {
    throw new ExitCode(0);
  });
  reset.option('--lesson <id>', t().hpResetLesson);
  reset.hook('preAction', async (cmd) => {
    const id = cmd.opts<{ lesson?: string }>().lesson;
    if (id === undefined) return;
    (await course()).resetLessonCommand({ io }, id);
    throw new ExitCode(0);
  });
}
