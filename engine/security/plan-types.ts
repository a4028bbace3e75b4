/**
 * What the daemon decides (from docker's HostConfig) and the init applies. Plain JSON: it travels to the
 * init inside its fd-3 config.
 */
export interface SecurityPlan {
  privileged: boolean;
  /** CAP_ names; bounding = permitted = effective for root, as docker */
  capabilities: string[];
  noNewPrivileges: boolean;
  seccomp: { mode: 'unconfined' } | { mode: 'filter'; profile: string; /** BPF, base64 */ bpf: string };
  maskedPaths: string[];
  readonlyPaths: string[];
}
