import { host } from '../sys/index.js';

/**
 * boxlab's iptables rules live in its own chains, reached by one jump rule from each built-in chain it needs.
 * Nobody else's rules are flushed, deleted or reordered: jumps are inserted at position 1 (the others keep
 * their relative order) so a host whose FORWARD policy is DROP (Debian with docker-ce) or whose FORWARD chain
 * ends in a REJECT still lets boxlab traffic through, and removing boxlab is "delete my jumps, flush my chains".
 */
export interface Rule {
  table: 'nat' | 'filter';
  chain: string;
  spec: string[];
}

async function iptables(args: string[], allowFailure = false): Promise<boolean> {
  // -w: wait for the xtables lock instead of failing when another tool (or boxlab process) holds it
  const r = await host('iptables', ['-w', ...args], { allowFailure });
  return r.exitCode === 0;
}

export async function detectIptablesBackend(): Promise<'nft' | 'legacy'> {
  const r = await host('iptables', ['--version']);
  return /nf_tables/.test(r.stdout) ? 'nft' : 'legacy';
}

export async function ruleExists(r: Rule): Promise<boolean> {
  return iptables(['-t', r.table, '-C', r.chain, ...r.spec], true);
}

export async function addRule(r: Rule): Promise<void> {
  await iptables(['-t', r.table, '-A', r.chain, ...r.spec]);
}

/** Adds the rule unless an identical one is there already (reconcile after a crash or reboot). */
export async function ensureRule(r: Rule): Promise<void> {
  if (!(await ruleExists(r))) await addRule(r);
}

/** Deletes one copy of the rule; a rule that is already gone is not an error (idempotent cleanup). */
export async function deleteRule(r: Rule): Promise<void> {
  if (await ruleExists(r)) await iptables(['-t', r.table, '-D', r.chain, ...r.spec], true);
}

export interface PortRuleInput {
  bridge: string;
  containerIp: string;
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  proto: 'tcp' | 'udp';
}

/**
 * One set of boxlab chains, named `<PREFIX>-POSTROUTING`, `<PREFIX>-DNAT`, `<PREFIX>-FORWARD` (BOXLAB-… by
 * default). A test or a second daemon with another bridge prefix gets chains of its own and never touches
 * these.
 */
export class Chains {
  readonly postrouting: string;
  readonly dnat: string;
  readonly forward: string;
  private readonly jumps: Rule[];

  constructor(prefix: string) {
    const p = prefix.toUpperCase();
    this.postrouting = `${p}-POSTROUTING`;
    this.dnat = `${p}-DNAT`;
    this.forward = `${p}-FORWARD`;
    this.jumps = [
      { table: 'nat', chain: 'POSTROUTING', spec: ['-j', this.postrouting] },
      // Published ports: packets from elsewhere (PREROUTING) and from the host itself (OUTPUT) to a local address.
      { table: 'nat', chain: 'PREROUTING', spec: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', this.dnat] },
      { table: 'nat', chain: 'OUTPUT', spec: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', this.dnat] },
      { table: 'filter', chain: 'FORWARD', spec: ['-j', this.forward] },
    ];
  }

  private get all(): { table: 'nat' | 'filter'; chain: string }[] {
    return [{ table: 'nat', chain: this.postrouting }, { table: 'nat', chain: this.dnat }, { table: 'filter', chain: this.forward }];
  }

  /** Creates the chains and the jumps into them; safe to call again. */
  async ensure(): Promise<void> {
    for (const c of this.all) {
      if (!(await iptables(['-t', c.table, '-S', c.chain], true))) await iptables(['-t', c.table, '-N', c.chain]);
    }
    for (const j of this.jumps) {
      if (!(await ruleExists(j))) await iptables(['-t', j.table, '-I', j.chain, '1', ...j.spec]);
    }
  }

  /** Removes the jumps and the chains with whatever rules they still hold. */
  async remove(): Promise<void> {
    for (const j of this.jumps) {
      while (await ruleExists(j)) await iptables(['-t', j.table, '-D', j.chain, ...j.spec]);
    }
    for (const c of this.all) {
      if (await iptables(['-t', c.table, '-S', c.chain], true)) {
        await iptables(['-t', c.table, '-F', c.chain]);
        await iptables(['-t', c.table, '-X', c.chain]);
      }
    }
  }

  /**
   * Rules of one bridge network:
   * - MASQUERADE what leaves the subnet through any other interface (containers reach beyond the host);
   * - MASQUERADE what the host sends from 127.0.0.0/8 into the bridge: a published port reached at
   *   127.0.0.1 is DNATed to the container, whose reply to 127.0.0.1 would otherwise stay in its own lo;
   * - FORWARD: containers of this bridge talk to each other (br_netfilter sends bridged frames through
   *   FORWARD) and out; replies come back; other boxlab bridges are not reachable (isolation).
   */
  networkRules(bridge: string, subnet: string, bridgeWildcard: string): Rule[] {
    return [
      { table: 'nat', chain: this.postrouting, spec: ['-s', subnet, '!', '-o', bridge, '-j', 'MASQUERADE'] },
      { table: 'nat', chain: this.postrouting, spec: ['-s', '127.0.0.0/8', '-o', bridge, '-j', 'MASQUERADE'] },
      { table: 'filter', chain: this.forward, spec: ['-i', bridge, '-o', bridge, '-j', 'ACCEPT'] },
      { table: 'filter', chain: this.forward, spec: ['-i', bridge, '-o', bridgeWildcard, '-j', 'DROP'] },
      { table: 'filter', chain: this.forward, spec: ['-i', bridge, '-j', 'ACCEPT'] },
      { table: 'filter', chain: this.forward, spec: ['-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'] },
    ];
  }

  /** DNAT of one published port plus the FORWARD accept that lets the new connection reach the container. */
  portRules(p: PortRuleInput): Rule[] {
    const dst = p.hostIp && p.hostIp !== '0.0.0.0' ? ['-d', `${p.hostIp}/32`] : [];
    return [
      { table: 'nat', chain: this.dnat, spec: [...dst, '!', '-i', p.bridge, '-p', p.proto, '-m', p.proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`] },
      { table: 'filter', chain: this.forward, spec: ['-d', `${p.containerIp}/32`, '!', '-i', p.bridge, '-o', p.bridge, '-p', p.proto, '-m', p.proto, '--dport', String(p.containerPort), '-j', 'ACCEPT'] },
    ];
  }
}
