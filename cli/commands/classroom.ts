import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../engine/sys/errors.js';
import { t } from '../../i18n/index.js';

function int(flag: string, min: number, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new UserError(t().crNotANumber(flag, v, min, max));
    return n;
  };
}

/** Addresses learners on the LAN (or the Vagrant private network) can use to reach this machine. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** --help of the instructor's `serve` (its output and page are in the catalogue; its help not yet). */
const SERVE_HELP = {
  serve: "the instructor's live dashboard for the room: a web page, and the server learners join",
  port: 'TCP port',
  host: 'address to listen on (0.0.0.0: every interface, so learners on the LAN can join)',
  code: 'the join code learners must give (default: the stored one, or a new random one)',
  from: "the workshop's first lesson (default: the first lesson)",
  stuck: 'a learner with no progress for this long is marked stuck',
  db: "the room's SQLite database (default: classroom.db in the course state folder)",
};

/** `boxlab classroom serve` (the instructor) and `boxlab classroom join` (each learner). */
export function register(program: Command): void {
  const classroom = program.command('classroom').description(t().hpClassroom);

  classroom.command('serve')
    .description(SERVE_HELP.serve)
    .option('--port <port>', SERVE_HELP.port, int('--port', 0, 65535), 8800)
    .option('--host <address>', SERVE_HELP.host, '0.0.0.0')
    .option('--code <code>', SERVE_HELP.code)
    .option('--from <lesson>', SERVE_HELP.from)
    .option('--stuck-minutes <n>', SERVE_HELP.stuck, int('--stuck-minutes', 1, 600), 10)
    .option('--db <file>', SERVE_HELP.db)
    .action(async (o: { port: number; host: string; code?: string; from?: string; stuckMinutes: number; db?: string }) => {
      const [{ serveClassroom }, { lessonsDir, stateDir }] = await Promise.all([import('../../classroom/server.js'), import('../../course/env.js')]);
      const server = await serveClassroom({
        port: o.port, host: o.host, db: o.db ?? join(stateDir(), 'classroom.db'), lessonsDir: lessonsDir(), stuckMinutes: o.stuckMinutes,
        ...(o.code !== undefined && { code: o.code }), ...(o.from !== undefined && { from: o.from }),
        log: (line) => process.stderr.write(`classroom: ${line}\n`),
      });
      const hosts = o.host === '0.0.0.0' ? lanAddresses() : [o.host];
      process.stdout.write([
        t().crServing(server.url, server.code),
        t().crInstructorPage(`http://127.0.0.1:${server.port}/?key=${server.key}`),
        t().crLearnersRun,
        ...(hosts.length > 0 ? hosts : ['THIS-MACHINE']).map((h) => `  ${t().crJoinCommand(`http://${h}:${server.port}`, server.code)}`),
        '',
      ].join('\n'));
      await untilSignal();
      await server.close();
    });

  classroom.command('join')
    .description(t().hpJoin)
    .argument('<url>', t().hpJoinUrl)
    .requiredOption('--name <name>', t().hpJoinName)
    .requiredOption('--code <code>', t().hpJoinCode)
    .action(async (url: string, o: { name: string; code: string }) => {
      const [{ ClassroomClient }, { lessonsDir, stateDir }] = await Promise.all([import('../../classroom/client.js'), import('../../course/env.js')]);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const client = new ClassroomClient({
        url, name: o.name, code: o.code, stateDir: stateDir(), lessonsDir: lessonsDir(),
        log: (line) => process.stderr.write(`classroom: ${line}\n`),
        onMessage: (m) => say(m.kind === 'release'
          ? t().crReleased(m.text, m.lesson ?? '')
          : t().crHint(m.text)),
      });
      const stopped = untilSignal();
      const joined = await Promise.race([client.start(), stopped.then(() => undefined)]);
      if (joined) say(t().crJoined(new URL(url).origin, JSON.stringify(joined.name)));
      await stopped;
      await client.close();
      if (client.unsent > 0) process.stderr.write(`${t().crUnsent(client.unsent)}\n`);
    });
}
