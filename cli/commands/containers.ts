import type { Command } from 'commander';
import { demuxer } from '../../engine/client/client.js';
import type { ContainerRecord } from '../../engine/containers/types.js';
import { client, eachName, ExitCode } from '../context.js';
import { ago, goTemplate, table, truncate } from '../format.js';
import { runSession } from '../session.js';

type PortMap = Record<string, { HostIp?: string; HostPort?: string }[] | null>;

/** docker's PORTS column: `0.0.0.0:8080->80/tcp`, and a bare `80/tcp` for an exposed, unpublished port. */
export function portsColumn(ports: PortMap | undefined): string {
  if (!ports) return '';
  return Object.entries(ports).flatMap(([port, bindings]) => (bindings && bindings.length > 0
    ? bindings.map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort ?? ''}->${port}`)
    : [port])).join(', ');
}

interface Summary { Id: string; Names: string[]; Image: string; Command: string; Created: number; Status: string; Ports: unknown[] }


export function register(program: Command): void {
  program.command('ps')
    .description('list containers')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-q, --quiet', 'only display container ids')
    .option('--no-trunc', 'do not truncate output')
    .action(async (o: { all?: boolean; quiet?: boolean; trunc: boolean }) => {
      const c = await client(program);
      const list = await c.get<Summary[]>('/containers/json', { all: o.all ?? false });
      const id = (x: string): string => (o.trunc ? x.slice(0, 12) : x);
      if (o.quiet) {
        process.stdout.write(list.map((x) => `${id(x.Id)}\n`).join(''));
        return;
      }
      // the list endpoint leaves Ports empty; a running container's published ports are in its inspect record
      const ports = await Promise.all(list.map(async (x) => (x.Status.startsWith('Up')
        ? portsColumn((await c.get<{ NetworkSettings?: { Ports?: PortMap } }>(`/containers/${x.Id}/json`).catch(() => undefined))?.NetworkSettings?.Ports)
        : '')));
      process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
        list.map((x, i) => [id(x.Id), x.Image, JSON.stringify(o.trunc ? truncate(x.Command, 20) : x.Command), ago(x.Created), x.Status, ports[i]!, x.Names.map((n) => n.slice(1)).join(',')])));
    });

  program.command('start').description('start stopped containers')
    .option('-a, --attach', 'attach stdout/stderr')
    .argument('<container...>')
    .action(async (names: string[], o: { attach?: boolean }) => {
      const c = await client(program);
      if (o.attach && names.length === 1) {
        const rec = await c.get<ContainerRecord>(`/containers/${names[0]}/json`);
        const session = await c.hijack(`/containers/${rec.Id}/attach`, { query: { stream: 1, stdout: 1, stderr: 1 } });
        const waiting = await c.stream('POST', `/containers/${rec.Id}/wait`, { query: { condition: 'next-exit' } });
        await c.post(`/containers/${rec.Id}/start`);
        await runSession({ ...session, tty: rec.Config.Tty, stdin: false, client: c });
        waiting.destroy();
        return;
      }
      await eachName(names, (n) => c.post(`/containers/${n}/start`).then(() => undefined));
    });

  program.command('stop').description('stop containers: SIGTERM, then SIGKILL after the grace period')
    .option('-t, --time <seconds>', 'seconds to wait before killing', '10')
    .option('-s, --signal <signal>', 'signal to send first (default SIGTERM)')
    .argument('<container...>')
    .action(async (names: string[], o: { time: string; signal?: string }) => {
      const c = await client(program);
      await eachName(names, (n) => c.post(`/containers/${n}/stop`, undefined, { t: o.time, signal: o.signal }).then(() => undefined));
    });

  program.command('restart').description('stop then start containers')
    .option('-t, --time <seconds>', 'seconds to wait before killing', '10')
    .argument('<container...>')
    .action(async (names: string[], o: { time: string }) => {
      const c = await client(program);
      await eachName(names, (n) => c.post(`/containers/${n}/restart`, undefined, { t: o.time }).then(() => undefined));
    });

  program.command('kill').description('send a signal to containers (SIGKILL unless told otherwise)')
    .option('-s, --signal <signal>', 'signal to send', 'KILL')
    .argument('<container...>')
    .action(async (names: string[], o: { signal: string }) => {
      const c = await client(program);
      await eachName(names, (n) => c.post(`/containers/${n}/kill`, undefined, { signal: o.signal }).then(() => undefined));
    });

  program.command('rm').description('remove containers')
    .option('-f, --force', 'kill and remove a running container')
    .argument('<container...>')
    .action(async (names: string[], o: { force?: boolean }) => {
      const c = await client(program);
      await eachName(names, (n) => c.call('DELETE', `/containers/${n}`, { query: { force: o.force ?? false } }).then(() => undefined));
    });

  program.command('wait').description('block until containers stop, then print their exit codes')
    .argument('<container...>')
    .action(async (names: string[]) => {
      const c = await client(program);
      for (const n of names) {
        const r = await c.post<{ StatusCode: number }>(`/containers/${n}/wait`);
        process.stdout.write(`${r.StatusCode}\n`);
      }
    });

  program.command('inspect').description('low-level information on containers (JSON)')
    .option('-f, --format <template>', 'Go-template subset, e.g. {{.State.Pid}}')
    .argument('<container...>')
    .action(async (names: string[], o: { format?: string }) => {
      const c = await client(program);
      const recs: unknown[] = [];
      for (const n of names) recs.push(await c.get(`/containers/${n}/json`));
      if (o.format) process.stdout.write(recs.map((r) => `${goTemplate(o.format!, r)}\n`).join(''));
      else process.stdout.write(`${JSON.stringify(recs, null, 4)}\n`);
    });

  program.command('logs').description("fetch a container's output")
    .option('-f, --follow', 'follow log output')
    .option('-t, --timestamps', 'show timestamps')
    .option('-n, --tail <n>', 'number of lines from the end', 'all')
    .argument('<container>')
    .action(async (name: string, o: { follow?: boolean; timestamps?: boolean; tail: string }) => {
      const c = await client(program);
      const rec = await c.get<ContainerRecord>(`/containers/${name}/json`);
      const res = await c.stream('GET', `/containers/${rec.Id}/logs`, { query: { stdout: 1, stderr: 1, follow: o.follow ?? false, timestamps: o.timestamps ?? false, tail: o.tail } });
      const write = rec.Config.Tty ? (b: Buffer) => process.stdout.write(b)
        : demuxer((s, p) => (s === 'stderr' ? process.stderr : process.stdout).write(p));
      for await (const chunk of res) write(chunk as Buffer);
    });

  program.command('attach').description("attach the terminal to a running container's stdio")
    .option('--no-stdin', 'do not attach stdin')
    .argument('<container>')
    .action(async (name: string, o: { stdin: boolean }) => {
      const c = await client(program);
      const rec = await c.get<ContainerRecord>(`/containers/${name}/json`);
      if (!rec.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
      const stdin = o.stdin && rec.Config.OpenStdin;
      const session = await c.hijack(`/containers/${rec.Id}/attach`, { query: { stream: 1, stdin, stdout: 1, stderr: 1 } });
      const how = await runSession({ ...session, tty: rec.Config.Tty, stdin, resizePath: `/containers/${rec.Id}/resize`, client: c });
      if (how === 'ended') {
        const after = await c.get<ContainerRecord>(`/containers/${rec.Id}/json`).catch(() => undefined);
        if (after && !after.State.Running && after.State.ExitCode !== 0) throw new ExitCode(after.State.ExitCode);
      }
    });
}
