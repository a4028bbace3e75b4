import { ApiError } from '../../engine/client/client.js';
import { client, ExitCode, startExitCode } from '../context.js';
import { runSession } from '../session.js';
import { addRunFlags, toCreateConfig } from './run-flags.js';
async function readJson(res) {
    const chunks = [];
    for await (const c of res)
        chunks.push(c);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
/** docker run and create exit 125 when the daemon refuses to create the container. */
async function createContainer(c, cfg, name) {
    try {
        return await c.post('/containers/create', cfg, { name });
    }
    catch (e) {
        if (e instanceof ApiError) {
            process.stderr.write(`Error response from daemon: ${e.message}\n`);
            throw new ExitCode(125);
        }
        throw e;
    }
}
/**
 * `run` and `create`: IMAGE [COMMAND...] with docker's flags, which stop at the image (what follows belongs to
 * the container's command); only --help for help, since -h is --hostname.
 */
function imageCommand(program, name, description) {
    return addRunFlags(program.command(name).description(description).helpOption('--help', 'show help')
        .argument('<image>').argument('[command...]').passThroughOptions());
}
export function register(program) {
    imageCommand(program, 'create', 'create a container without starting it').action(async (image, command, flags) => {
        const c = await client(program);
        const cfg = toCreateConfig(image, command, flags);
        const { Id } = await createContainer(c, cfg, flags.name);
        process.stdout.write(`${Id}\n`);
    });
    imageCommand(program, 'run', 'create and start a container (docker run)').action(async (image, command, flags) => {
        const c = await client(program);
        const cfg = toCreateConfig(image, command, flags);
        const { Id } = await createContainer(c, cfg, flags.name);
        const startFailed = async (e) => {
            if (e instanceof ApiError) {
                process.stderr.write(`boxlab: ${e.message}\n`);
                if (flags.rm)
                    await c.call('DELETE', `/containers/${Id}`, { query: { force: 1 } }).catch(() => undefined);
                throw new ExitCode(startExitCode(e.message));
            }
            throw e;
        };
        if (flags.detach) {
            await c.post(`/containers/${Id}/start`).catch(startFailed);
            process.stdout.write(`${Id}\n`);
            return;
        }
        const attach = await c.hijack(`/containers/${Id}/attach`, { query: { stream: 1, stdin: flags.interactive ?? false, stdout: 1, stderr: 1 } });
        const waiting = await c.stream('POST', `/containers/${Id}/wait`, { query: { condition: flags.rm ? 'removed' : 'next-exit' } });
        await c.post(`/containers/${Id}/start`).catch(async (e) => {
            attach.socket.destroy();
            waiting.destroy();
            return startFailed(e);
        });
        const how = await runSession({ ...attach, tty: flags.tty ?? false, stdin: flags.interactive ?? false, resizePath: `/containers/${Id}/resize`, client: c });
        if (how === 'detached') {
            waiting.destroy();
            return;
        }
        const result = await readJson(waiting);
        if (result.StatusCode !== 0)
            throw new ExitCode(result.StatusCode);
    });
}
//# sourceMappingURL=run.js.map