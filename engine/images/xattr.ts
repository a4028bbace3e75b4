import { raw, sys } from '../sys/libc.js';

/**
 * Extended attributes through libc. Overlayfs marks an opaque directory (one that hides everything below it)
 * with `trusted.overlay.opaque="y"`; only root can read or write the trusted.* namespace.
 */

export const OPAQUE_XATTR = 'trusted.overlay.opaque';

export function lsetxattr(path: string, name: string, value: string): void {
  const buf = Buffer.from(value);
  sys('lsetxattr', `${JSON.stringify(path)}, ${JSON.stringify(name)}, ${JSON.stringify(value)}`,
    () => raw.lsetxattr(path, name, buf, buf.length, 0));
}

/** The attribute's value, or undefined when the file does not carry it (ENODATA) — untraced: it is a probe. */
export function lgetxattr(path: string, name: string): string | undefined {
  const buf = Buffer.alloc(256);
  const n = Number(raw.lgetxattr(path, name, buf, buf.length));
  if (n < 0) return undefined;
  return buf.subarray(0, n).toString();
}

export function isOpaqueDir(path: string): boolean {
  return lgetxattr(path, OPAQUE_XATTR) === 'y';
}
