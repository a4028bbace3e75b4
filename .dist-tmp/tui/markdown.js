import { jsx as _jsx, jsxs as _jsxs, Fragment as _Fragment } from "react/jsx-runtime";
import { Box, Text } from 'ink';
/** Inline tokens (strong, em, codespan, links ...) as nested <Text> so Ink wraps them as one paragraph. */
export function Inline({ tokens, text }) {
    if (!tokens || tokens.length === 0)
        return _jsx(Text, { children: decode(text ?? '') });
    return _jsx(Text, { children: tokens.map((t, i) => inlineToken(t, String(i))) });
}
function decode(s) {
    // marked escapes HTML entities in text; the terminal shows the characters themselves
    return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
function inlineToken(t, key) {
    switch (t.type) {
        case 'strong': return _jsx(Text, { bold: true, children: children(t, key) }, key);
        case 'em': return _jsx(Text, { italic: true, children: children(t, key) }, key);
        case 'del': return _jsx(Text, { strikethrough: true, children: children(t, key) }, key);
        case 'codespan': return _jsx(Text, { color: "yellow", children: decode(t.text) }, key);
        case 'br': return _jsx(Text, { children: '\n' }, key);
        case 'link': {
            const l = t;
            const label = l.tokens && l.tokens.length > 0 ? children(l, key) : decode(l.text);
            // show the address unless the label already is it, so it can be copied from the terminal
            const showHref = l.text !== l.href && `mailto:${l.text}` !== l.href;
            return _jsxs(Text, { children: [_jsx(Text, { color: "blue", underline: true, children: label }), showHref ? _jsx(Text, { dimColor: true, children: ` <${l.href}>` }) : null] }, key);
        }
        case 'image': {
            const im = t;
            return _jsx(Text, { dimColor: true, children: `[image: ${im.text}] <${im.href}>` }, key);
        }
        case 'text': {
            const tx = t;
            // a newline inside a paragraph is a soft break: the terminal re-wraps the text, so it becomes a space
            return tx.tokens && tx.tokens.length > 0 ? _jsx(Text, { children: children(tx, key) }, key) : _jsx(Text, { children: decode(tx.text).replace(/\n/g, ' ') }, key);
        }
        case 'escape': return _jsx(Text, { children: decode(t.text) }, key);
        case 'html': return _jsx(Text, { dimColor: true, children: t.text }, key);
        default: return _jsx(Text, { children: decode('text' in t ? String(t.text) : t.raw) }, key);
    }
}
function children(t, key) {
    return (t.tokens ?? []).map((c, i) => inlineToken(c, `${key}.${i}`));
}
const HEADING_COLOR = ['magentaBright', 'cyanBright', 'cyan', 'white', 'white', 'white'];
/** One block-level token. */
export function MarkdownBlock({ token, width, renderCode, keyPrefix }) {
    switch (token.type) {
        case 'space': return null;
        case 'heading': {
            const h = token;
            return (_jsx(Box, { marginBottom: h.depth <= 2 ? 1 : 0, children: _jsxs(Text, { bold: true, color: HEADING_COLOR[h.depth - 1], underline: h.depth === 1, children: [h.depth > 2 ? `${'#'.repeat(h.depth)} ` : '', _jsx(Inline, { tokens: h.tokens, text: h.text })] }) }));
        }
        case 'paragraph': {
            const p = token;
            return _jsx(Box, { marginBottom: 1, width: width, children: _jsx(Inline, { tokens: p.tokens, text: p.text }) });
        }
        case 'text': {
            const tx = token;
            return _jsx(Box, { width: width, children: _jsx(Inline, { tokens: tx.tokens, text: tx.text }) });
        }
        case 'code': {
            const c = token;
            const custom = renderCode?.(c, keyPrefix);
            if (custom !== undefined)
                return _jsx(_Fragment, { children: custom });
            return _jsx(CodeBlock, { code: c.text, lang: c.lang, width: width });
        }
        case 'blockquote': {
            const q = token;
            return (_jsx(Box, { marginBottom: 1, borderStyle: "single", borderTop: false, borderRight: false, borderBottom: false, borderColor: "gray", paddingLeft: 1, flexDirection: "column", children: q.tokens.map((t, i) => _jsx(MarkdownBlock, { token: t, width: width - 2, renderCode: renderCode, keyPrefix: `${keyPrefix}.${i}` }, i)) }));
        }
        case 'list': return _jsx(List, { list: token, width: width, renderCode: renderCode, keyPrefix: keyPrefix });
        case 'hr': return _jsx(Box, { marginBottom: 1, children: _jsx(Text, { dimColor: true, children: '─'.repeat(Math.max(3, Math.min(width, 60))) }) });
        case 'table': return _jsx(Table, { table: token, width: width });
        case 'html': return _jsx(Text, { dimColor: true, children: token.text.trimEnd() });
        case 'def': return null;
        default: return _jsx(Text, { children: token.raw.trimEnd() });
    }
}
export function CodeBlock({ code, lang, width, title }) {
    return (_jsxs(Box, { flexDirection: "column", marginBottom: 1, borderStyle: "round", borderColor: "gray", paddingX: 1, width: Math.max(10, width), children: [title ?? (lang ? _jsx(Text, { dimColor: true, children: lang }) : null), _jsx(Text, { color: "greenBright", children: code })] }));
}
function List({ list, width, renderCode, keyPrefix }) {
    const start = typeof list.start === 'number' ? list.start : 1;
    return (_jsx(Box, { flexDirection: "column", marginBottom: 1, children: list.items.map((item, i) => {
            const bullet = item.task ? (item.checked ? '[x] ' : '[ ] ') : list.ordered ? `${start + i}. ` : '• ';
            return (_jsxs(Box, { flexDirection: "row", children: [_jsx(Text, { color: "cyan", children: bullet }), _jsx(Box, { flexDirection: "column", width: Math.max(10, width - bullet.length), children: item.tokens.filter((t) => t.type !== 'checkbox').map((t, j) => (t.type === 'list'
                            ? _jsx(List, { list: t, width: width - bullet.length, renderCode: renderCode, keyPrefix: `${keyPrefix}.${i}.${j}` }, j)
                            : t.type === 'paragraph' || t.type === 'text'
                                ? _jsx(Inline, { tokens: t.tokens, text: t.text }, j)
                                : _jsx(MarkdownBlock, { token: t, width: width - bullet.length, renderCode: renderCode, keyPrefix: `${keyPrefix}.${i}.${j}` }, j))) })] }, i));
        }) }));
}
function cellText(tokens) {
    return tokens.map((t) => ('tokens' in t && t.tokens ? cellText(t.tokens) : decode('text' in t ? String(t.text) : t.raw))).join('');
}
function Table({ table, width }) {
    const header = table.header.map((h) => cellText(h.tokens));
    const rows = table.rows.map((r) => r.map((c) => cellText(c.tokens)));
    const n = header.length;
    const natural = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    // shrink the widest columns until the table fits; cells then wrap inside their column
    const budget = Math.max(n * 4, width - (n + 1) * 3);
    const widths = [...natural];
    while (widths.reduce((a, b) => a + b, 0) > budget) {
        const i = widths.indexOf(Math.max(...widths));
        widths[i] = widths[i] - 1;
    }
    const row = (cells, bold, key) => (_jsx(Box, { flexDirection: "row", children: cells.map((c, i) => (_jsx(Box, { width: widths[i] + 3, paddingRight: 1, children: _jsx(Text, { bold: bold, color: bold ? 'cyan' : undefined, children: `${i === 0 ? '' : '│ '}${c}` }) }, i))) }, key));
    return (_jsxs(Box, { flexDirection: "column", marginBottom: 1, children: [row(header, true, 'h'), _jsx(Text, { dimColor: true, children: widths.map((w) => '─'.repeat(w + 2)).join('┼') }), rows.map((r, i) => row(r, false, String(i)))] }));
}
/** Block tokens as Ink components; `offset` scrolls by whole blocks. */
export function Markdown({ tokens, width, renderCode, offset = 0 }) {
    const blocks = tokens.filter((t) => t.type !== 'space' && t.type !== 'def');
    return (_jsx(Box, { flexDirection: "column", width: width, children: blocks.slice(offset).map((t, i) => (_jsx(Box, { flexShrink: 0, flexDirection: "column", children: _jsx(MarkdownBlock, { token: t, width: width, renderCode: renderCode, keyPrefix: String(i + offset) }) }, i + offset))) }));
}
export function blockCount(tokens) {
    return tokens.filter((t) => t.type !== 'space' && t.type !== 'def').length;
}
//# sourceMappingURL=markdown.js.map