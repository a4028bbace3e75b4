import type { DoctorCheck, DoctorFacts } from './types.js';
import { readKernelFile } from './probes.js';
import { host } from '../sys/index.js';
import { langFromEnv, messages } from '../../i18n/index.js';
/** doctor speaks the learner's language (--lang, BOXLAB_LANG, the locale) */
const m = () => messages(langFromEnv());

/** `iptables v1.8.9 (nf_tables)` → nft; `(legacy)` → legacy. Only the version is asked: listing a table
 * would create it under the nft backend. */
export function parseIptablesVersion(out: string): DoctorFacts['iptables'] {
  const version = /v(\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1] ?? null;
  const backend = /\(nf_tables\)/.test(out) ? 'nft' : /\(legacy\)/.test(out) ? 'legacy' : version ? 'legacy' : null;
  return { version, backend };
}

export async function probeIptables(iptablesPath: string | null): Promise<DoctorFacts['iptables']> {
  if (!iptablesPath) return { version: null, backend: null };
  const r = await host(iptablesPath, ['--version'], { allowFailure: true, timeoutMs: 10_000 });
  return r.exitCode === 0 ? parseIptablesVersion(r.stdout) : { version: null, backend: null };
}

export function iptablesCheck(i: DoctorFacts['iptables']): DoctorCheck {
  const base = { id: 'iptables', title: m().drIptablesTitle, essential: true } as const;
  if (!i.backend) return { ...base, status: 'fail', detail: m().drIptablesNone, fix: 'apt-get install iptables' };
  return { ...base, status: 'ok', detail: m().drIptablesOk(i.version ?? '', i.backend === 'nft') };
}

export function probeIpForward(): boolean | null {
  const v = readKernelFile('/proc/sys/net/ipv4/ip_forward');
  return v === null ? null : v === '1';
}

export function ipForwardCheck(on: boolean | null): DoctorCheck {
  const base = { id: 'ip_forward', title: 'ip_forward', essential: false } as const;
  if (on) return { ...base, status: 'ok', detail: 'net.ipv4.ip_forward=1' };
  if (on === null) return { ...base, status: 'warn', detail: m().drForwardNoProc, fix: m().drForwardNoProcFix };
  // the network manager turns forwarding on when it makes a bridge and restores the old value on reset,
  // exactly as docker does; nothing for the learner to change
  return { ...base, status: 'ok', detail: m().drForwardOff };
}
