import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/**
 * Where boxlab keeps things, in one place: the default state root and socket, the layout under a state root,
 * and the names a root gives the host-wide objects it owns (its cgroup parent, bridge and veth prefixes).
 *
 * Host-wide objects are named per root because two daemons with different roots may share a host (a
 * learner's plus a test or a lesson run): sharing a cgroup parent, one's orphan sweep would kill the other's
 * containers; sharing a bridge, each would keep its own IPAM for it and hand out the same addresses. The
 * default root keeps the names a learner reads about (cgroup `boxlab`, bridge boxlab0, chains BOXLAB-*);
 * any other root gets names carrying a hash of its absolute path.
 */

export const DEFAULT_ROOT = '/var/lib/boxlab';
export const DEFAULT_SOCKET = '/run/boxlab/boxlab.sock';

/** The layout of a state root. */
export function statePaths(root: string) {
  return {
    containers: join(root, 'containers'),
    images: join(root, 'image'),
    overlay: join(root, 'overlay'),
    volumes: join(root, 'volumes'),
    network: join(root, 'network'),
    pidFile: join(root, 'boxlabd.pid'),
    log: join(root, 'boxlabd.log'),
  };
}

const isDefault = (root: string): boolean => resolve(root) === DEFAULT_ROOT;

/** The hex digest naming a non-default root's host-wide objects; callers take as many digits as fit. */
function rootTag(root: string): string {
  return createHash('sha256').update(resolve(root)).digest('hex');
}

/** The cgroup that holds every container of this root: `boxlab`, or `boxlab-<8 hex>` for another root. */
export function cgroupParentFor(root: string): string {
  return isDefault(root) ? 'boxlab' : `boxlab-${rootTag(root).slice(0, 8)}`;
}

/**
 * Bridge and veth name prefixes of this root (interface names have 15 characters, so the tag is shorter):
 * boxlab/bxv, or bx<5 hex>/v<5 hex>. BOXLAB_BRIDGE_PREFIX / BOXLAB_VETH_PREFIX override them.
 */
export function networkPrefixesFor(root: string): { bridgePrefix: string; vethPrefix: string } {
  if (process.env.BOXLAB_BRIDGE_PREFIX) {
    return { bridgePrefix: process.env.BOXLAB_BRIDGE_PREFIX, vethPrefix: process.env.BOXLAB_VETH_PREFIX ?? 'bxv' };
  }
  if (isDefault(root)) return { bridgePrefix: 'boxlab', vethPrefix: 'bxv' };
  const h = rootTag(root).slice(0, 5);
  return { bridgePrefix: `bx${h}`, vethPrefix: `v${h}` };
}
