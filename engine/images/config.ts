/** Image metadata in docker's API shapes, and the OCI image config JSON that is stored and hashed. */

export interface ImageConfig {
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  WorkingDir: string;
  User: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
  Volumes?: Record<string, object>;
  StopSignal?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  author?: string;
  empty_layer?: boolean;
}

/** The OCI image config (application/vnd.oci.image.config.v1+json) — what docker and every registry store. */
export interface OciImageConfig {
  architecture: string;
  os: string;
  created?: string;
  author?: string;
  config?: Partial<ImageConfig>;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

export interface ImageRecord {
  /** sha256:<hex of the stored config JSON bytes> */
  Id: string;
  RepoTags: string[];
  Created: string;
  Config: ImageConfig;
  RootFS: { Type: 'layers'; DiffIDs: string[] };
  History: HistoryEntry[];
  /** bytes of all layer tars, uncompressed */
  Size: number;
  Architecture: string;
  Os: string;
}

export function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** Fills the fields docker always reports, so callers never meet `undefined` for Env or Cmd. */
export function normaliseConfig(c: Partial<ImageConfig> | undefined): ImageConfig {
  const out: ImageConfig = {
    Env: c?.Env ?? [],
    Cmd: c?.Cmd ?? null,
    Entrypoint: c?.Entrypoint ?? null,
    WorkingDir: c?.WorkingDir ?? '',
    User: c?.User ?? '',
  };
  if (c?.ExposedPorts && Object.keys(c.ExposedPorts).length) out.ExposedPorts = c.ExposedPorts;
  if (c?.Labels && Object.keys(c.Labels).length) out.Labels = c.Labels;
  if (c?.Volumes && Object.keys(c.Volumes).length) out.Volumes = c.Volumes;
  if (c?.StopSignal) out.StopSignal = c.StopSignal;
  return out;
}

/** Stable JSON for configs we write ourselves: same object → same bytes → same image id. */
export function encodeConfig(c: OciImageConfig): string {
  return JSON.stringify(c);
}

export function parseReference(ref: string): { name: string; tag: string } {
  // a registry host with a port ("localhost:5000/x") has its colon before the last slash
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: 'latest' };
}

/** "busybox" → "busybox:latest"; "docker.io/library/busybox:1" → "busybox:1" (docker shows short names). */
export function normaliseTag(ref: string): string {
  const { name, tag } = parseReference(ref);
  const short = name.replace(/^docker\.io\//, '').replace(/^library\//, '');
  return `${short}:${tag}`;
}

const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

export function isValidReference(ref: string): boolean {
  const { name, tag } = parseReference(ref);
  return NAME_RE.test(name) && TAG_RE.test(tag);
}
