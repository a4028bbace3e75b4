import type { ContainerRecord } from '../containers/types.js';

/** go-units' HumanDuration, which docker uses for "Up 5 seconds" / "Exited (0) 3 minutes ago". */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}

export function statusText(c: ContainerRecord, now = Date.now()): string {
  const s = c.State;
  if (s.Status === 'running') {
    const health = (s as { Health?: { Status: string } }).Health?.Status;
    const shown = health === 'starting' ? ' (health: starting)' : health ? ` (${health})` : '';
    return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${shown}`;
  }
  if (s.Status === 'restarting') return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Status === 'paused') return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
  if (s.Status === 'exited') return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Status === 'created') return 'Created';
  return s.Status;
}

/** One row of `GET /containers/json`. */
export function summary(c: ContainerRecord): Record<string, unknown> {
  return {
    Id: c.Id,
    Names: [c.Name],
    Image: c.Config.Image,
    ImageID: c.Image,
    Command: [c.Path, ...c.Args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' '),
    Created: Math.floor(Date.parse(c.Created) / 1000),
    State: c.State.Status,
    Status: statusText(c),
    Ports: [],
    Labels: c.Config.Labels ?? {},
    HostConfig: { NetworkMode: c.HostConfig.NetworkMode ?? 'none' },
    NetworkSettings: { Networks: c.NetworkSettings.Networks },
    Mounts: c.Mounts,
    // boxlab extras: what `ps` shows beyond docker's columns
    ExitCode: c.State.ExitCode,
    Pid: c.State.Pid,
  };
}
