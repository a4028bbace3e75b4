import type { Command } from 'commander';
import { location } from '../context.js';
import { t } from '../../i18n/index.js';

export function register(program: Command): void {
  program.command('doctor')
    .description(t().hpDoctor)
    .option('--problems', t().hpDoctorProblems)
    .option('--json', t().hpDoctorJson)
    .action(async (o: { problems?: boolean; json?: boolean }) => {
      const { runDoctor, formatDoctor } = await import('../../engine/doctor/index.js');
      const report = await runDoctor({ stateRoot: location(program).root });
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report, { problemsOnly: o.problems ?? false })}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
