import { host } from '../sys/index.js';
async function iptables(args, allowFailure = false) {
    // -w: wait for the xtables lock instead of failing when another tool (or boxlab process) holds it
    const r = await host('iptables', ['-w', ...args], { allowFailure });
    return r.exitCode === 0;
}
export async function detectIptablesBackend() {
    const r = await host('iptables', ['--version']);
    return /nf_tables/.test(r.stdout) ? 'nft' : 'legacy';
}
export async function ruleExists(r) {
    return iptables(['-t', r.table, '-C', r.chain, ...r.spec], true);
}
export async function addRule(r) {
    await iptables(['-t', r.table, '-A', r.chain, ...r.spec]);
}
/** Adds the rule unless an identical one is there already (reconcile after a crash or reboot). */
export async function ensureRule(r) {
    if (!(await ruleExists(r)))
        await addRule(r);
}
/** Deletes one copy of the rule; a rule that is already gone is not an error (idempotent cleanup). */
export async function deleteRule(r) {
    if (await ruleExists(r))
        await iptables(['-t', r.table, '-D', r.chain, ...r.spec], true);
}
/**
 * One set of boxlab chains, named `<PREFIX>-POSTROUTING`, `<PREFIX>-DNAT`, `<PREFIX>-FORWARD` (BOXLAB-… by
 * default). A test or a second daemon with another bridge prefix gets chains of its own and never touches
 * these.
 */
export class Chains {
    postrouting;
    dnat;
    forward;
    jumps;
    constructor(prefix) {
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
    get all() {
        return [{ table: 'nat', chain: this.postrouting }, { table: 'nat', chain: this.dnat }, { table: 'filter', chain: this.forward }];
    }
    /** Creates the chains and the jumps into them; safe to call again. */
    async ensure() {
        for (const c of this.all) {
            if (!(await iptables(['-t', c.table, '-S', c.chain], true)))
                await iptables(['-t', c.table, '-N', c.chain]);
        }
        for (const j of this.jumps) {
            if (!(await ruleExists(j)))
                await iptables(['-t', j.table, '-I', j.chain, '1', ...j.spec]);
        }
    }
    /** Removes the jumps and the chains with whatever rules they still hold. */
    async remove() {
        for (const j of this.jumps) {
            while (await ruleExists(j))
                await iptables(['-t', j.table, '-D', j.chain, ...j.spec]);
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
    networkRules(bridge, subnet, bridgeWildcard) {
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
    portRules(p) {
        const dst = p.hostIp && p.hostIp !== '0.0.0.0' ? ['-d', `${p.hostIp}/32`] : [];
        return [
            { table: 'nat', chain: this.dnat, spec: [...dst, '!', '-i', p.bridge, '-p', p.proto, '-m', p.proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`] },
            { table: 'filter', chain: this.forward, spec: ['-d', `${p.containerIp}/32`, '!', '-i', p.bridge, '-o', p.bridge, '-p', p.proto, '-m', p.proto, '--dport', String(p.containerPort), '-j', 'ACCEPT'] },
        ];
    }
}
//# sourceMappingURL=iptables.js.map