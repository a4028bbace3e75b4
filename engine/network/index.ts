/** The bridge network driver: networks, veth endpoints, IPAM, NAT and published ports, name resolution. */
export {
  NetworkManager, DEFAULT_NETWORK,
  type NetworkSpec, type EndpointInfo, type NetworkRecord, type ConnectOptions, type ConnectStep, type NetworkManagerOptions,
} from './manager.js';
export { parsePublish, formatPublish, type PortSpec } from './ports.js';
export { detectIptablesBackend } from './iptables.js';
export { parseNetworkMode, portsToDocker, type NetworkMode } from './modes.js';
export { networkManagerFor, prefixesFor } from './shared.js';
export { attachContainer, interfacesFor, networkSettings, type AttachInput, type DockerNetworkSettings } from './attach.js';
