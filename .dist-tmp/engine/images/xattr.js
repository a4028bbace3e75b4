import koffi from 'koffi';
import { sys } from '../sys/libc.js';
/**
 * Extended attributes through libc. Overlayfs marks an opaque directory (one that hides everything below it)
 * with `trusted.overlay.opaque="y"`; only root can read or write the trusted.* namespace.
 */
const lib = koffi.load('libc.so.6');
const lsetxattrRaw = lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)');
const lgetxattrRaw = lib.func('long lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)');
export const OPAQUE_XATTR = 'trusted.overlay.opaque';
export function lsetxattr(path, name, value) {
    const buf = Buffer.from(value);
    sys('lsetxattr', `${JSON.stringify(path)}, ${JSON.stringify(name)}, ${JSON.stringify(value)}`, () => lsetxattrRaw(path, name, buf, buf.length, 0));
}
/** The attribute's value, or undefined when the file does not carry it (ENODATA) — untraced: it is a probe. */
export function lgetxattr(path, name) {
    const buf = Buffer.alloc(256);
    const n = Number(lgetxattrRaw(path, name, buf, buf.length));
    if (n < 0)
        return undefined;
    return buf.subarray(0, n).toString();
}
export function isOpaqueDir(path) {
    return lgetxattr(path, OPAQUE_XATTR) === 'y';
}
//# sourceMappingURL=xattr.js.map