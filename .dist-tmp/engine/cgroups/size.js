import { UserError } from '../sys/errors.js';
const UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
// docker's go-units RAMInBytes: a decimal number, an optional space, an optional binary unit (k, m, g, t, p,
// case-insensitive), an optional "i" and an optional "b". "64m", "1G", "1.5g", "512KiB", "100" all parse.
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i;
/** "64m" -> 67108864. Memory sizes are binary (1k = 1024), as in docker. */
export function parseSize(s) {
    const text = s.trim();
    if (text.startsWith('-'))
        throw new UserError(`invalid size "${s}": a size cannot be negative`);
    const m = SIZE.exec(text);
    if (!m)
        throw new UserError(`invalid size "${s}": use a number with an optional unit b, k, m or g (e.g. 64m, 1g)`);
    const bytes = Math.floor(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
    if (!Number.isSafeInteger(bytes))
        throw new UserError(`invalid size "${s}": too large`);
    return bytes;
}
/** `--memory-swap` also takes "-1" (unlimited swap). */
export function parseMemorySwap(s) {
    return s.trim() === '-1' ? -1 : parseSize(s);
}
/** 33554432 -> "32MiB", 1610612736 -> "1.5GiB" — for messages and lessons. */
export function formatSize(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = bytes;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}
//# sourceMappingURL=size.js.map