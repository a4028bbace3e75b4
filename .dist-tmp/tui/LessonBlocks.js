import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { Box, Text } from 'ink';
import { commandLines, isRunnableInfo } from '../course/parse.js';
import { CodeBlock } from './markdown.js';
const LABEL = {
    action: { text: '▶ action', color: 'green' },
    observe: { text: '◉ observe', color: 'blue' },
    capture: { text: '⇢ capture', color: 'magenta' },
    check: { text: '✓ checks', color: 'yellow' },
    cleanup: { text: '♻ cleanup (before and after the lesson)', color: 'gray' },
};
/** How runnable blocks look in the lesson text: labelled boxes, commands with `$`, checks as sentences. */
export function lessonCodeRenderer(width) {
    return (token, key) => {
        if (!isRunnableInfo(token.lang))
            return undefined;
        const [kind = '', ...attrs] = (token.lang ?? '').trim().split(/\s+/);
        const label = LABEL[kind];
        const title = (_jsxs(Text, { color: label.color, children: [label.text, attrs.length > 0 ? _jsx(Text, { dimColor: true, children: `  ${attrs.join(' ')}` }) : null] }));
        if (kind === 'check') {
            const sentences = [...token.text.matchAll(/^\s*proves:\s*(.+)$/gm)].map((m) => m[1].replace(/^["']|["']$/g, ''));
            return (_jsxs(Box, { flexDirection: "column", marginBottom: 1, borderStyle: "round", borderColor: "yellow", paddingX: 1, width: width, children: [title, sentences.map((s, i) => _jsx(Text, { children: `• ${s}` }, i))] }, key));
        }
        if (kind === 'capture')
            return _jsx(CodeBlock, { code: token.text, width: width, title: title }, key);
        const cmds = commandLines(token.text, 1).map((c) => `$ ${c.text}`).join('\n');
        return _jsx(CodeBlock, { code: cmds, width: width, title: title }, key);
    };
}
//# sourceMappingURL=LessonBlocks.js.map