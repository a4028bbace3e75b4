/**
 * cgroups for boxlab containers: one {@link CgroupManager} interface, a v1 and a v2 implementation chosen
 * from the host's mode. Hybrid hosts (v1 controllers plus a controller-less cgroup2 at
 * /sys/fs/cgroup/unified) use the v1 manager, as runc does.
 */
import { V1Manager, listV1Children, removeV1Parent } from './v1.js';
import { V2Manager, listV2Children, removeV2Parent } from './v2.js';
import { modeOf, readCgroupMounts, type CgroupMounts } from './mode.js';
import type { CgroupManager, Resources } from './types.js';
import { hostCpus, validateResources } from './validate.js';

export type { CgroupManager, CgroupStats, HostCpus, Resources } from './types.js';
export { detectCgroupMode, parseCgroupMounts, modeOf, type CgroupMode, type CgroupMounts } from './mode.js';
export { parseSize, parseMemorySwap, formatSize } from './size.js';
export { validateResources, hostCpus, resourceChange } from './validate.js';
export { MIN_MEMORY, RESOURCE_FIELDS, RESOURCE_KEYS, resourcesOf, resourcesFromFlags, resourceFlagSpecs, type ResourceFlags, type ResourceKey } from './fields.js';
export { parseCpuList, formatCpuList } from './cpulist.js';
export * from './convert.js';
export { V1Manager } from './v1.js';
export { V2Manager } from './v2.js';

/** The unified hierarchy when the host runs cgroup v2, else undefined (v1 and hybrid use the v1 manager). */
function v2Root(mounts: CgroupMounts): string | undefined {
  return modeOf(mounts) === 'v2' ? mounts.unified : undefined;
}

/** A manager for cgroup `<parent>/<name>` in this host's cgroup version. Nothing is created until create(). */
export function cgroupManager(opts: { parent: string; name: string }): CgroupManager {
  const mounts = readCgroupMounts();
  const root = v2Root(mounts);
  return root !== undefined ? new V2Manager({ ...opts, root }) : new V1Manager({ ...opts, mounts });
}

/**
 * validate, create, set — or nothing at all: on any failure the new cgroup is removed again. What the
 * container code calls before starting a container's init.
 */
export function createCgroup(opts: { parent: string; name: string }, resources: Resources): CgroupManager {
  validateResources(resources, hostCpus());
  const cg = cgroupManager(opts);
  cg.create();
  try {
    cg.set(resources);
  } catch (err) {
    cg.destroy();
    throw err;
  }
  return cg;
}

/** rmdir the parent cgroup in every hierarchy where it has no children left. */
export function removeParent(parent: string): void {
  const mounts = readCgroupMounts();
  const root = v2Root(mounts);
  if (root !== undefined) removeV2Parent(parent, root);
  else removeV1Parent(parent, mounts);
}

/** Names of the child cgroups of `parent` (in any hierarchy): `reset` uses it to find orphans after a crash. */
export function listChildren(parent: string): string[] {
  const mounts = readCgroupMounts();
  const root = v2Root(mounts);
  return root !== undefined ? listV2Children(parent, root) : listV1Children(parent, mounts);
}
export * from './docker-stats.js';
