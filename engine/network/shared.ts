import { networkPrefixesFor, statePaths } from '../paths.js';
import { NetworkManager } from './manager.js';

const managers = new Map<string, NetworkManager>();

/** Bridge and veth prefixes per state root: see engine/paths.ts. */
export const prefixesFor = networkPrefixesFor;

/**
 * The one NetworkManager of a state root (`<root>/network`), shared by the runtime (run --network, -p, rm)
 * and the /networks routes so that both see the same default-network and chain state.
 */
export function networkManagerFor(root: string): NetworkManager {
  const stateDir = statePaths(root).network;
  let m = managers.get(stateDir);
  if (!m) {
    m = new NetworkManager({ stateDir, ...prefixesFor(root) });
    managers.set(stateDir, m);
  }
  return m;
}
