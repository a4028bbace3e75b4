import { UserError } from '../sys/errors.js';
import { host } from '../sys/host.js';

/** docker top's answer: ps's column titles and the rows of the container's processes. */
export interface TopTable {
  Titles: string[];
  Processes: string[][];
}

/** The host's `ps PSARGS`, keeping only the rows whose pid is in `pids` (the container's cgroup). */
export async function psOfCgroup(pids: Set<number>, psArgs: string): Promise<TopTable> {
  const args = psArgs.split(/\s+/).filter(Boolean);
  const r = await host('ps', args).catch((e: unknown) => { throw new UserError(`ps ${psArgs} failed: ${(e as Error).message}`); });
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines.shift() ?? '').trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new UserError(`ps ${psArgs}: its output has no PID column, so the container's processes cannot be picked out`);
  const rows = lines.map((l) => {
    const cols = l.trim().split(/\s+/);
    // the last column (the command) keeps its spaces
    return [...cols.slice(0, titles.length - 1), cols.slice(titles.length - 1).join(' ')];
  });
  return { Titles: titles, Processes: rows.filter((row) => pids.has(Number(row[pidCol]))) };
}
