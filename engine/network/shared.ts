import { join } from 'node:path';
import { NetworkManager } from './manager.js';

const managers = new Map<string, NetworkManager>();

/**
 * The one NetworkManager of a state root (`<root>/network`), shared by the runtime (run --network, -p, rm)
 * and the /networks routes so that both see the same default-network and chain state. Tests that run a
 * daemon on the real host can keep their links apart with BOXLAB_BRIDGE_PREFIX / BOXLAB_VETH_PREFIX.
 */
export function networkManagerFor(root: string): NetworkManager {
  const stateDir = join(root, 'network');
  let m = managers.get(stateDir);
  if (!m) {
    m = new NetworkManager({
      stateDir,
      ...(process.env.BOXLAB_BRIDGE_PREFIX && { bridgePrefix: process.env.BOXLAB_BRIDGE_PREFIX }),
      ...(process.env.BOXLAB_VETH_PREFIX && { vethPrefix: process.env.BOXLAB_VETH_PREFIX }),
    });
    managers.set(stateDir, m);
  }
  return m;
}
