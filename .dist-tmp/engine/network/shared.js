import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { NetworkManager } from './manager.js';
const managers = new Map();
export const DEFAULT_ROOT = '/var/lib/boxlab';
/**
 * Names of the kernel objects a state root owns. Bridges, veths and iptables chains belong to the network
 * namespace, not to a state root, so two daemons with different roots on one host (a learner's plus a test or
 * lesson run) must not share them: each would keep its own IPAM for the same bridge and hand out the same
 * addresses, and one's `reset` would delete the other's bridge. The default root keeps the names a learner
 * reads about (boxlab0, BOXLAB-*); any other root gets `bx<hash>` (bridge bx1a2b30, chains BX1A2B3-*).
 */
export function prefixesFor(root) {
    if (process.env.BOXLAB_BRIDGE_PREFIX) {
        return { bridgePrefix: process.env.BOXLAB_BRIDGE_PREFIX, vethPrefix: process.env.BOXLAB_VETH_PREFIX ?? 'bxv' };
    }
    if (resolve(root) === DEFAULT_ROOT)
        return { bridgePrefix: 'boxlab', vethPrefix: 'bxv' };
    const h = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 5);
    return { bridgePrefix: `bx${h}`, vethPrefix: `v${h}` };
}
/**
 * The one NetworkManager of a state root (`<root>/network`), shared by the runtime (run --network, -p, rm)
 * and the /networks routes so that both see the same default-network and chain state.
 */
export function networkManagerFor(root) {
    const stateDir = join(root, 'network');
    let m = managers.get(stateDir);
    if (!m) {
        m = new NetworkManager({ stateDir, ...prefixesFor(root) });
        managers.set(stateDir, m);
    }
    return m;
}
//# sourceMappingURL=shared.js.map