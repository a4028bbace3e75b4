import { host, type HostResult } from '../../sys/index.js';
import type { OverlayEndpoint, OverlayNetwork } from './store.js';

/**
 * The overlay's data plane on one host, made with iproute2 so a learner can replay each step: per network a
 * bridge and a VXLAN device (its VNI, UDP 4789, MTU 1450) enslaved to it. The VXLAN device learns nothing and
 * floods nothing by multicast: every remote endpoint is programmed from the cluster store instead —
 *
 *   bridge fdb append 00:00:00:00:00:00 dev <vxlan> dst <remote host>   (broadcast goes to each host with endpoints)
 *   bridge fdb replace <mac> dev <vxlan> dst <remote host> self permanent (unicast to the right host)
 *   ip neigh replace <ip> lladdr <mac> dev <vxlan> nud permanent          (ARP answered locally: `proxy`)
 *
 * 1450 = 1500 − 50 bytes of VXLAN encapsulation (outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8), so an
 * encapsulated full-size packet still fits the underlay's 1500.
 */

export const OVERLAY_MTU = 1450;
export const VXLAN_PORT = 4789;
/** `ip -d link` shows it on every overlay bridge boxlab makes */
export const OVERLAY_ALIAS = 'boxlab overlay network';
const ALL_ZERO_MAC = '00:00:00:00:00:00';

export interface OverlayLinks {
  bridge: string;
  vxlan: string;
}

export interface DataPlaneOptions {
  /** link name prefix, 1–5 lower-case letters/digits (names are `<prefix>b<vni>` and `<prefix>x<vni>`) */
  prefix: string;
  /** this host's underlay address: the tunnels' local end */
  underlay: string;
  /** act in this network namespace (a path such as /proc/<pid>/ns/net) instead of the caller's */
  netns?: string;
}

/** Runs a host tool in the data plane's namespace. */
export function run(opts: DataPlaneOptions, file: string, args: string[], allowFailure = false): Promise<HostResult> {
  return opts.netns === undefined
    ? host(file, args, { allowFailure })
    : host('nsenter', [`--net=${opts.netns}`, '--', file, ...args], { allowFailure });
}

export function overlayLinkNames(prefix: string, vni: number): OverlayLinks {
  return { bridge: `${prefix}b${vni}`, vxlan: `${prefix}x${vni}` };
}

/** The bridge and VXLAN device of one network (idempotent: existing links are kept). */
export async function ensureOverlayLinks(net: OverlayNetwork, opts: DataPlaneOptions): Promise<OverlayLinks> {
  const links = overlayLinkNames(opts.prefix, net.vni);
  if ((await run(opts, 'ip', ['link', 'show', 'dev', links.bridge], true)).exitCode !== 0) {
    await run(opts, 'ip', ['link', 'add', links.bridge, 'mtu', String(OVERLAY_MTU), 'type', 'bridge']);
    await run(opts, 'ip', ['link', 'set', 'dev', links.bridge, 'alias', OVERLAY_ALIAS]);
  }
  if ((await run(opts, 'ip', ['link', 'show', 'dev', links.vxlan], true)).exitCode !== 0) {
    try {
      await run(opts, 'ip', ['link', 'add', links.vxlan, 'mtu', String(OVERLAY_MTU), 'type', 'vxlan', 'id', String(net.vni),
        'local', opts.underlay, 'dstport', String(VXLAN_PORT), 'nolearning', 'proxy']);
      await run(opts, 'ip', ['link', 'set', 'dev', links.vxlan, 'master', links.bridge, 'up']);
    } catch (e) {
      await deleteOverlayLinks(links, opts);
      throw e;
    }
  }
  await run(opts, 'ip', ['link', 'set', 'dev', links.bridge, 'up']);
  return links;
}

/** Deleting the links takes their FDB and neighbour entries with them. */
export async function deleteOverlayLinks(links: OverlayLinks, opts: DataPlaneOptions): Promise<void> {
  await run(opts, 'ip', ['link', 'del', 'dev', links.vxlan], true);
  await run(opts, 'ip', ['link', 'del', 'dev', links.bridge], true);
}

/** Where a remote endpoint's frames go, and its ARP answer. `firstOnHost`: also flood broadcasts there. */
export async function addRemoteEndpoint(links: OverlayLinks, ep: OverlayEndpoint, firstOnHost: boolean, opts: DataPlaneOptions): Promise<void> {
  if (firstOnHost) await run(opts, 'bridge', ['fdb', 'append', ALL_ZERO_MAC, 'dev', links.vxlan, 'dst', ep.underlay]);
  await run(opts, 'bridge', ['fdb', 'replace', ep.mac, 'dev', links.vxlan, 'dst', ep.underlay, 'self', 'permanent']);
  await run(opts, 'ip', ['neigh', 'replace', ep.ip, 'lladdr', ep.mac, 'dev', links.vxlan, 'nud', 'permanent']);
}

/** Undoes {@link addRemoteEndpoint}; `lastOnHost`: the remote host has no endpoint left, stop flooding to it. */
export async function removeRemoteEndpoint(links: OverlayLinks, ep: OverlayEndpoint, lastOnHost: boolean, opts: DataPlaneOptions): Promise<void> {
  await run(opts, 'ip', ['neigh', 'del', ep.ip, 'dev', links.vxlan], true);
  await run(opts, 'bridge', ['fdb', 'del', ep.mac, 'dev', links.vxlan, 'dst', ep.underlay, 'self'], true);
  // and what the bridge itself learned from the endpoint's frames (it would otherwise age out only in 300 s)
  await run(opts, 'bridge', ['fdb', 'del', ep.mac, 'dev', links.vxlan, 'master'], true);
  if (lastOnHost) await run(opts, 'bridge', ['fdb', 'del', ALL_ZERO_MAC, 'dev', links.vxlan, 'dst', ep.underlay], true);
}
