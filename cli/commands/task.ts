import type { Command } from 'commander';
import type { TaskContext } from '../../course/tasks/commands.js';
import { UserError } from '../../engine/sys/errors.js';
import { t } from '../../i18n/index.js';
import { ExitCode, location } from '../context.js';

const io: TaskContext['io'] = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

// loaded only for `boxlab task ...`, like the course commands
const tasks = () => import('../../course/tasks/commands.js');

function ctx(program: Command): TaskContext {
  const loc = location(program);
  return { io, target: { socket: loc.socket, root: loc.root } };
}

function taskNo(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(t().tkBadNumber(v));
  return n;
}

function exit(code: number): void {
  if (code !== 0) throw new ExitCode(code);
}

/** `boxlab task ...`: tasks the learner solves by hand, checked on the kernel (lessons/<id>/tasks.md). */
export function register(program: Command): void {
  const task = program.command('task')
    .description(t().hpTask)
    .argument('<lesson>', t().hpTaskLesson)
    .option('--task <n>', t().hpTaskN)
    .action(async (lesson: string, o: { task?: string }) => exit((await tasks()).taskShowCommand(ctx(program), lesson, taskNo(o.task))));
  const sub = (name: string, description: string) => task.command(name).description(description)
    .argument('<lesson>', t().hpLessonId).option('--task <n>', t().hpTaskWhich);
  sub('start', t().hpTaskStart)
    .action(async (lesson: string, o: { task?: string }) => exit(await (await tasks()).taskStartCommand(ctx(program), lesson, taskNo(o.task))));
  sub('check', t().hpTaskCheck)
    .action(async (lesson: string, o: { task?: string }) => exit(await (await tasks()).taskCheckCommand(ctx(program), lesson, taskNo(o.task))));
  sub('hint', t().hpTaskHint)
    .action(async (lesson: string, o: { task?: string }) => exit((await tasks()).taskHintCommand(ctx(program), lesson, taskNo(o.task))));
  sub('solution', t().hpTaskSolution)
    .option('--run', t().hpTaskRun)
    .action(async (lesson: string, o: { task?: string; run?: boolean }) => exit(await (await tasks()).taskSolutionCommand(ctx(program), lesson, {
      ...(taskNo(o.task) !== undefined && { taskNo: taskNo(o.task)! }), ...(o.run !== undefined && { run: o.run }),
    })));
}
