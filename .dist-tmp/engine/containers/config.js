import { hostname as hostHostname } from 'node:os';
import { UserError } from '../sys/errors.js';
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Image env first, then `-e` values overriding by key — never the host's environment (the notes' leak). */
export function mergeEnv(imageEnv, requested) {
    const byKey = new Map();
    for (const e of [...imageEnv, ...requested]) {
        const eq = e.indexOf('=');
        const key = eq < 0 ? e : e.slice(0, eq);
        if (eq < 0)
            continue;
        byKey.set(key, e);
    }
    if (!byKey.has('PATH'))
        byKey.set('PATH', DEFAULT_PATH);
    return [...byKey.values()];
}
/**
 * docker's rule: `--entrypoint` replaces the image's entrypoint and drops the image's CMD; a command given
 * on the command line replaces the image's CMD only.
 */
export function resolveCommand(image, req) {
    const entrypointGiven = req.Entrypoint !== undefined && req.Entrypoint !== null;
    const entrypoint = entrypointGiven ? (req.Entrypoint.length === 1 && req.Entrypoint[0] === '' ? null : req.Entrypoint) : image.Entrypoint;
    const cmd = req.Cmd && req.Cmd.length > 0 ? req.Cmd : entrypointGiven ? null : image.Cmd;
    return { entrypoint, cmd, argv: [...(entrypoint ?? []), ...(cmd ?? [])] };
}
const MODE_RE = /^(host|private|container:.+|shareable|none|bridge|default|)$/;
/** Namespace sharing modes: one-line errors for values docker would also refuse. */
export function validateModes(hc) {
    const check = (flag, value, allowed) => {
        if (value === undefined || value === '')
            return;
        if (value.startsWith('container:')) {
            if (value.length === 'container:'.length)
                throw new UserError(`invalid ${flag} "${value}": name the container after "container:"`);
            return;
        }
        if (!allowed.includes(value) || !MODE_RE.test(value)) {
            throw new UserError(`invalid ${flag} "${value}": use ${[...allowed, 'container:<name|id>'].join(', ')}`);
        }
    };
    check('--pid', hc.PidMode, ['host']);
    check('--ipc', hc.IpcMode, ['host', 'private', 'shareable', 'none']);
    check('--uts', hc.UTSMode, ['host']);
    check('--cgroupns', hc.CgroupnsMode, ['host', 'private']);
    if (hc.UTSMode?.startsWith('container:'))
        throw new UserError('invalid --uts: docker supports only "host" here; share a hostname with --network container:<name>');
    if (hc.CgroupnsMode?.startsWith('container:'))
        throw new UserError('invalid --cgroupns: use host or private');
    const net = hc.NetworkMode;
    if (net !== undefined && net !== '' && !/^(none|host|bridge|default|container:.+|[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/.test(net)) {
        throw new UserError(`invalid --network "${net}": use none, host, bridge, container:<name|id> or a network name`);
    }
}
export function containerHostname(id, cfg) {
    if (cfg.HostConfig?.UTSMode === 'host' || cfg.HostConfig?.NetworkMode === 'host')
        return hostHostname();
    return cfg.Hostname || id.slice(0, 12);
}
//# sourceMappingURL=config.js.map