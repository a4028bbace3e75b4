import { readNdjson } from '../../engine/client/ndjson.js';
import type { Command } from 'commander';
import { cpuPercent, memoryPercent, type DockerStats } from '../../engine/cgroups/docker-stats.js';
import { formatSize } from '../../engine/cgroups/size.js';
import { client, eachName } from '../context.js';
import { table } from '../format.js';
import { addResourceFlags, resourceFlags as updateBody, type ResourceFlags as UpdateFlags } from './run-flags.js';

/** pause / unpause (the freezer), update (live limits) and stats: the cgroup side of the CLI. */

function statsRow(s: DockerStats): string[] {
  const m = s.memory_stats;
  const t = s.cpu_stats.throttling_data;
  return [
    s.id.slice(0, 12), s.name.replace(/^\//, ''),
    `${cpuPercent(s).toFixed(2)}%`,
    `${formatSize(m.usage)} / ${formatSize(m.limit)}`, `${memoryPercent(s).toFixed(2)}%`,
    `${s.pids_stats.current}${s.pids_stats.limit ? ` / ${s.pids_stats.limit}` : ''}`,
    `${t.throttled_periods}/${t.periods} (${(t.throttled_time / 1e9).toFixed(2)}s)`,
    String(m.oom_kills),
  ];
}

const HEADERS = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS', 'THROTTLED', 'OOM KILLS'];

export function register(program: Command): void {
  program.command('pause').description('freeze every process of containers (cgroup freezer)')
    .argument('<container...>')
    .action(async (names: string[]) => {
      const c = await client(program);
      await eachName(names, (n) => c.post(`/containers/${n}/pause`).then(() => undefined));
    });

  program.command('unpause').description('thaw paused containers')
    .argument('<container...>')
    .action(async (names: string[]) => {
      const c = await client(program);
      await eachName(names, (n) => c.post(`/containers/${n}/unpause`).then(() => undefined));
    });

  addResourceFlags(program.command('update').description('change the cgroup limits of containers, also while they run'))
    .argument('<container...>')
    .action(async (names: string[], f: UpdateFlags) => {
      const body = updateBody(f);
      const c = await client(program);
      await eachName(names, (n) => c.post(`/containers/${n}/update`, body).then(() => undefined));
    });

  program.command('stats').description("live resource usage of running containers, read from their cgroups")
    .option('--no-stream', 'print one sample and exit')
    .argument('[container...]')
    .action(async (names: string[], o: { stream: boolean }) => {
      const c = await client(program);
      let ids = names;
      if (ids.length === 0) ids = (await c.get<{ Id: string }[]>('/containers/json')).map((x) => x.Id);
      if (!o.stream) {
        const rows = await Promise.all(ids.map((id) => c.get<DockerStats>(`/containers/${id}/stats`, { stream: false })));
        process.stdout.write(table(HEADERS, rows.map(statsRow)));
        return;
      }
      // Streaming: one line of JSON per container per second; redraw the table on each full round.
      const latest = new Map<string, DockerStats>();
      const redraw = (): void => {
        const rows = ids.map((id) => latest.get(id)).filter((s): s is DockerStats => s !== undefined).map(statsRow);
        process.stdout.write(`${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${table(HEADERS, rows)}`);
      };
      await Promise.all(ids.map(async (id) => {
        const res = await c.stream('GET', `/containers/${id}/stats`, { query: { stream: true } });
        for await (const stats of readNdjson<DockerStats>(res)) {
          latest.set(id, stats);
          if (id === ids[0]) redraw();
        }
      }));
    });
}
