import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { Box, Text } from 'ink';
import { lessonStatus, resumeStep, STATUS_MARK, stepsDone } from '../course/progress.js';
const MARK_COLOR = { new: 'gray', started: 'yellow', done: 'green' };
/** The lesson list: progress mark, id, title, minutes; the selected lesson's summary below. */
export function Menu({ lessons, progress, selected, width, height, hidden, welcome = [] }) {
    const listHeight = Math.max(3, height - 7 - welcome.length);
    const first = Math.max(0, Math.min(selected - Math.floor(listHeight / 2), lessons.length - listHeight));
    const shown = lessons.slice(first, first + listHeight);
    const cur = lessons[selected];
    const last = progress.lastLesson ? lessons.find((l) => l.meta.id === progress.lastLesson) : undefined;
    const titleWidth = Math.max(10, width - 4 - 18 - 9);
    return (_jsxs(Box, { flexDirection: "column", width: width, height: height, children: [_jsxs(Text, { bold: true, color: "magentaBright", wrap: "truncate-end", children: ["boxlab ", _jsx(Text, { dimColor: true, children: "\u2014 learn how containers work by running one" })] }), welcome.map((line, i) => _jsx(Text, { color: line.startsWith('✗') ? 'red' : 'green', wrap: "truncate-end", children: line }, i)), _jsxs(Box, { flexDirection: "column", height: listHeight, marginTop: 1, overflow: "hidden", children: [lessons.length === 0 ? _jsx(Text, { color: "red", children: "No lessons found. `boxlab lessons lint` says why." }) : null, shown.map((l, i) => {
                        const idx = first + i;
                        const status = lessonStatus(progress, l);
                        const sel = idx === selected;
                        const done = stepsDone(progress, l).filter(Boolean).length;
                        return (_jsxs(Box, { flexDirection: "row", children: [_jsxs(Text, { wrap: "truncate", children: [_jsx(Text, { color: "cyanBright", children: sel ? '▸' : ' ' }), " ", _jsx(Text, { color: MARK_COLOR[status], children: STATUS_MARK[status] }), " "] }), _jsx(Box, { width: 18, flexShrink: 0, paddingRight: 1, children: _jsx(Text, { inverse: sel, wrap: "truncate-end", children: l.meta.id }) }), _jsx(Box, { width: titleWidth, children: _jsx(Text, { bold: sel, wrap: "truncate-end", children: l.meta.title }) }), _jsx(Text, { dimColor: true, children: `${String(l.meta.minutes).padStart(3)} min` }), status === 'started' ? _jsx(Text, { color: "yellow", children: ` ${done}/${l.steps.length}` }) : null] }, l.meta.id));
                    })] }), _jsxs(Box, { flexDirection: "column", height: 3, children: [cur ? _jsx(Text, { wrap: "truncate-end", color: "white", children: cur.meta.summary }) : null, cur && cur.meta.prerequisites.length > 0 ? _jsx(Text, { dimColor: true, wrap: "truncate-end", children: `first: ${cur.meta.prerequisites.join(', ')}` }) : null, hidden > 0 ? _jsx(Text, { color: "red", wrap: "truncate-end", children: `${hidden} lesson file(s) have problems and are hidden — run boxlab lessons lint` }) : null] }), _jsx(Text, { dimColor: true, wrap: "truncate-end", children: `⏎ open  ↑↓ choose  ${last ? `r resume ${last.meta.id} (step ${resumeStep(progress, last) + 1})  ` : ''}? help  q quit` })] }));
}
//# sourceMappingURL=Menu.js.map