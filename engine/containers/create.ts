import { join } from 'node:path';
import { UserError } from '../sys/errors.js';
import { parseMounts, prepareMounts, prepareRootfs, removeRootfs, type ImageRecord, type ImageStore, type MountSpec, type VolumeStore } from '../images/index.js';
import { resolveUser as resolveImageUser } from '../images/users.js';
import { hostCpus, resourcesOf, validateResources } from '../cgroups/index.js';
import type { NetworkManager } from '../network/index.js';
import { allocateRange, assertUserNamespacesAvailable, releaseRange, resolveUsernsMode, securityPlan, type UsernsMode } from '../security/index.js';
import { containerHostname, effectiveHostConfig, mergeEnv, resolveCommand, validateLogConfig, validateModes } from './config.js';
import { writeEtcFiles } from './files.js';
import { validateRestartPolicy } from './restart.js';
import { containerNetworkSettings, precheckNetwork } from './network.js';
import type { ContainerStore } from './store.js';
import { emptyState, type ContainerRecord, type CreateConfig, type HostConfig } from './types.js';

/**
 * `docker create`: every check first (modes, network, limits, security options, user, mounts), so bad input
 * leaves nothing behind; then the record, /etc files, the overlay dirs, volumes and a uid range. All or
 * nothing. The security plan is decided here once and kept beside the record for start and exec.
 */

export interface CreateDeps {
  root: string;
  cgroupParent: string;
  usernsDefault: UsernsMode;
  store: ContainerStore;
  images: ImageStore;
  volumes: VolumeStore;
  network: NetworkManager;
}

export async function createContainer(deps: CreateDeps, body: CreateConfig, requestedName?: string): Promise<ContainerRecord> {
  if (!body.Image) throw new UserError('no image given: name one, e.g. boxlab run busybox sh');
  const hc = body.HostConfig ?? {};
  validateModes(hc);
  validateLogConfig(hc);
  validateRestartPolicy(hc);
  await precheckNetwork(deps.network, body);
  validateResources(resourcesOf(hc), hostCpus());
  const security = securityPlan(hc); // a bad --security-opt fails here, before anything exists
  const userns = resolveUsernsMode(hc.UsernsMode, deps.usernsDefault ?? 'host', { privileged: hc.Privileged ?? false });
  if (userns === 'remap') checkRemapModes(hc);
  if (body.Image === 'busybox' || body.Image === 'busybox:latest') await deps.images.ensureBusybox();
  const image = deps.images.resolve(body.Image);
  const img = image.Config;
  const { entrypoint, cmd, argv } = resolveCommand({ Entrypoint: img.Entrypoint ?? null, Cmd: img.Cmd ?? null }, body);
  if (argv.length === 0) throw new UserError('no command specified: the image has no CMD, so give one after the image name');
  const user = body.User || img.User || '';
  checkUser(deps.images, user, image);
  // -v, --tmpfs and the image's VOLUMEs, validated before anything exists
  // anonymous volumes come from the image's VOLUMEs and from the request's Volumes (`docker create -v /dir`)
  const mountSpecs = parseMounts(hc.Binds ?? [], hc.Tmpfs ?? {}, { ...img.Volumes, ...body.Volumes }, hc.Mounts ?? []);
  const name = deps.store.claimName(requestedName);
  const id = deps.store.newId();
  const hostname = containerHostname(id, body);
  const dir = deps.store.containerDir(id);
  const record: ContainerRecord = {
    Id: id,
    Created: new Date().toISOString(),
    Path: argv[0]!,
    Args: argv.slice(1),
    State: emptyState(),
    Image: image.Id,
    Name: name,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    HostnamePath: '',
    HostsPath: '',
    ResolvConfPath: '',
    LogPath: join(dir, `${id}-json.log`),
    Config: {
      ...body,
      Image: body.Image,
      Hostname: hostname,
      Env: mergeEnv(img.Env ?? [], body.Env ?? []),
      Cmd: cmd,
      Entrypoint: entrypoint,
      WorkingDir: body.WorkingDir || img.WorkingDir || '/',
      User: user,
      Tty: body.Tty ?? false,
      OpenStdin: body.OpenStdin ?? false,
    },
    HostConfig: effectiveHostConfig(hc),
    GraphDriver: { Name: 'overlay2', Data: { LowerDir: '', UpperDir: '', WorkDir: '', MergedDir: '' } },
    Mounts: [],
    NetworkSettings: { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', SandboxKey: '' },
    Boxlab: { Namespaces: {}, CgroupPaths: {}, CgroupParent: deps.cgroupParent, InitLayer: '' },
  };
  delete (record.Config as { HostConfig?: unknown }).HostConfig;
  // the networks it will join, as docker shows them at create: addresses still empty, start fills them in
  record.NetworkSettings = containerNetworkSettings(deps.network, record);
  try {
    deps.store.save(record);
    deps.store.saveSecurityPlan(id, security);
    const etc = writeEtcFiles(dir, hostname);
    Object.assign(record, { HostnamePath: etc.hostname, HostsPath: etc.hosts, ResolvConfPath: etc.resolvConf });
    const rootfs = prepareRootfs(deps.root, id, deps.images, image);
    record.GraphDriver.Data = { LowerDir: rootfs.lowerdirs.join(':'), UpperDir: rootfs.upper, WorkDir: rootfs.work, MergedDir: rootfs.merged };
    record.Boxlab.InitLayer = rootfs.initDir;
    // Volumes are created (and an empty one filled from the image: docker's copyData) now, on the host.
    const mounts = prepareMounts(mountSpecs, deps.volumes, rootfs.lowerdirs.slice(1));
    record.Boxlab.Mounts = mounts;
    record.Mounts = mounts.map(dockerMount);
    if (userns === 'remap') {
      assertUserNamespacesAvailable();
      record.Boxlab.Userns = allocateRange(id, { stateRoot: deps.root });
    }
    deps.store.save(record);
  } catch (e) {
    releaseRange(id, deps.root);
    removeRootfs(deps.root, id);
    deps.store.delete(id);
    throw e;
  }
  return record;
}

/** `-u name` must exist in the image's own /etc/passwd; checked at create so nothing is left half-made. */
function checkUser(images: ImageStore, user: string, image: ImageRecord): void {
  if (user === '' || /^\d+(:\d+)?$/.test(user)) return;
  // Looked up in the files the container will see: the topmost layer that has them (images/users.ts).
  resolveImageUser(user, [...images.layerDirs(image)].reverse());
}

/** A remapped container owns all its namespaces: they must belong to its user namespace. */
function checkRemapModes(hc: HostConfig): void {
  const shared = ([['--pid', hc.PidMode], ['--ipc', hc.IpcMode], ['--uts', hc.UTSMode], ['--network', hc.NetworkMode], ['--cgroupns', hc.CgroupnsMode]] as const)
    .filter(([, v]) => v === 'host' || v?.startsWith('container:'));
  if (shared.length) throw new UserError(`--userns remap needs the container's own namespaces: drop ${shared.map(([f, v]) => `${f} ${v}`).join(', ')} or add --userns host`);
}

/** A mount as `docker inspect` shows it under .Mounts. */
function dockerMount(m: MountSpec): Record<string, unknown> {
  return {
    Type: m.kind, ...(m.volumeName !== undefined && { Name: m.volumeName }), Source: m.kind === 'tmpfs' ? '' : m.source,
    Destination: m.target, Driver: m.kind === 'volume' ? 'local' : '', Mode: m.readonly ? 'ro' : '', RW: !m.readonly, Propagation: m.kind === 'bind' ? 'rprivate' : '',
  };
}
