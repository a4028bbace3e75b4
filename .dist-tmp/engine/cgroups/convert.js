/** The CFS period docker uses for --cpus: 100 ms. */
export const CPU_PERIOD_US = 100000;
/** --cpus as a CFS quota in µs per {@link CPU_PERIOD_US}; -1 (v1 "unlimited") for 0. docker: NanoCpus*period/1e9. */
export function nanoCpusToQuota(nanoCpus) {
    return nanoCpus > 0 ? Math.floor((nanoCpus * CPU_PERIOD_US) / 1e9) : -1;
}
/** v2 cpu.max: "50000 100000" for --cpus 0.5, "max 100000" for no limit. */
export function nanoCpusToCpuMax(nanoCpus) {
    const quota = nanoCpusToQuota(nanoCpus);
    return `${quota > 0 ? quota : 'max'} ${CPU_PERIOD_US}`;
}
/**
 * v1 cpu.shares [2, 262144] -> v2 cpu.weight [1, 10000], the linear map runc uses (1024 -> 39, 2 -> 1,
 * 262144 -> 10000); 0 means "not set". (Newer runc/crun releases switched to a curve that maps 1024 to the
 * v2 default 100; boxlab keeps the documented linear map so a lesson can compute it by hand.)
 */
export function sharesToWeight(shares) {
    if (shares <= 0)
        return 0;
    return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}
/**
 * The memory+swap total that applies: the explicit MemorySwap, or — like dockerd when swap accounting exists
 * and only --memory is given — twice the memory limit. undefined = leave swap alone.
 */
export function effectiveMemorySwap(r, swapAccounting) {
    const mem = r.Memory ?? 0;
    const swap = r.MemorySwap ?? 0;
    if (swap !== 0)
        return swap;
    if (mem > 0 && swapAccounting)
        return 2 * mem;
    if (r.Memory === 0)
        return -1; // memory made unlimited: swap follows, as runc does
    return undefined;
}
/** v2 memory.max / pids.max style value: a positive number, else "max". */
export function maxValue(n) {
    return n > 0 ? String(n) : 'max';
}
/**
 * v2 memory.swap.max from docker's memory+swap total (runc's ConvertMemorySwapToCgroupV2Value): v2 limits
 * swap alone, so it is total - memory; -1 means "max".
 */
export function memorySwapToSwapMax(memorySwap, memory) {
    if (memorySwap === -1)
        return 'max';
    if (memory <= 0)
        throw new Error('a swap limit needs a memory limit');
    if (memorySwap < memory)
        throw new Error('memory+swap must be at least memory');
    return String(memorySwap - memory);
}
/** Lines "key value" (memory.events, cpu.stat, memory.stat, memory.oom_control) -> numbers by key. */
export function parseKeyed(text) {
    const out = {};
    for (const line of text.split('\n')) {
        const [key, value] = line.trim().split(/\s+/);
        if (key && value !== undefined && value !== '')
            out[key] = Number(value);
    }
    return out;
}
/** A limit file ("max", or a number; v1 writes a near-2^63 number for "unlimited") -> number, undefined for none. */
export function parseLimit(text) {
    const t = text.trim();
    if (t === 'max' || t === '' || t === '-1')
        return undefined;
    const n = Number(t);
    return n >= 2 ** 62 ? undefined : n;
}
/** v2 cpu.max "50000 100000" -> NanoCpus (0 = unlimited). */
export function cpuMaxToNanoCpus(text) {
    const [quota, period] = text.trim().split(/\s+/);
    if (quota === 'max' || quota === undefined)
        return 0;
    return Math.round((Number(quota) * 1e9) / Number(period ?? CPU_PERIOD_US));
}
//# sourceMappingURL=convert.js.map