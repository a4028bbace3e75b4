import type { Command } from 'commander';
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { Client } from '../../engine/client/client.js';
import { UserError } from '../../engine/sys/errors.js';
import { configPath, loadCredentials, registryAuthHeader, removeCredentials, saveCredentials } from '../../engine/registry/credentials.js';
import { DOCKER_HUB, parseImageRef } from '../../engine/registry/reference.js';
import { client } from '../context.js';
import { table } from '../format.js';
import { readNdjson } from '../../engine/client/ndjson.js';

interface Message { status?: string; id?: string; progress?: string; progressDetail?: { current?: number; total?: number }; error?: string; aux?: unknown }

/**
 * Shows docker's pull/push progress stream: on a terminal one line per layer, redrawn in place (a bar while it
 * downloads); otherwise each status change once. An in-band error becomes a thrown UserError.
 */
export async function showProgress(res: IncomingMessage, out: NodeJS.WriteStream = process.stdout): Promise<void> {
  const tty = out.isTTY === true;
  const ids: string[] = [];
  const lines = new Map<string, string>();
  const lastStatus = new Map<string, string>();
  let error: string | undefined;
  const render = (m: Message): void => {
    const text = `${m.id ? `${m.id}: ` : ''}${m.status ?? ''}${m.progress ? ` ${m.progress}` : ''}`;
    if (!m.id) { out.write(`${text}\n`); return; }
    if (!tty) {
      if (lastStatus.get(m.id) !== m.status) out.write(`${text.replace(/ \[.*$/, '')}\n`);
      lastStatus.set(m.id, m.status ?? '');
      return;
    }
    if (!lines.has(m.id)) { ids.push(m.id); lines.set(m.id, text); out.write(`${text}\n`); return; }
    lines.set(m.id, text);
    const up = ids.length - ids.indexOf(m.id);
    out.write(`\x1b[${up}A\r\x1b[2K${text}\x1b[${up}B\r`);
  };
  for await (const m of readNdjson<Message>(res)) {
    if (typeof m.error === 'string') error = m.error;
    else if (m.status) render(m);
  }
  if (error !== undefined) throw new UserError(error);
}

function authFor(name: string): Record<string, string> {
  const { registry } = parseImageRef(name);
  return registryAuthHeader(loadCredentials(registry), registry);
}

/** Pulls NAME through the daemon, progress on `out`; the CLI's `pull` and run/create's --pull share it. */
export async function pull(c: Client, name: string, opts: { platform?: string; out?: NodeJS.WriteStream; quiet?: boolean } = {}): Promise<void> {
  const ref = parseImageRef(name);
  const at = name.indexOf('@');
  const fromImage = at >= 0 ? name.slice(0, at) : name;
  const res = await c.stream('POST', '/images/create', {
    query: { fromImage, ...(ref.digest && { tag: ref.digest }), ...(opts.platform && { platform: opts.platform }) },
    headers: authFor(name),
  });
  if (opts.quiet) { await showProgress(res, { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream); return; }
  await showProgress(res, opts.out);
}

async function readSecret(prompt: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY) throw new UserError('no terminal to ask for the password: use --password-stdin');
  process.stdout.write(prompt);
  process.stdin.setRawMode(true);
  let s = '';
  for await (const c of process.stdin) {
    const ch = (c as Buffer).toString('utf8');
    if (ch === '\r' || ch === '\n') break;
    if (ch === '\u0003') { process.stdin.setRawMode(false); throw new UserError('login cancelled'); }
    s = ch === '\u007f' ? s.slice(0, -1) : s + ch;
  }
  process.stdin.setRawMode(false);
  process.stdout.write('\n');
  return s;
}

async function ask(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try { return await new Promise((r) => rl.question(prompt, r)); } finally { rl.close(); }
}

/** pull, push, login, logout, search: the registry side (docker's flags). */
export function register(program: Command): void {
  program.command('pull').description('download an image from a registry (docker pull)')
    .argument('<name>', 'NAME[:TAG|@DIGEST]; "alpine" means docker.io/library/alpine:latest')
    .option('--platform <os/arch>', 'the platform to pick from a multi-platform image (default: this machine\'s)')
    .option('-q, --quiet', 'print only the image name')
    .action(async (name: string, o: { platform?: string; quiet?: boolean }) => {
      const c = await client(program);
      await pull(c, name, { ...(o.platform && { platform: o.platform }), ...(o.quiet && { quiet: true }) });
      if (o.quiet) process.stdout.write(`${name}\n`);
    });

  program.command('push').description('upload an image to a registry (docker push)')
    .argument('<name>', 'REGISTRY/NAME[:TAG] of a local image (boxlab tag IMAGE REGISTRY/NAME first)')
    .option('-q, --quiet', 'print only the digest')
    .action(async (name: string, o: { quiet?: boolean }) => {
      const c = await client(program);
      const ref = parseImageRef(name);
      const at = name.lastIndexOf(':') > name.lastIndexOf('/') ? name.lastIndexOf(':') : -1;
      const repo = at >= 0 ? name.slice(0, at) : name;
      const res = await c.stream('POST', `/images/${repo}/push`, { query: { tag: ref.tag }, headers: authFor(name) });
      await showProgress(res, o.quiet ? ({ write: () => true, isTTY: false } as unknown as NodeJS.WriteStream) : process.stdout);
    });

  program.command('login').description('log in to a registry; the credentials are kept like docker\'s config.json')
    .argument('[server]', 'registry host[:port]', DOCKER_HUB)
    .option('-u, --username <name>')
    .option('-p, --password <password>', 'the password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (server: string, o: { username?: string; password?: string; passwordStdin?: boolean }) => {
      const registry = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      const username = o.username ?? (await ask('Username: '));
      const password = o.password ?? (await readSecret('Password: ', o.passwordStdin ?? false));
      if (!username || !password) throw new UserError('login needs a username and a password');
      const c = await client(program);
      await c.post('/auth', { username, password, serveraddress: registry });
      saveCredentials(registry, { username, password });
      process.stdout.write(`Login Succeeded (credentials kept in ${configPath()})\n`);
    });

  program.command('logout').description('forget the credentials for a registry')
    .argument('[server]', 'registry host[:port]', DOCKER_HUB)
    .action((server: string) => {
      const registry = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      process.stdout.write(removeCredentials(registry) ? `Removing login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
    });

  program.command('search').description("list a registry's repositories matching TERM (its /v2/_catalog)")
    .argument('<term>', 'HOST[:PORT]/TERM')
    .option('--limit <n>', 'at most this many results', '25')
    .action(async (term: string, o: { limit: string }) => {
      const c = await client(program);
      const host = term.slice(0, Math.max(0, term.indexOf('/')));
      const r = await c.stream('GET', '/images/search', { query: { term, limit: o.limit }, headers: host ? registryAuthHeader(loadCredentials(host), host) : {} });
      const chunks: Buffer[] = [];
      for await (const x of r) chunks.push(x as Buffer);
      const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ name: string; description: string; star_count: number; is_official: boolean }>;
      process.stdout.write(table(['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], list.map((x) => [x.name, x.description, String(x.star_count), x.is_official ? '[OK]' : ''])));
    });
}
