import { readlinkSync } from 'node:fs';
import { ConflictError, NotFoundError } from '../sys/errors.js';
function donorPath(flag, value, lookup, kind) {
    const ref = value.slice('container:'.length);
    const donor = lookup(ref);
    if (!donor)
        throw new NotFoundError(`${flag}: No such container: ${ref}`);
    if (!donor.State.Running)
        throw new ConflictError(`${flag}: cannot join the ${kind} namespace of ${ref}: container is not running`);
    return { join: `/proc/${donor.State.Pid}/ns/${kind}` };
}
/** Which namespaces a container's init is created in, joins, or shares with the host. */
export function namespacePlan(rec, lookup) {
    const hc = rec.HostConfig;
    const plan = { mnt: 'new' };
    const net = hc.NetworkMode ?? '';
    plan.net = net === 'host' ? 'host' : net.startsWith('container:') ? donorPath('--network', net, lookup, 'net') : 'new';
    // docker ties the hostname to the network: host networking means the host's UTS namespace too, and a
    // container sharing another's network shares its hostname.
    plan.uts = hc.UTSMode === 'host' || net === 'host' ? 'host'
        : net.startsWith('container:') ? donorPath('--network', net, lookup, 'uts') : 'new';
    const pid = hc.PidMode ?? '';
    plan.pid = pid === 'host' ? 'host' : pid.startsWith('container:') ? donorPath('--pid', pid, lookup, 'pid') : 'new';
    const ipc = hc.IpcMode ?? '';
    if (ipc === 'host')
        plan.ipc = 'host';
    else if (ipc.startsWith('container:')) {
        const donor = lookup(ipc.slice('container:'.length));
        if (donor && donor.HostConfig.IpcMode !== 'shareable' && donor.State.Running) {
            throw new ConflictError(`--ipc: cannot join the IPC namespace of ${ipc.slice(10)}: it is not shareable (start it with --ipc shareable)`);
        }
        plan.ipc = donorPath('--ipc', ipc, lookup, 'ipc');
    }
    else
        plan.ipc = 'new';
    plan.cgroup = hc.CgroupnsMode === 'host' ? 'host' : 'new';
    return plan;
}
/**
 * The plan for `exec`: every namespace of the running container but the mount namespace. The node binary
 * that runs the init stage does not exist inside the container's filesystem, so the init joins the mount
 * namespace itself (InitConfig.joinMountNs) after it has started, just before it execs.
 */
export function joinPlan(pid) {
    const plan = {};
    for (const kind of ['uts', 'ipc', 'net', 'pid', 'cgroup'])
        plan[kind] = { join: `/proc/${pid}/ns/${kind}` };
    return plan;
}
export function namespaceIds(pid) {
    const out = {};
    for (const kind of ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts']) {
        try {
            out[kind] = readlinkSync(`/proc/${pid}/ns/${kind}`);
        }
        catch {
            // process gone
        }
    }
    return out;
}
//# sourceMappingURL=plan.js.map