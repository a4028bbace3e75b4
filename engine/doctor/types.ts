/** How bad a finding is: `fail` stops lessons from working, `warn` degrades some of them. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report. */
export interface DoctorCheck {
  /** stable key: `kernel`, `ns.net`, `userns`, `cgroups`, `overlay`, `iptables`, `ip_forward`, `tool.ip`, `disk` ... */
  id: string;
  /** what was checked, as the learner reads it */
  title: string;
  status: CheckStatus;
  /** what was found */
  detail: string;
  /** one line: what to do about it (present whenever status is not `ok`) */
  fix?: string;
  /** part of the first-run essentials (the welcome screen shows only these) */
  essential: boolean;
}

export type CgroupMode = 'v1' | 'hybrid' | 'v2';
export const NAMESPACE_TYPES = ['mnt', 'uts', 'ipc', 'net', 'pid', 'user', 'cgroup', 'time'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

/** The raw facts behind the checks, for callers (lessons, the TUI) that want more than the verdicts. */
export interface DoctorFacts {
  root: boolean;
  kernel: string;
  namespaces: Record<NamespaceType, boolean>;
  userns: { sysctls: Record<string, string>; root: boolean; unprivileged: boolean | null };
  cgroup: { mode: CgroupMode; v2Mount: string | null; controllers: string[] };
  overlay: { listed: boolean; mountable: boolean | null; error?: string };
  iptables: { version: string | null; backend: 'nft' | 'legacy' | null };
  ipForward: boolean | null;
  tools: Record<string, string | null>;
  disk: { path: string; freeBytes: number };
}

export interface DoctorReport {
  checks: DoctorCheck[];
  facts: DoctorFacts;
  /** no check failed (warnings allowed) */
  ok: boolean;
}

export interface DoctorOptions {
  /** boxlab's state root, where images and layers live (default /var/lib/boxlab) */
  stateRoot?: string;
}
