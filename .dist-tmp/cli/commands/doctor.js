import { location } from '../context.js';
export function register(program) {
    program.command('doctor')
        .description('check this machine for the lessons: kernel, namespaces, cgroups, overlay, iptables, tools, disk')
        .option('--problems', 'show only what is wrong')
        .option('--json', 'the full report as JSON')
        .action(async (o) => {
        const { runDoctor, formatDoctor } = await import('../../engine/doctor/index.js');
        const report = await runDoctor({ stateRoot: location(program).root });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report, { problemsOnly: o.problems ?? false })}\n`);
        if (!report.ok)
            process.exitCode = 1;
    });
}
//# sourceMappingURL=doctor.js.map