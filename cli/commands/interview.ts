import type { Command } from 'commander';
import type { InterviewContext } from '../../course/interview/commands.js';
import { ExitCode, location } from '../context.js';
import { stopOnSignal } from '../stop-signal.js';
import { langFromEnv } from '../../i18n/lang.js';

const io: InterviewContext['io'] = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

// loaded only for this command, like the course engine (cli/commands/course.ts)
const interview = () => import('../../course/interview/commands.js');

function exit(code: number): void {
  if (code !== 0) throw new ExitCode(code);
}

/** Interview practice: the question bank (interview/), its proofs, and the TUI's interview mode. */
export function register(program: Command): void {
  const cmd = program.command('interview')
    .description('interview practice: every question of the notes, answered by a live demo (opens the TUI)')
    .option('--list', 'list the questions with your marks')
    .option('--export <file>', 'write a printable Markdown sheet of questions and model answers')
    .option('--lang <lang>', 'zh or en (default: boxlab --lang, BOXLAB_LANG, else the locale)')
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
    .description('validate the question bank: sections, proof ids, every question of the notes present')
    .action(async () => exit((await interview()).lintInterviewCommand({ io })));
  cmd.command('check')
    .description('run the questions\' proofs (lesson steps and demos) headless; exit 0 only if all pass')
    .argument('[questions...]', 'question ids (or sources like 003:1§21)')
    .option('--all', 'every question')
    .option('--json', 'one JSON report on stdout')
    .option('--own-demos', "only the questions' own demos (the lessons' steps are proven by `boxlab check`)")
    .option('--lessons-report <file>', 'read the lesson-step proofs from `boxlab check --all --json` output instead of running the lessons again (the demos still run)')
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
    .description('the step ids of a lesson, as a proof names them (LESSON#STEP-ID)')
    .argument('<lesson>', 'lesson id (01-uts, or just 01)')
    .action(async (lesson: string) => exit((await interview()).stepsInterviewCommand({ io }, lesson)));
}
