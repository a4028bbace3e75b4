import type { Resources } from '../cgroups/types.js';

/**
 * Container records follow the Docker Engine API's JSON shapes (`GET /containers/{id}/json`) for the fields
 * boxlab implements, so the stock docker client and dockerode can read them; boxlab's extras live under
 * `Boxlab`.
 */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** The subset of `POST /containers/create`'s body that boxlab understands. */
export interface CreateConfig {
  Image: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Domainname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object>;
  /** anonymous volumes asked for at create (`-v /dir` without a source) */
  Volumes?: Record<string, object> | null;
  Healthcheck?: import('./health.js').Healthcheck;
  HostConfig?: HostConfig;
}

/** The cgroup limits are the cgroup managers' Resources; docker's API also sends PidsLimit as null. */
export interface HostConfig extends Omit<Resources, 'PidsLimit'> {
  AutoRemove?: boolean;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  CgroupnsMode?: string;
  Binds?: string[] | null;
  /** `--mount`: bind, volume and tmpfs entries */
  Mounts?: import('../images/volumes.js').MountField[] | null;
  PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[]> | null;
  PidsLimit?: number | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Privileged?: boolean;
  SecurityOpt?: string[] | null;
  ReadonlyRootfs?: boolean;
  Tmpfs?: Record<string, string> | null;
  UsernsMode?: string;
  ConsoleSize?: [number, number] | null;
  LogConfig?: { Type?: string; Config?: Record<string, string> | null };
  RestartPolicy?: RestartPolicy;
  Runtime?: string;
  PublishAllPorts?: boolean;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  Links?: string[] | null;
  VolumesFrom?: string[] | null;
}

/** docker's restart policy, acted on by the Runtime (engine/containers/restart.ts) */
export interface RestartPolicy { Name?: string; MaximumRetryCount?: number }

export interface ContainerRecord {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  Name: string;
  RestartCount: number;
  Driver: 'overlay2';
  Platform: 'linux';
  HostnamePath: string;
  HostsPath: string;
  ResolvConfPath: string;
  LogPath: string;
  Config: CreateConfig & { Image: string; Hostname: string; Env: string[]; Cmd: string[] | null; Entrypoint: string[] | null; WorkingDir: string; User: string; Tty: boolean; OpenStdin: boolean };
  HostConfig: HostConfig;
  GraphDriver: { Name: 'overlay2'; Data: { LowerDir: string; UpperDir: string; WorkDir: string; MergedDir: string } };
  Mounts: unknown[];
  NetworkSettings: { Networks: Record<string, unknown>; Ports: Record<string, unknown>; IPAddress: string; Gateway: string; SandboxKey: string };
  Boxlab: {
    /** `uts:[4026532201]` … as readlink /proc/<pid>/ns/* shows them, while running */
    Namespaces: Record<string, string>;
    /** controller → directory */
    CgroupPaths: Record<string, string>;
    CgroupParent: string;
    InitLayer: string;
    /** --userns remap: the host uid/gid range the container's ids map to */
    Userns?: import('../security/idranges.js').Allocation;
    /** stopped or killed by a client (docker's HasBeenManuallyStopped): its restart policy leaves it stopped */
    ManuallyStopped?: boolean;
    /** -v / --tmpfs / image VOLUME mounts as prepared on the host */
    Mounts?: import('../images/volumes.js').MountSpec[];
    /** the boxlab-shim that is the running init's parent (pid and start time: a recycled pid is not it) */
    Shim?: { Pid: number; StartTime: string };
  };
}

export function emptyState(): ContainerState {
  return {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: '', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z',
  };
}
