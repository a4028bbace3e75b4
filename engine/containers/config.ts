import { constants, hostname as hostHostname } from 'node:os';
import { UserError } from '../sys/errors.js';
import type { CreateConfig, HostConfig } from './types.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Image env first, then `-e` values overriding by key — never the host's environment: a
 * daemon that passed its own env on would leak its PATH, HOME and secrets into every container.
 * An entry without `=` is kept as docker keeps it in Config.Env; `processEnv` leaves it out of the process. */
export function mergeEnv(imageEnv: string[], requested: string[]): string[] {
  const byKey = new Map<string, string>();
  for (const e of [...imageEnv, ...requested]) {
    const eq = e.indexOf('=');
    byKey.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  if (!byKey.has('PATH')) byKey.set('PATH', DEFAULT_PATH);
  return [...byKey.values()];
}

/** The environment a process gets: only KEY=value entries (a bare `KEY` names no value to pass). */
export function processEnv(env: string[]): string[] {
  return env.filter((e) => e.includes('='));
}

/** The log drivers boxlab has: json-file (and `local`, kept in the same file), and none (no logs at all). */
export const LOG_DRIVERS = ['json-file', 'local', 'none'];

/** An unknown log driver is refused at create, as dockerd does. */
export function validateLogConfig(hc: HostConfig): void {
  const type = hc.LogConfig?.Type;
  if (type && !LOG_DRIVERS.includes(type)) {
    // dockerd's exact words: clients match on them (boxlab has json-file, local and none)
    throw new UserError(`logger: no log driver named '${type}' is registered`);
  }
}

/**
 * HostConfig as inspect shows it: the daemon's defaults under what the request gave, so clients that read
 * e.g. HostConfig.LogConfig.Type or RestartPolicy.Name find them (docker-py's containers.run does).
 */
export function effectiveHostConfig(hc: HostConfig): HostConfig {
  const given = Object.fromEntries(Object.entries(hc).filter(([, v]) => v !== undefined && v !== null)) as HostConfig;
  return {
    NetworkMode: 'bridge', IpcMode: 'private', CgroupnsMode: 'private', PidMode: '', UTSMode: '', UsernsMode: '',
    Runtime: 'runc', Privileged: false, ReadonlyRootfs: false, AutoRemove: false, PublishAllPorts: false,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, Binds: null, PortBindings: {}, CapAdd: null, CapDrop: null,
    Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null, Links: null, VolumesFrom: null,
    SecurityOpt: null, Tmpfs: null, ...given,
    LogConfig: { Type: given.LogConfig?.Type || 'json-file', Config: given.LogConfig?.Config ?? {} },
    ...(given.NetworkMode === 'default' || !given.NetworkMode ? { NetworkMode: 'bridge' } : {}),
  };
}

/**
 * docker's rule: `--entrypoint` replaces the image's entrypoint and drops the image's CMD; a command given
 * on the command line replaces the image's CMD only.
 */
export function resolveCommand(image: { Entrypoint: string[] | null; Cmd: string[] | null }, req: Pick<CreateConfig, 'Entrypoint' | 'Cmd'>): { entrypoint: string[] | null; cmd: string[] | null; argv: string[] } {
  const entrypointGiven = req.Entrypoint !== undefined && req.Entrypoint !== null;
  const entrypoint = entrypointGiven ? (req.Entrypoint!.length === 1 && req.Entrypoint![0] === '' ? null : req.Entrypoint!) : image.Entrypoint;
  const cmd = req.Cmd && req.Cmd.length > 0 ? req.Cmd : entrypointGiven ? null : image.Cmd;
  return { entrypoint, cmd, argv: [...(entrypoint ?? []), ...(cmd ?? [])] };
}

const MODE_RE = /^(host|private|container:.+|shareable|none|bridge|default|)$/;

/** Namespace sharing modes: one-line errors for values docker would also refuse. */
export function validateModes(hc: HostConfig): void {
  const check = (flag: string, value: string | undefined, allowed: string[]): void => {
    if (value === undefined || value === '') return;
    if (value.startsWith('container:')) {
      if (value.length === 'container:'.length) throw new UserError(`invalid ${flag} "${value}": name the container after "container:"`);
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
  if (hc.UTSMode?.startsWith('container:')) throw new UserError('invalid --uts: docker supports only "host" here; share a hostname with --network container:<name>');
  if (hc.CgroupnsMode?.startsWith('container:')) throw new UserError('invalid --cgroupns: use host or private');
  const net = hc.NetworkMode;
  if (net !== undefined && net !== '' && !/^(none|host|bridge|default|container:.+|[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/.test(net)) {
    throw new UserError(`invalid --network "${net}": use none, host, bridge, container:<name|id> or a network name`);
  }
}

export function containerHostname(id: string, cfg: CreateConfig): string {
  if (cfg.HostConfig?.UTSMode === 'host' || cfg.HostConfig?.NetworkMode === 'host') return hostHostname();
  return cfg.Hostname || id.slice(0, 12);
}

const signals = constants.signals as Record<string, number>;

/** Whether a pid (not necessarily our child) still exists. */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function parseSignal(s: string | undefined, fallback: NodeJS.Signals): NodeJS.Signals {
  if (s === undefined || s === '') return fallback;
  if (/^\d+$/.test(s)) {
    const name = Object.entries(signals).find(([, n]) => n === Number(s))?.[0];
    if (name) return name as NodeJS.Signals;
  } else {
    const name = (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`);
    if (name in signals) return name as NodeJS.Signals;
  }
  throw new UserError(`invalid signal: ${s} (use a name like TERM or KILL, or a number)`);
}
