import { UserError } from '../sys/errors.js';
import type { DockerEvent } from '../containers/runtime.js';
import { filters, labelsMatch } from './query.js';

/**
 * `GET /events` as dockerd answers it: `since` replays the recent events kept here, `until` ends the stream
 * at that moment, and `filters` (type, event, container, image, label) keep only the events asked for.
 */

const KEEP = 1024;

/** The recent events, for `since` (dockerd keeps the last 1024 in memory too). */
export class EventHistory {
  private readonly events: DockerEvent[] = [];

  add(e: DockerEvent): void {
    this.events.push(e);
    if (this.events.length > KEEP) this.events.shift();
  }

  since(ms: number): DockerEvent[] {
    return this.events.filter((e) => e.timeNano / 1e6 >= ms);
  }
}

/** docker's timestamps: unix seconds (fractions allowed), RFC 3339, or a duration back from now ("10m"). */
export function parseEventTime(name: string, v: string | null, now = Date.now()): number | undefined {
  if (v === null || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (dur) return now - Number(dur[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[dur[2] as 'ms' | 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UserError(`invalid ${name}: "${v}" (give unix seconds, an RFC 3339 time or a duration like 10m)`);
  return t;
}

/** The `filters` of an events request as one predicate. */
export function eventFilter(q: URLSearchParams): (e: DockerEvent) => boolean {
  const f = filters(q);
  const any = (key: string, test: (v: string) => boolean): boolean => !f[key]?.length || f[key]!.some(test);
  return (e) => any('type', (t) => t === e.Type)
    && any('event', (a) => e.Action === a || e.Action.startsWith(`${a}:`))
    && any('container', (c) => e.Type === 'container' && (e.Actor.ID.startsWith(c) || e.Actor.Attributes.name === c))
    && any('image', (i) => e.Actor.Attributes.image === i || e.Actor.Attributes.image === `${i}:latest`)
    && labelsMatch(e.Actor.Attributes, f.label);
}
