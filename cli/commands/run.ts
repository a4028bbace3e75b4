import type { Command } from 'commander';
import type { IncomingMessage } from 'node:http';
import { ApiError, type Client } from '../../engine/client/client.js';
import type { CreateConfig } from '../../engine/containers/types.js';
import { client, ExitCode, startExitCode } from '../context.js';
import { runSession } from '../session.js';
import { addRunFlags, toCreateConfig, type RunFlags } from './run-flags.js';
import { pull } from './registry.js';
import { UserError } from '../../engine/sys/errors.js';

async function readJson<T>(res: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** docker run and create exit 125 when the daemon refuses to create the container. */
async function createContainer(c: Client, cfg: CreateConfig, name: string | undefined, policy = 'missing'): Promise<{ Id: string }> {
  if (!['missing', 'always', 'never'].includes(policy)) throw new UserError(`--pull "${policy}": use missing, always or never`);
  try {
    if (policy === 'always') await pull(c, cfg.Image, { out: process.stderr });
    try {
      return await c.post<{ Id: string }>('/containers/create', cfg, { name });
    } catch (e) {
      // docker's client does this too: the daemon says the image is missing, the client pulls it and asks again
      if (!(e instanceof ApiError && e.status === 404 && /No such image/.test(e.message)) || policy !== 'missing') throw e;
      // one line if the pull fails too (an offline VM): what is missing, then why it could not be fetched
      await pull(c, cfg.Image, { out: process.stderr }).catch((p: Error) => { throw new UserError(`${e.message} (and pulling it failed: ${p.message})`); });
      return await c.post<{ Id: string }>('/containers/create', cfg, { name });
    }
  } catch (e) {
    if (e instanceof ApiError || e instanceof UserError) {
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
function imageCommand(program: Command, name: string, description: string): Command {
  return addRunFlags(program.command(name).description(description).helpOption('--help', 'show help')
    .argument('<image>').argument('[command...]').passThroughOptions())
    .option('--pull <policy>', 'pull the image: missing (default), always or never', 'missing');
}

export function register(program: Command): void {
  imageCommand(program, 'create', 'create a container without starting it').action(async (image: string, command: string[], flags: RunFlags) => {
    const c = await client(program);
    const cfg = toCreateConfig(image, command, flags);
    const { Id } = await createContainer(c, cfg, flags.name, (flags as RunFlags & { pull?: string }).pull);
    process.stdout.write(`${Id}\n`);
  });

  imageCommand(program, 'run', 'create and start a container (docker run)').action(async (image: string, command: string[], flags: RunFlags) => {
    const c = await client(program);
    const cfg = toCreateConfig(image, command, flags);
    const { Id } = await createContainer(c, cfg, flags.name, (flags as RunFlags & { pull?: string }).pull);
    const startFailed = async (e: unknown): Promise<never> => {
      if (e instanceof ApiError) {
        process.stderr.write(`boxlab: ${e.message}\n`);
        if (flags.rm) await c.call('DELETE', `/containers/${Id}`, { query: { force: 1 } }).catch(() => undefined);
        throw new ExitCode(startExitCode(e.message));
      }
      throw e;
    };

    if (flags.detach) {
      await c.post(`/containers/${Id}/start`).catch(startFailed);
      process.stdout.write(`${Id}\n`);
      return;
    }
    // attach and wait both have to be in place before start (or the output and the exit could be missed), but
    // not one after the other: one round trip to the daemon fewer.
    const [attached, waited] = await Promise.allSettled([
      c.hijack(`/containers/${Id}/attach`, { query: { stream: 1, stdin: flags.interactive ?? false, stdout: 1, stderr: 1 } }),
      c.stream('POST', `/containers/${Id}/wait`, { query: { condition: flags.rm ? 'removed' : 'next-exit' } }),
    ]);
    if (attached.status === 'rejected' || waited.status === 'rejected') {
      if (attached.status === 'fulfilled') attached.value.socket.destroy();
      if (waited.status === 'fulfilled') waited.value.destroy();
      throw attached.status === 'rejected' ? attached.reason : (waited as PromiseRejectedResult).reason;
    }
    const attach = attached.value;
    const waiting = waited.value;
    await c.post(`/containers/${Id}/start`).catch(async (e: unknown) => {
      attach.socket.destroy();
      waiting.destroy();
      return startFailed(e);
    });
    const how = await runSession({ ...attach, tty: flags.tty ?? false, stdin: flags.interactive ?? false, resizePath: `/containers/${Id}/resize`, client: c });
    if (how === 'detached') {
      waiting.destroy();
      return;
    }
    const result = await readJson<{ StatusCode: number }>(waiting);
    if (result.StatusCode !== 0) throw new ExitCode(result.StatusCode);
  });
}
