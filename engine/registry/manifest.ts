import { UserError } from '../sys/errors.js';
import { goArch } from '../images/config.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** Every manifest kind boxlab reads, in the Accept header of a manifest GET. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.dockerList, MediaType.ociManifest, MediaType.dockerManifest].join(', ');

export interface Platform { os: string; architecture: string; variant?: string }
export interface Descriptor { mediaType: string; digest: string; size: number; platform?: Platform; urls?: string[]; annotations?: Record<string, string> }
export interface ImageManifest { schemaVersion: 2; mediaType?: string; config: Descriptor; layers: Descriptor[] }
export interface ImageIndex { schemaVersion: 2; mediaType?: string; manifests: Descriptor[] }

export function isIndex(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList;
}

export function isManifest(mediaType: string): boolean {
  return mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;
}

/** How a layer blob is compressed, from its media type. */
export function compressionOf(mediaType: string): 'gzip' | 'zstd' | 'none' {
  if (/zstd/.test(mediaType)) return 'zstd';
  if (/gzip/.test(mediaType)) return 'gzip';
  if (/tar$/.test(mediaType) || /diff\.tar$/.test(mediaType)) return 'none';
  throw new UserError(`layer media type "${mediaType}" is not a tar layer boxlab can read`);
}

/** "linux/arm64/v8" → a platform; none → this machine's (linux/<arch>). */
export function parsePlatform(s: string | undefined): Platform {
  if (!s) return { os: 'linux', architecture: goArch() };
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new UserError(`invalid platform "${s}": use OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8`);
  return { os, architecture, ...(variant && { variant }) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The index entry for `want` (an exact variant when asked for one); an error listing what there is otherwise. */
export function choosePlatform(index: ImageIndex, want: Platform): Descriptor {
  const images = index.manifests.filter((m) => isManifest(m.mediaType) && m.platform && m.platform.os !== 'unknown');
  const same = images.filter((m) => m.platform!.os === want.os && m.platform!.architecture === want.architecture);
  const pick = want.variant ? same.find((m) => m.platform!.variant === want.variant) : (same.find((m) => !m.platform!.variant || m.platform!.variant === 'v8') ?? same[0]);
  if (pick) return pick;
  const have = images.map((m) => formatPlatform(m.platform!)).join(', ') || 'none';
  throw new UserError(`no image for ${formatPlatform(want)} in the manifest list (it has: ${have}): choose one with --platform`);
}
