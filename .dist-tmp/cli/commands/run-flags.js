import { Option } from 'commander';
import { UserError } from '../../engine/sys/errors.js';
import { parseSize, parseMemorySwap } from '../../engine/cgroups/size.js';
const collect = (value, previous = []) => [...previous, value];
/** The cgroup limit flags of `run`, `create` and `update`. */
export function addResourceFlags(cmd) {
    return cmd
        .option('-m, --memory <size>', 'memory limit, e.g. 64m')
        .option('--memory-swap <size>', 'memory+swap limit, -1 for unlimited swap')
        .option('--cpus <n>', 'number of CPUs, e.g. 0.5')
        .option('--cpu-shares <n>', 'relative CPU weight (default 1024)')
        .option('--cpuset-cpus <list>', 'CPUs allowed, e.g. 0-1')
        .option('--cpuset-mems <list>', 'memory nodes allowed')
        .option('--pids-limit <n>', 'maximum number of processes (-1 unlimited)');
}
/** The `run`/`create` flags, named as docker names them. */
export function addRunFlags(cmd) {
    return addResourceFlags(cmd)
        .option('-d, --detach', 'run in the background and print the container id')
        .option('-i, --interactive', 'keep stdin open')
        .option('-t, --tty', 'allocate a pseudo-terminal')
        .option('--rm', 'remove the container when it exits')
        .option('--name <name>', 'name the container')
        .option('-h, --hostname <name>', 'container hostname')
        .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect)
        .option('-w, --workdir <dir>', 'working directory inside the container')
        .option('--entrypoint <cmd>', 'override the image entrypoint')
        .option('-u, --user <uid[:gid]|name>', 'user to run as')
        .option('-v, --volume <spec>', 'bind mount or volume (repeatable)', collect)
        .option('-p, --publish <spec>', 'publish a port: [hostIP:]hostPort:ctrPort[/proto] (repeatable)', collect)
        .option('--network <mode>', 'none | host | bridge | container:<name|id> | <network>')
        .addOption(new Option('--net <mode>').hideHelp())
        .option('--ip <addr>', 'IPv4 address on a user network')
        .option('--pid <mode>', 'host | container:<name|id>')
        .option('--ipc <mode>', 'private | shareable | host | container:<name|id>')
        .option('--uts <mode>', 'host')
        .option('--cgroupns <mode>', 'private | host')
        .option('--cap-add <cap>', 'add a capability (repeatable)', collect)
        .option('--cap-drop <cap>', 'drop a capability (repeatable)', collect)
        .option('--privileged', 'all capabilities, no masks, host devices')
        .option('--security-opt <opt>', 'e.g. seccomp=unconfined, no-new-privileges (repeatable)', collect)
        .option('--read-only', 'mount the root filesystem read-only')
        .option('--tmpfs <path[:opts]>', 'mount a tmpfs (repeatable)', collect)
        .option('--userns <mode>', 'host | remap')
        .option('-l, --label <k=v>', 'set a label (repeatable)', collect);
}
function integer(flag, v) {
    if (!/^-?\d+$/.test(v.trim()))
        throw new UserError(`invalid ${flag} "${v}": expected a whole number`);
    return Number(v);
}
/** The cgroup limits among the flags, as HostConfig fields: shared by `run`/`create` and `update`. */
export function resourceFlags(f) {
    const r = {};
    if (f.memory)
        r.Memory = parseSize(f.memory);
    if (f.memorySwap)
        r.MemorySwap = parseMemorySwap(f.memorySwap);
    if (f.cpus) {
        const n = Number(f.cpus);
        if (!Number.isFinite(n) || n <= 0)
            throw new UserError(`invalid --cpus "${f.cpus}": expected a positive number like 0.5`);
        r.NanoCpus = Math.round(n * 1e9);
    }
    if (f.cpuShares)
        r.CpuShares = integer('--cpu-shares', f.cpuShares);
    if (f.cpusetCpus)
        r.CpusetCpus = f.cpusetCpus;
    if (f.cpusetMems)
        r.CpusetMems = f.cpusetMems;
    if (f.pidsLimit)
        r.PidsLimit = integer('--pids-limit', f.pidsLimit);
    return r;
}
/** `-e KEY` without a value takes KEY from the caller's environment, as docker does. */
function envEntry(e) {
    if (e.includes('='))
        return e;
    const v = process.env[e];
    return v === undefined ? undefined : `${e}=${v}`;
}
/** Turns parsed flags into the Engine API's create body. */
export function toCreateConfig(image, command, f) {
    const hc = {};
    if (f.rm)
        hc.AutoRemove = true;
    const net = f.network ?? f.net;
    if (net)
        hc.NetworkMode = net;
    if (f.pid)
        hc.PidMode = f.pid;
    if (f.ipc)
        hc.IpcMode = f.ipc;
    if (f.uts)
        hc.UTSMode = f.uts;
    if (f.cgroupns)
        hc.CgroupnsMode = f.cgroupns;
    Object.assign(hc, resourceFlags(f));
    if (f.volume?.length)
        hc.Binds = f.volume;
    if (f.publish?.length) {
        hc.PortBindings = {};
        for (const p of f.publish) {
            const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d*):(\d+)(?:\/(tcp|udp))?$/.exec(p) ?? /^(\d+)(?:\/(tcp|udp))?$/.exec(p);
            if (!m)
                throw new UserError(`invalid -p "${p}": use [hostIP:]hostPort:containerPort[/tcp|udp]`);
            const [hostIp, hostPort, ctrPort, proto] = m.length === 5 ? [m[1], m[2], m[3], m[4]] : [undefined, '', m[1], m[2]];
            const key = `${ctrPort}/${proto ?? 'tcp'}`;
            (hc.PortBindings[key] ??= []).push({ HostIp: hostIp ?? '', HostPort: hostPort ?? '' });
        }
    }
    if (f.capAdd?.length)
        hc.CapAdd = f.capAdd;
    if (f.capDrop?.length)
        hc.CapDrop = f.capDrop;
    if (f.privileged)
        hc.Privileged = true;
    if (f.securityOpt?.length)
        hc.SecurityOpt = f.securityOpt;
    if (f.readOnly)
        hc.ReadonlyRootfs = true;
    if (f.tmpfs?.length) {
        hc.Tmpfs = {};
        for (const t of f.tmpfs) {
            const [path = '', opts = ''] = t.split(/:(.*)/s);
            hc.Tmpfs[path] = opts;
        }
    }
    if (f.userns)
        hc.UsernsMode = f.userns;
    if (f.tty && process.stdout.isTTY)
        hc.ConsoleSize = [process.stdout.rows, process.stdout.columns];
    const cfg = {
        Image: image,
        Tty: f.tty ?? false,
        OpenStdin: f.interactive ?? false,
        StdinOnce: (f.interactive ?? false) && !f.detach,
        AttachStdin: (f.interactive ?? false) && !f.detach,
        AttachStdout: !f.detach,
        AttachStderr: !f.detach,
        HostConfig: hc,
    };
    if (command.length)
        cfg.Cmd = command;
    if (f.entrypoint !== undefined)
        cfg.Entrypoint = [f.entrypoint];
    if (f.env?.length)
        cfg.Env = f.env.map(envEntry).filter((e) => e !== undefined);
    if (f.workdir) {
        if (!f.workdir.startsWith('/'))
            throw new UserError(`invalid -w "${f.workdir}": the working directory must be an absolute path`);
        cfg.WorkingDir = f.workdir;
    }
    if (f.user)
        cfg.User = f.user;
    if (f.hostname)
        cfg.Hostname = f.hostname;
    if (f.label?.length)
        cfg.Labels = Object.fromEntries(f.label.map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]));
    if (f.ip)
        cfg.NetworkingConfig = { EndpointsConfig: { [net ?? 'bridge']: { IPAMConfig: { IPv4Address: f.ip } } } };
    return cfg;
}
//# sourceMappingURL=run-flags.js.map