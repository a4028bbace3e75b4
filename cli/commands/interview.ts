import type { Command } from 'commander';
import type { InterviewContext } from '../../course/interview/commands.js';
import { ExitCode, location } from '../context.js';
import { stopOnSignal } from '../stop-signal.js';
import { langFromEnv, t } from '../../i18n/index.js';

const io: InterviewContext['io'] = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

// loaded only for this command, like the course engine (cli/commands/course.ts)
const interview = () => import('../../course/interview/commands.js');

function exit(code: number): void {
  if (code !== 0) throw new ExitCode(code);
}

/** --help of the question authors' and CI's commands: English, like lint's findings. */
const AUTHOR_HELP = {
  lint: 'validate the question bank: sections, proof ids, every question of the notes present',
  lessonsReport: 'read the lesson-step proofs from `boxlab check --all --json` output instead of running the lessons again (the demos still run)',
  steps: 'the step ids of a lesson, as a proof names them (LESSON#STEP-ID)',
  stepsLesson: 'lesson id (01-uts, or just 01)',
};

/** Interview practice: the question bank (interview/), its proofs, and the TUI's interview mode. */
export function register(program: Command): void {
  const cmd = program.command('interview')
    .description(t().hpInterview)
    .option('--list', t().hpIvList)
    .option('--export <file>', t().hpIvExport)
    .option('--lang <lang>', t().hpIvLang)
    .action(async (o: { list?: boolean; export?: string; lang?: string }) => {
      const m = await interview();
      // the course's language choice (i18n/lang.ts) unless this command is given its own
      const lang = m.parseLang(o.lang ?? langFromEnv());
      if (o.export !== undefined) return exit(m.exportInterviewCommand({ io }, o.export, lang));
      if (o.list) return exit(m.listInterviewCommand({ io }, lang));
      const loc = location(program);
      const { startInterviewTui } = await import('../../tui/interview-entry.js');
      exit(await startInterviewTui({ target: { socket: loc.socket, root: loc.root }, lang }));
    });
  cmd.command('lint')
    .description(AUTHOR_HELP.lint)
    .action(async () => exit((await interview()).lintInterviewCommand({ io })));
  cmd.command('check')
    .description(t().hpIvCheck)
    .argument('[questions...]', t().hpIvIds)
    .option('--all', t().hpIvAll)
    .option('--json', t().hpJson)
    .option('--own-demos', t().hpIvOwnDemos)
    .option('--lessons-report <file>', AUTHOR_HELP.lessonsReport)
    .action(async (ids: string[], o: { all?: boolean; json?: boolean; ownDemos?: boolean; lessonsReport?: string }) => {
      const signal = stopOnSignal();
      const loc = location(program);
      exit(await (await interview()).checkInterviewCommand({ io }, {
        ids, target: { socket: loc.socket, root: loc.root }, signal,
        ...(o.all !== undefined && { all: o.all }), ...(o.json !== undefined && { json: o.json }),
        ...(o.ownDemos !== undefined && { ownDemosOnly: o.ownDemos }),
        ...(o.lessonsReport !== undefined && { lessonsReport: o.lessonsReport }),
      }));
    });
  cmd.command('steps')
    .description(AUTHOR_HELP.steps)
    .argument('<lesson>', AUTHOR_HELP.stepsLesson)
    .action(async (lesson: string) => exit((await interview()).stepsInterviewCommand({ io }, lesson)));
}
