import { UserError } from '../sys/errors.js';

/**
 * Docker's boolean query values, one parser for every route: Go's strconv.ParseBool as the daemon uses it
 * (`1`, `t`, `true`, `True`, `TRUE` and their negatives); an empty value counts as false, as in dockerd.
 */
export function flag(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  if (/^(1|t|T|true|True|TRUE)$/.test(v)) return true;
  if (/^(0|f|F|false|False|FALSE|)$/.test(v)) return false;
  throw new UserError(`invalid value for ${name}: "${v}" (use 1/true or 0/false)`);
}

/** `?filters={"label":["a=b"],"until":["10m"]}` (or the old map form {"label":{"a=b":true}}), as lists. */
export function filters(q: URLSearchParams): Record<string, string[]> {
  const raw = q.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UserError(`invalid filters: ${raw} is not JSON like {"label":["key=value"]}`);
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((parsed ?? {}) as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v) : [String(v)];
  }
  return out;
}

/** Whether labels satisfy docker's `label` filters (`key` or `key=value`, all must hold). */
export function labelsMatch(labels: Record<string, string> | null | undefined, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return labels?.[w] !== undefined;
    return labels?.[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

/** docker's `until` filter: a timestamp (seconds) or a Go duration (10m, 1h30m) before now. */
export function untilCutoff(wanted: string[] | undefined, now = Date.now()): number | undefined {
  const v = wanted?.[0];
  if (v === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (!Number.isNaN(Date.parse(v))) return Date.parse(v);
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let m: RegExpExecArray | null;
  let matched = '';
  while ((m = re.exec(v))) { total += Number(m[1]) * units[m[2]!]!; matched += m[0]; }
  if (matched !== v) throw new UserError(`invalid until filter "${v}": use a timestamp or a duration like 10m`);
  return now - total;
}

/** The API version a request names in its path (`/v1.41/...`), or the daemon's own when it names none. */
export function apiVersion(req: { url?: string | undefined }, fallback: string): number {
  const m = /^\/v(\d+)\.(\d+)\//.exec(req.url ?? '');
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : fallback.split('.').map(Number);
  return major! + minor! / 100;
}
