import { ConflictError, UserError } from '../../sys/errors.js';
import { dockerStats, hostCpus, sampleCpu, validateResources } from '../../cgroups/index.js';
/**
 * The cgroup side of the Engine API: pause/unpause (the freezer), stats, update (live limits).
 */
const RESOURCE_KEYS = ['Memory', 'MemorySwap', 'NanoCpus', 'CpuShares', 'CpusetCpus', 'CpusetMems', 'PidsLimit'];
function running(rt, id) {
    const rec = rt.get(id);
    if (!rec.State.Running)
        throw new ConflictError(`container ${rec.Name.slice(1)} is not running`);
    return rec;
}
function cgroupOf(rt, rec) {
    return rt.cgroupOf(rec.Id) ?? rt.cgroupFor(rec.Id);
}
function event(rt, rec, action) {
    const now = Date.now();
    rt.emit('event', {
        Type: 'container', Action: action, Actor: { ID: rec.Id, Attributes: { name: rec.Name.slice(1), image: rec.Config.Image } },
        time: Math.floor(now / 1000), timeNano: now * 1e6,
    });
}
/** docker update: a field left out or 0 means "unchanged" (MemorySwap/PidsLimit take -1 for unlimited). */
function updateOf(body) {
    if (typeof body !== 'object' || body === null)
        throw new UserError('update needs a JSON body like {"Memory": 67108864}');
    const b = body;
    const r = {};
    for (const key of RESOURCE_KEYS) {
        const v = b[key];
        if (v === undefined || v === null || v === 0 || v === '')
            continue;
        if (key.startsWith('Cpuset') ? typeof v !== 'string' : typeof v !== 'number')
            throw new UserError(`invalid ${key} in update: ${JSON.stringify(v)}`);
        r[key] = v;
    }
    if (Object.keys(r).length === 0)
        throw new UserError('update: nothing to change (give at least one limit, e.g. --memory 64m)');
    return r;
}
export function register(router, ctx) {
    const rt = ctx.runtime;
    router.add('POST', '/containers/{id}/pause', ({ params }) => {
        const rec = running(rt, params.id);
        if (rec.State.Paused)
            throw new ConflictError(`container ${rec.Name.slice(1)} is already paused`);
        cgroupOf(rt, rec).freeze();
        Object.assign(rec.State, { Paused: true, Status: 'paused' });
        rt.store.save(rec);
        event(rt, rec, 'pause');
        return { status: 204 };
    });
    router.add('POST', '/containers/{id}/unpause', ({ params }) => {
        const rec = running(rt, params.id);
        if (!rec.State.Paused)
            throw new ConflictError(`container ${rec.Name.slice(1)} is not paused`);
        cgroupOf(rt, rec).thaw();
        Object.assign(rec.State, { Paused: false, Status: 'running' });
        rt.store.save(rec);
        event(rt, rec, 'unpause');
        return { status: 204 };
    });
    router.add('POST', '/containers/{id}/update', ({ params, body }) => {
        const rec = rt.get(params.id);
        const change = updateOf(body);
        // Judge the change against the limits it leaves in force (e.g. a new --memory-swap against the old --memory).
        const merged = {};
        for (const key of RESOURCE_KEYS) {
            const v = change[key] ?? rec.HostConfig[key];
            if (v !== undefined && v !== 0 && v !== '')
                merged[key] = v;
        }
        validateResources(merged, hostCpus());
        const toWrite = { ...change };
        // memory+swap is tied to memory: a new memory limit with an explicit old memory+swap keeps that total
        if (change.Memory !== undefined && change.MemorySwap === undefined && merged.MemorySwap !== undefined)
            toWrite.MemorySwap = merged.MemorySwap;
        if (rec.State.Running)
            cgroupOf(rt, rec).set(toWrite);
        Object.assign(rec.HostConfig, change);
        rt.store.save(rec);
        event(rt, rec, 'update');
        return { json: { Warnings: [] } };
    });
    router.add('GET', '/containers/{id}/stats', async ({ params, query, res }) => {
        const rec = running(rt, params.id);
        const cg = cgroupOf(rt, rec);
        const sample = () => sampleCpu(cg.stats());
        const stream = !(query.get('stream') === '0' || query.get('stream') === 'false');
        let pre = sample();
        // Like dockerd: CPU % needs two samples, so the first answer comes after one interval.
        await new Promise((r) => setTimeout(r, 1000));
        if (!stream)
            return { json: dockerStats(rec.Id, rec.Name, pre, sample()) };
        streamStats(res, rt, rec, () => {
            const now = sample();
            const doc = dockerStats(rec.Id, rec.Name, pre, now);
            pre = now;
            return doc;
        });
        return 'handled';
    });
}
function streamStats(res, rt, rec, next) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const send = () => {
        try {
            res.write(`${JSON.stringify(next())}\n`);
        }
        catch {
            stop(); // the cgroup is gone: the container exited
        }
    };
    const timer = setInterval(send, 1000);
    const onEvent = (e) => {
        if (e.Actor.ID === rec.Id && e.Action === 'die')
            stop();
    };
    const stop = () => {
        clearInterval(timer);
        rt.off('event', onEvent);
        res.end();
    };
    rt.on('event', onEvent);
    res.on('close', () => {
        clearInterval(timer);
        rt.off('event', onEvent);
    });
    send();
}
//# sourceMappingURL=cgroups.js.map