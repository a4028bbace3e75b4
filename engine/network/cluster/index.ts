/** The overlay network driver: state in etcd (store.ts), VXLAN data plane (vxlan.ts), one host's agent (agent.ts). */
export { ClusterStore, parseClusterStore, type OverlayNetwork, type OverlayEndpoint } from './store.js';
export { OverlayAgent, type AttachedEndpoint } from './agent.js';
export { ClusterConnection, setClusterConnection, clusterConnectionOf, overlayAgentOf } from './connection.js';
export { OVERLAY_MTU, VXLAN_PORT, overlayLinkNames } from './vxlan.js';
