const MARK = { ok: '✓', warn: '!', fail: '✗' };
function line(c, width) {
    const out = [`${MARK[c.status]} ${c.title.padEnd(width)}  ${c.detail}`];
    if (c.fix && c.status !== 'ok')
        out.push(`  ${' '.repeat(width)}  fix: ${c.fix}`);
    return out;
}
/** Plain text, one check per line and its fix under it; the summary last. */
export function formatDoctor(report, opts = {}) {
    const chosen = report.checks
        .filter((c) => !opts.essentialOnly || c.essential)
        .filter((c) => !opts.problemsOnly || c.status !== 'ok');
    const width = Math.max(0, ...chosen.map((c) => c.title.length));
    const { cgroup, iptables, kernel } = report.facts;
    const lines = [`boxlab doctor: kernel ${kernel}, cgroup ${cgroup.mode}, iptables ${iptables.backend ?? 'missing'}`];
    for (const c of chosen)
        lines.push(...line(c, width));
    const fails = report.checks.filter((c) => c.status === 'fail').length;
    const warns = report.checks.filter((c) => c.status === 'warn').length;
    lines.push(fails + warns === 0 ? 'all checks passed'
        : `${fails} problem${fails === 1 ? '' : 's'}, ${warns} warning${warns === 1 ? '' : 's'}${fails ? ': the lessons need the problems fixed' : ''}`);
    return lines.join('\n');
}
//# sourceMappingURL=format.js.map