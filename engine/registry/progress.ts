/** One line of docker's pull/push progress stream (the JSON the docker CLI turns into progress bars). */
export interface ProgressMessage {
  status: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
}

export type OnProgress = (m: ProgressMessage) => void;

/** docker's text bar: "[=====>      ]  1.2MB/3.4MB" */
export function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === width ? '=' : '>') : ''}${' '.repeat(width - filled)}`;
  return `[${bar}] ${human(current)}/${human(total)}`;
}

function human(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(2)}${units[i]}`;
}

/** A "Downloading"/"Pushing" reporter that speaks at most every 100 ms (and always at the end). */
export function throttled(on: OnProgress, id: string, status: string, total: number): (current: number, force?: boolean) => void {
  let last = 0;
  return (current, force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    on({ status, id, progressDetail: { current, total }, progress: progressBar(current, total) });
  };
}

export function shortDigest(d: string): string {
  return d.replace(/^sha256:/, '').slice(0, 12);
}

/** Runs `jobs` at most `limit` at a time; the first failure stops new jobs and is thrown once all have settled. */
export async function runLimited(jobs: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && failed === undefined) {
      const job = jobs[next++]!;
      try { await job(); } catch (e) { failed ??= e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failed !== undefined) throw failed;
}
