import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { Box, Text } from 'ink';
import { formatTrace } from '../engine/sys/trace.js';
export function CheckLine({ result }) {
    return (_jsxs(Box, { flexDirection: "column", children: [_jsxs(Text, { color: result.passed ? 'green' : 'red', children: [`${result.passed ? '✓' : '✗'} `, _jsx(Text, { color: undefined, children: result.proves })] }), !result.passed ? _jsx(Text, { dimColor: true, children: `    ${result.detail}` }) : null, !result.passed && result.hint ? _jsx(Text, { color: "yellow", children: `    hint: ${result.hint}` }) : null] }));
}
function Output({ text, max, color }) {
    if (text.trim() === '')
        return null;
    const lines = text.replace(/\n$/, '').split('\n');
    const shown = lines.slice(0, max);
    return (_jsxs(Box, { flexDirection: "column", paddingLeft: 2, children: [shown.map((l, i) => _jsx(Text, { wrap: "truncate-end", ...(color !== undefined && { color }), children: l || ' ' }, i)), lines.length > max ? _jsx(Text, { dimColor: true, children: `… ${lines.length - max} more lines` }) : null] }));
}
function RunView({ run, max }) {
    return (_jsxs(Box, { flexDirection: "column", children: [_jsxs(Text, { wrap: "truncate-end", children: [_jsx(Text, { color: "green", children: "$ " }), run.command, run.ok ? '' : _jsx(Text, { color: "red", children: `  (exit ${run.exitCode})` })] }), _jsx(Output, { text: run.stdout, max: max }), !run.ok ? _jsx(Output, { text: run.stderr, max: max, color: "red" }) : null] }));
}
/** Changed lines with one line of context around them; long unchanged runs become one "…". */
export function collapseDiff(diff) {
    const changed = (d) => d !== undefined && d.op !== ' ';
    const keep = diff.map((d, i) => changed(d) || changed(diff[i - 1]) || changed(diff[i + 1]));
    if (!diff.some(changed))
        return [...diff.slice(0, 3), ...(diff.length > 3 ? ['gap'] : [])];
    const out = [];
    diff.forEach((d, i) => {
        if (keep[i])
            out.push(d);
        else if (out.at(-1) !== 'gap')
            out.push('gap');
    });
    return out;
}
function ObservationView({ obs, max }) {
    const title = `◉ ${obs.name ?? 'observation'}${obs.phase ? ` (${obs.phase})` : ''}`;
    if (obs.diff) {
        const changed = obs.diff.some((d) => d.op !== ' ');
        return (_jsxs(Box, { flexDirection: "column", children: [_jsxs(Text, { color: "blue", children: [title, _jsx(Text, { dimColor: true, children: changed ? '  — difference from before:' : '  — no difference from before' })] }), obs.runs.map((r, i) => _jsxs(Text, { wrap: "truncate-end", children: [_jsx(Text, { color: "green", children: "$ " }), r.command] }, i)), _jsx(Box, { flexDirection: "column", paddingLeft: 2, children: collapseDiff(obs.diff).slice(0, max * 2).map((d, i) => (d === 'gap'
                        ? _jsx(Text, { dimColor: true, children: "  \u2026" }, i)
                        : _jsx(Text, { wrap: "truncate-end", ...(d.op === '+' ? { color: 'green', bold: true } : d.op === '-' ? { color: 'red' } : { dimColor: true }), children: `${d.op} ${d.text}` }, i))) })] }));
    }
    return (_jsxs(Box, { flexDirection: "column", children: [_jsx(Text, { color: "blue", children: title }), obs.runs.map((r, i) => _jsx(RunView, { run: r, max: max }, i))] }));
}
/** Items of the evidence pane, most important first; scrolled item by item. */
export function evidenceItems(result, maxLines) {
    const items = [];
    const passed = result.checks.filter((c) => c.passed).length;
    items.push(_jsxs(Text, { bold: true, color: result.ok ? 'green' : 'red', children: [`${result.ok ? '✓' : '✗'} Step ${result.index + 1}: ${result.title}`, _jsx(Text, { dimColor: true, children: result.checks.length > 0 ? `  ${passed}/${result.checks.length} checks` : '' })] }, "head"));
    if (result.error !== undefined) {
        items.push(_jsxs(Box, { flexDirection: "column", children: [_jsx(Text, { color: "red", children: `✗ ${result.error}` }), result.hint ? _jsx(Text, { color: "yellow", children: `  hint: ${result.hint}` }) : null] }, "err"));
    }
    result.checks.forEach((c, i) => items.push(_jsx(CheckLine, { result: c }, `c${i}`)));
    if (result.error === undefined && !result.ok && result.hint && !result.checks.some((c) => !c.passed && c.hint)) {
        items.push(_jsx(Text, { color: "yellow", children: `hint: ${result.hint}` }, "hint"));
    }
    // a "before" whose "after" ran in the same step is already inside the after's diff
    const paired = new Set(result.observations.filter((o) => o.phase === 'after' && o.diff).map((o) => o.name));
    result.observations.forEach((o, i) => {
        if (o.phase === 'before' && paired.has(o.name))
            return;
        items.push(_jsx(ObservationView, { obs: o, max: maxLines }, `o${i}`));
    });
    result.actions.forEach((a, i) => items.push(_jsx(RunView, { run: a, max: maxLines }, `a${i}`)));
    if (result.captures.length > 0) {
        items.push(_jsx(Box, { flexDirection: "column", children: result.captures.map((c, i) => _jsxs(Text, { wrap: "truncate-end", color: "magenta", children: [`⇢ ${c.name} = `, _jsx(Text, { color: undefined, children: c.value.split('\n')[0] })] }, i)) }, "caps"));
    }
    return items;
}
export function EvidencePane({ result, height, offset, running }) {
    if (!result) {
        return _jsx(Text, { dimColor: true, children: running ? 'running… the evidence appears here when the step is done' : 'Run the step (⏎) to see the evidence here.' });
    }
    const items = evidenceItems(result, Math.max(3, height - 4));
    return (_jsx(Box, { flexDirection: "column", children: items.slice(Math.min(offset, items.length - 1)).map((item) => _jsx(Box, { flexShrink: 0, flexDirection: "column", children: item }, item.key)) }));
}
/** Container ids are 64 hex digits; 12 are enough to tell them apart on screen (as `docker ps` does). */
export function shortenIds(line) {
    return line.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}
function traceColor(e) {
    if (e.error !== undefined)
        return { color: 'red' };
    if (e.kind === 'command')
        return { color: 'yellow' };
    if (e.kind === 'note')
        return { dimColor: true };
    return { color: 'cyan' };
}
/** The engine's syscalls and host commands, newest at the bottom; `offset` scrolls back. */
export function TracePane({ events, height, offset }) {
    if (events.length === 0)
        return _jsx(Text, { dimColor: true, children: "No trace yet: it streams here while a step's boxlab commands run." });
    const end = Math.max(0, events.length - offset);
    const shown = events.slice(Math.max(0, end - height), end);
    return (_jsx(Box, { flexDirection: "column", children: shown.map((e, i) => _jsx(Box, { flexShrink: 0, children: _jsx(Text, { wrap: "truncate-end", ...traceColor(e), children: shortenIds(formatTrace(e)) }) }, i)) }));
}
//# sourceMappingURL=panes.js.map