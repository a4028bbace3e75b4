import stringWidth from 'string-width';
import type { CheckStatus, DoctorCheck, DoctorReport } from './types.js';
import { langFromEnv, messages, type Messages } from '../../i18n/index.js';

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

export interface FormatOptions {
  /** only the checks that are not ok (and a one-line all-clear when there are none) */
  problemsOnly?: boolean;
  /** only the essential checks (the first-run welcome) */
  essentialOnly?: boolean;
}

// padded by display columns: a title with Chinese in it (the locale check's) is wider than its length
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - stringWidth(s)));

function line(c: DoctorCheck, width: number, m: Messages): string[] {
  const out = [`${MARK[c.status]} ${pad(c.title, width)}  ${c.detail}`];
  if (c.fix && c.status !== 'ok') out.push(`  ${' '.repeat(width)}  ${m.docFix} ${c.fix}`);
  return out;
}

/** Plain text, one check per line and its fix under it; the summary last. */
export function formatDoctor(report: DoctorReport, opts: FormatOptions = {}): string {
  const chosen = report.checks
    .filter((c) => !opts.essentialOnly || c.essential)
    .filter((c) => !opts.problemsOnly || c.status !== 'ok');
  const width = Math.max(0, ...chosen.map((c) => stringWidth(c.title)));
  const m = messages(langFromEnv());
  const { cgroup, iptables, kernel } = report.facts;
  const lines = [m.drHeader(kernel, cgroup.mode, iptables.backend ?? m.drMissing)];
  for (const c of chosen) lines.push(...line(c, width, m));
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push(fails + warns === 0 ? m.docAllPassed : m.docSummary(fails, warns));
  return lines.join('\n');
}
