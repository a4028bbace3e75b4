/**
 * The overlay network driver: state in etcd (store.ts), VXLAN data plane (vxlan.ts), one host's agent
 * (agent.ts), the daemon's link to etcd (connection.ts). store.ts (etcd3, gRPC) is exported as types only:
 * it is loaded on the first overlay request, never merely by importing this room.
 */
export type { ClusterStore, OverlayNetwork, OverlayEndpoint } from './store.js';
export { parseClusterStore } from './url.js';
export { OverlayAgent, type AttachedEndpoint } from './agent.js';
export { ClusterConnection, setClusterConnection, clusterConnectionOf, overlayAgentOf } from './connection.js';
export { OVERLAY_MTU, VXLAN_PORT, overlayLinkNames } from './vxlan.js';
