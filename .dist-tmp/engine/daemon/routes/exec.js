import { UserError } from '../../sys/errors.js';
import { ProcessIO } from '../../containers/io.js';
import { switchProtocols } from '../server.js';
import { bufferIO, pipeIO } from '../stream.js';
export function register(router, ctx) {
    const execs = ctx.runtime.execs;
    router.add('POST', '/containers/{id}/exec', ({ params, body }) => {
        if (typeof body !== 'object' || body === null)
            throw new UserError('exec needs a JSON body with {"Cmd": [...]}');
        const exec = execs.create(params.id, body);
        return { status: 201, json: { Id: exec.ID } };
    });
    // Detached start (no hijack): run it and answer when it has been exec'd.
    router.add('POST', '/exec/{id}/start', async ({ params }) => {
        await execs.start(params.id);
        return { status: 200, text: '' };
    });
    router.upgrade('POST', '/exec/{id}/start', async ({ params, socket }) => {
        const exec = execs.get(params.id);
        const io = new ProcessIO(exec.config.Tty ?? false);
        const buffered = bufferIO(io);
        await execs.start(params.id, io);
        switchProtocols(socket, !io.tty);
        pipeIO(io, socket, { stdin: exec.OpenStdin, stdout: exec.OpenStdout, stderr: exec.OpenStderr, closeStdinOnEnd: true }, buffered);
    });
    router.add('GET', '/exec/{id}/json', ({ params }) => ({ json: execs.inspect(params.id) }));
    router.add('POST', '/exec/{id}/resize', ({ params, query }) => {
        execs.resize(params.id, Number(query.get('h') ?? 24), Number(query.get('w') ?? 80));
        return { status: 200, text: '' };
    });
}
//# sourceMappingURL=exec.js.map