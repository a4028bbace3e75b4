import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, UserError } from '../sys/index.js';
import { contains, formatCidr, formatIp, isUsableHost, size } from './ipv4.js';
/**
 * IPAM as the notes' mydocker does it: one bitmap per subnet, one character per address ('1' = taken),
 * offset i standing for base + i. Offset 0 (the network address) and the gateway are marked at creation; the
 * broadcast address is never handed out. Trailing zeros are not stored, so `cat` of a /16 file shows only
 * the allocated prefix ("111" = network, gateway, one container).
 *
 * Every function here expects the caller to hold the network lock (see lock.ts): read, change, write.
 */
export class IpamStore {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    fileFor(subnet) {
        return join(this.dir, formatCidr(subnet).replace('/', '_'));
    }
    read(subnet) {
        const file = this.fileFor(subnet);
        return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    }
    write(subnet, bitmap) {
        mkdirSync(this.dir, { recursive: true });
        const file = this.fileFor(subnet);
        const tmp = `${file}.tmp-${process.pid}`;
        writeFileSync(tmp, `${bitmap.replace(/0+$/, '')}\n`);
        renameSync(tmp, file); // a crash leaves the old bitmap or the new one, never half of one
    }
    remove(subnet) {
        rmSync(this.fileFor(subnet), { force: true });
    }
    /** A fresh bitmap with only the network address and the gateway taken. */
    init(subnet, gateway) {
        this.rebuild(subnet, gateway, []);
    }
    /** Takes `requested` (when given) or the lowest free address; returns it. */
    allocate(subnet, requested, networkName) {
        const bitmap = this.read(subnet);
        let offset;
        if (requested !== undefined) {
            if (!isUsableHost(subnet, requested)) {
                throw new UserError(`address ${formatIp(requested)} is not a usable address of network ${networkName} (${formatCidr(subnet)})`);
            }
            offset = requested - subnet.base;
            if (bitmap[offset] === '1')
                throw new ConflictError(`address ${formatIp(requested)} is already in use on network ${networkName}`);
        }
        else {
            const free = bitmap.indexOf('0', 1);
            offset = free === -1 ? Math.max(bitmap.length, 1) : free;
            if (offset >= size(subnet) - 1) {
                throw new UserError(`network ${networkName} has no free addresses left in ${formatCidr(subnet)}: remove a container or use a larger subnet`);
            }
        }
        this.write(subnet, setBit(bitmap, offset, '1'));
        return subnet.base + offset;
    }
    release(subnet, ip) {
        if (!contains(subnet, ip))
            return;
        this.write(subnet, setBit(this.read(subnet), ip - subnet.base, '0'));
    }
    /** Rebuilds a bitmap from what is known to be in use (crash recovery): network, gateway, endpoints. */
    rebuild(subnet, gateway, inUse) {
        let bitmap = setBit(setBit('', 0, '1'), gateway - subnet.base, '1');
        for (const ip of inUse)
            if (contains(subnet, ip))
                bitmap = setBit(bitmap, ip - subnet.base, '1');
        this.write(subnet, bitmap);
    }
}
function setBit(bitmap, offset, bit) {
    const padded = bitmap.length > offset ? bitmap : bitmap.padEnd(offset + 1, '0');
    return padded.slice(0, offset) + bit + padded.slice(offset + 1);
}
//# sourceMappingURL=ipam.js.map