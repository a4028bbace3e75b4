import { UserError } from '../sys/errors.js';

/**
 * An image reference split the way docker splits it. Docker Hub's rules: a first path component is a registry
 * host only if it has a "." or a ":" or is "localhost"; otherwise the registry is docker.io, and a one-part
 * name lives under "library/" (`alpine` → `docker.io/library/alpine:latest`).
 */
export interface Reference {
  /** host[:port] as written, "docker.io" for Docker Hub */
  registry: string;
  /** the path in the registry: "library/alpine", "x/y" */
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

export function parseImageRef(input: string): Reference {
  const bad = (why: string): never => { throw new UserError(`invalid reference format: "${input}" ${why}`); };
  let rest = input.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) bad('(a digest is sha256: and 64 lowercase hex digits)');
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad('(a tag is up to 128 letters, digits, "_", "." and "-")');
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) bad(`(registry host "${registry}" is not a host name)`);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (parts.some((p) => !COMPONENT.test(p))) bad('(repository names are lowercase letters, digits and single separators)');
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: parts.join('/'), ...(tag && { tag }), ...(digest && { digest }) };
}

/** The name docker shows: "alpine", "user/app", "127.0.0.1:5000/x" (no docker.io/, no library/). */
export function familiarName(r: Reference): string {
  if (r.registry !== DOCKER_HUB) return `${r.registry}/${r.repository}`;
  return r.repository.startsWith('library/') ? r.repository.slice(8) : r.repository;
}

/** "name:tag" as the local store keeps it, or undefined for a pull by digest only. */
export function localTag(r: Reference): string | undefined {
  return r.tag ? `${familiarName(r)}:${r.tag}` : undefined;
}

export function formatRef(r: Reference): string {
  return `${familiarName(r)}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The host the API is served from (Docker Hub's names differ from its API host). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** Where credentials are filed in config.json: Docker Hub under its historic key, others by host. */
export function credentialKey(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}

/**
 * Plain HTTP is used for loopback registries (as docker treats 127.0.0.0/8 as insecure) and for hosts listed in
 * BOXLAB_INSECURE_REGISTRIES (comma-separated); HTTPS for everything else.
 */
export function schemeFor(registry: string): 'http' | 'https' {
  const host = registry.replace(/:\d+$/, '');
  if (host === 'localhost' || /^127\./.test(host) || host === '[::1]') return 'http';
  const insecure = (process.env.BOXLAB_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return insecure.includes(registry) || insecure.includes(host) ? 'http' : 'https';
}
