/** The bridge network driver: networks, veth endpoints, IPAM, NAT and published ports, name resolution. */
export { NetworkManager, DEFAULT_NETWORK, } from './manager.js';
export { parsePublish, formatPublish } from './ports.js';
export { detectIptablesBackend } from './iptables.js';
export { parseNetworkMode, portsToDocker } from './modes.js';
export { networkManagerFor, prefixesFor } from './shared.js';
export { attachContainer, networkSettings } from './attach.js';
export { precheckNetwork, startNetwork, stopNetwork, watchPeers, writeHosts, portSpecsOf, requestedIp } from './container-hooks.js';
export { configureInterface } from './ifconfig.js';
//# sourceMappingURL=index.js.map