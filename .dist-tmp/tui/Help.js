import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { Box, Text } from 'ink';
const KEYS = [
    ['↑/↓  k/j', 'choose a lesson or a step'],
    ['⏎', 'open the lesson / run the chosen step'],
    ['r', 'resume where you left off (menu)'],
    ['n', 'next step'],
    ['tab  1 2 3', 'switch pane: Lesson, Evidence, Trace'],
    ['PgUp/PgDn  b/space', 'scroll the pane'],
    ['s', "shell inside the lesson's container (exit to come back)"],
    ['h', "host shell with boxlab on PATH (exit to come back)"],
    ['?', 'this help'],
    ['q  Esc', 'back to the menu (cleans the lesson up) / quit'],
    ['Ctrl-C', 'quit at once (still cleans up)'],
];
export function Help({ width }) {
    return (_jsxs(Box, { flexDirection: "column", borderStyle: "round", borderColor: "cyan", paddingX: 1, width: Math.min(width, 76), children: [_jsx(Text, { bold: true, color: "cyanBright", children: "Keys" }), KEYS.map(([k, what]) => (_jsxs(Box, { flexDirection: "row", children: [_jsx(Box, { width: 22, children: _jsx(Text, { color: "yellow", children: k }) }), _jsx(Text, { wrap: "truncate-end", children: what })] }, k))), _jsx(Text, { dimColor: true, children: "Each step runs real boxlab commands; the Trace pane shows the syscalls and host commands the engine made, the Evidence pane what the kernel shows, and each check what it proves. Press any key." })] }));
}
//# sourceMappingURL=Help.js.map