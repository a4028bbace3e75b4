import { ApiError } from '../../engine/client/client.js';
import { client, ExitCode, startExitCode } from '../context.js';
import { runSession } from '../session.js';
const collect = (value, previous = []) => [...previous, value];
export function register(program) {
    program.command('exec')
        .description('run a command inside a running container (joins all its namespaces and its cgroup)')
        .option('-i, --interactive', 'keep stdin open')
        .option('-t, --tty', 'allocate a pseudo-terminal')
        .option('-d, --detach', 'run in the background')
        .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect)
        .option('-w, --workdir <dir>', 'working directory inside the container')
        .option('-u, --user <uid[:gid]|name>', 'user to run as')
        .argument('<container>')
        .argument('<command...>')
        .passThroughOptions()
        .action(async (name, command, o) => {
        const c = await client(program);
        const body = {
            Cmd: command, Tty: o.tty ?? false, AttachStdin: (o.interactive ?? false) && !o.detach, AttachStdout: !o.detach, AttachStderr: !o.detach,
            Env: o.env ?? [], WorkingDir: o.workdir ?? '', User: o.user ?? '',
            ...(o.tty && process.stdout.isTTY && { ConsoleSize: [process.stdout.rows, process.stdout.columns] }),
        };
        const { Id } = await c.post(`/containers/${name}/exec`, body);
        const failed = (e) => {
            if (e instanceof ApiError) {
                process.stderr.write(`boxlab: ${e.message}\n`);
                throw new ExitCode(startExitCode(e.message));
            }
            throw e;
        };
        if (o.detach) {
            await c.post(`/exec/${Id}/start`, { Detach: true, Tty: o.tty ?? false }).catch(failed);
            return;
        }
        const session = await c.hijack(`/exec/${Id}/start`, { body: { Detach: false, Tty: o.tty ?? false } }).catch(failed);
        await runSession({ ...session, tty: o.tty ?? false, stdin: o.interactive ?? false, resizePath: `/exec/${Id}/resize`, client: c });
        // The stream ends when the output is drained; the exit code is recorded a moment later.
        for (let i = 0; i < 100; i++) {
            const info = await c.get(`/exec/${Id}/json`);
            if (!info.Running && info.ExitCode !== null) {
                if (info.ExitCode !== 0)
                    throw new ExitCode(info.ExitCode);
                return;
            }
            await new Promise((r) => setTimeout(r, 10));
        }
    });
}
//# sourceMappingURL=exec.js.map