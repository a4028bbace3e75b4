import { UserError } from '../../sys/errors.js';
import type { ExecConfig } from '../../containers/exec.js';
import { ProcessIO } from '../../containers/io.js';
import type { Router } from '../router.js';
import type { DaemonContext } from '../context.js';
import { afterHeadersRead, switchProtocols } from '../server.js';
import { bufferIO, pipeIO } from '../stream.js';
import { parseDetachKeys } from '../detach-keys.js';
import { frame } from '../../containers/logs.js';


export function register(router: Router, ctx: DaemonContext): void {
  const execs = ctx.runtime.execs;

  router.add('POST', '/containers/{id}/exec', ({ params, body }) => {
    if (typeof body !== 'object' || body === null) throw new UserError('exec needs a JSON body with {"Cmd": [...]}');
    const exec = execs.create(params.id!, body as ExecConfig);
    return { status: 201, json: { Id: exec.ID } };
  });

  // Detached start (no hijack): run it and answer when it has been exec'd.
  router.add('POST', '/exec/{id}/start', async ({ params }) => {
    await execs.start(params.id!);
    return { status: 200, text: '' };
  });

  router.upgrade('POST', '/exec/{id}/start', async ({ params, socket, body }) => {
    const exec = execs.get(params.id!);
    const io = new ProcessIO(exec.config.Tty ?? false);
    // the pty follows the exec's create config; raw or multiplexed output follows the start request's Tty,
    // as in dockerd (docker-py sends Tty on start)
    const startTty = (body as { Tty?: boolean } | undefined)?.Tty;
    const raw = startTty ?? io.tty;
    // docker's ExecConfig.DetachKeys (Go decodes JSON keys case-insensitively: docker-py sends detachKeys)
    const cfg = exec.config as { DetachKeys?: string; detachKeys?: string };
    const detachKeys = parseDetachKeys(cfg.DetachKeys ?? cfg.detachKeys);
    const buffered = bufferIO(io);
    const fresh = exec.ExitCode === null && !exec.Running;
    try {
      await execs.start(params.id!, io);
    } catch (e) {
      // As dockerd: once the client asked to attach, a command that cannot be started (not found: 127, not
      // executable: 126) is reported in the stream, and the exec's ExitCode says it (clients read it there).
      if (!fresh || !(e instanceof UserError) || exec.ExitCode !== 126) throw e;
      switchProtocols(socket, !raw);
      const line = Buffer.from(`OCI runtime exec failed: ${e.message}\r\n`);
      afterHeadersRead(socket, () => socket.end(raw ? line : frame('stdout', line)));
      return;
    }
    switchProtocols(socket, !raw);
    // The command already runs (it started before the 101); its first output waits until the client has
    // read the headers (server.ts afterHeadersRead), or a buffered client would lose it.
    afterHeadersRead(socket, () => pipeIO(io, socket, { stdin: exec.OpenStdin, stdout: exec.OpenStdout, stderr: exec.OpenStderr, closeStdinOnEnd: true, raw, detachKeys }, buffered));
  });

  router.add('GET', '/exec/{id}/json', ({ params }) => ({ json: execs.inspect(params.id!) }));

  router.add('POST', '/exec/{id}/resize', ({ params, query }) => {
    execs.resize(params.id!, Number(query.get('h') ?? 24), Number(query.get('w') ?? 80));
    return { status: 200, text: '' };
  });
}
