import { UserError } from '../sys/index.js';
const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
export function parseIp(text) {
    const parts = text.split('.');
    if (parts.length !== 4 || !parts.every((p) => OCTET.test(p)))
        return undefined;
    return parts.reduce((n, p) => n * 256 + Number(p), 0);
}
export function formatIp(n) {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
export function size(c) {
    return 2 ** (32 - c.prefixLen);
}
export function formatCidr(c) {
    return `${formatIp(c.base)}/${c.prefixLen}`;
}
export function contains(c, ip) {
    return ip >= c.base && ip < c.base + size(c);
}
export function overlaps(a, b) {
    return a.base < b.base + size(b) && b.base < a.base + size(a);
}
/** `172.29.0.0/16` → Cidr; malformed text, host bits set or an unusable prefix → UserError. */
export function parseSubnet(text) {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
    const ip = m ? parseIp(m[1]) : undefined;
    const prefixLen = m ? Number(m[2]) : NaN;
    if (ip === undefined || !(prefixLen >= 0 && prefixLen <= 32)) {
        throw new UserError(`invalid subnet "${text}": write it as an IPv4 CIDR like 172.30.0.0/16`);
    }
    if (prefixLen < 8 || prefixLen > 30) {
        throw new UserError(`invalid subnet "${text}": the prefix length must be between /8 and /30 (room for a gateway and a container)`);
    }
    const base = Number((BigInt(ip) >> BigInt(32 - prefixLen)) << BigInt(32 - prefixLen));
    if (base !== ip) {
        throw new UserError(`invalid subnet "${text}": host bits are set; did you mean ${formatIp(base)}/${prefixLen}?`);
    }
    return { base, prefixLen };
}
/** The first and last addresses (network, broadcast) are never handed out. */
export function isUsableHost(c, ip) {
    return contains(c, ip) && ip !== c.base && ip !== c.base + size(c) - 1;
}
//# sourceMappingURL=ipv4.js.map