/** Left-aligned columns separated by three spaces, as docker prints its tables. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function ago(unixSeconds: number, now = Date.now()): string {
  const s = Math.max(0, Math.round(now / 1000 - unixSeconds));
  if (s < 60) return `${s} seconds ago`;
  if (s < 120) return 'About a minute ago';
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 7200) return 'About an hour ago';
  if (s < 172800) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function lookup(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The part of Go templates that `inspect -f` users reach for: `{{.State.Pid}}`, `{{json .Config}}`,
 * `{{index .Boxlab.Namespaces "uts"}}`, several of them with text between.
 */
export function goTemplate(template: string, value: unknown): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    let m = /^json\s+\.(\S*)$/.exec(expr);
    if (m) return JSON.stringify(lookup(value, m[1]!));
    m = /^index\s+\.(\S*)\s+"([^"]*)"$/.exec(expr);
    if (m) return render(lookup(lookup(value, m[1]!), m[2]!));
    m = /^\.(\S*)$/.exec(expr);
    if (m) return render(lookup(value, m[1]!));
    throw new Error(`template: unsupported expression {{${expr}}}: use {{.Path.To.Field}}, {{json .Field}} or {{index .Map "key"}}`);
  });
}

function render(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') return Array.isArray(v) ? `[${v.join(' ')}]` : `map[${Object.entries(v).map(([k, x]) => `${k}:${String(x)}`).join(' ')}]`;
  return String(v);
}
