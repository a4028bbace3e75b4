import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { LessonSession } from '../course/runner.js';
import { blockCount, Markdown } from './markdown.js';
import { lessonCodeRenderer } from './LessonBlocks.js';
import { EvidencePane, evidenceItems, TracePane } from './panes.js';
import { Spinner } from './Spinner.js';
import { useLatestInput } from './terminal.js';
const PANES = ['lesson', 'evidence', 'trace'];
const PANE_LABEL = { lesson: '1 Lesson', evidence: '2 Evidence', trace: '3 Trace' };
function entriesOf(lesson) {
    const out = [];
    if (blockCount(lesson.intro) > 0)
        out.push({ kind: 'intro', title: 'Introduction', tokens: lesson.intro });
    for (const s of lesson.steps) {
        const heading = { type: 'heading', depth: 2, raw: '', text: `Step ${s.index + 1}: ${s.title}`, tokens: [{ type: 'text', raw: '', text: `Step ${s.index + 1}: ${s.title}` }] };
        out.push({ kind: 'step', title: s.title, step: s.index, tokens: [heading, ...s.tokens] });
    }
    if (blockCount(lesson.outro) > 0)
        out.push({ kind: 'outro', title: 'Wrap-up', tokens: lesson.outro });
    return out;
}
/** One lesson: step list, the Lesson/Evidence/Trace panes, running steps and shells. */
export function LessonView(props) {
    const { lesson, width, height } = props;
    const entries = useMemo(() => entriesOf(lesson), [lesson]);
    const firstStepEntry = entries.findIndex((e) => e.kind === 'step' && e.step === props.startStep);
    const [selected, setSelected] = useState(firstStepEntry > 0 && props.startStep > 0 ? firstStepEntry : 0);
    const [pane, setPane] = useState('lesson');
    const [offsets, setOffsets] = useState({ lesson: 0, evidence: 0, trace: 0 });
    const [runningStep, setRunningStep] = useState(undefined);
    const [message, setMessage] = useState(undefined);
    const [liveTrace, setLiveTrace] = useState([]);
    const [, bump] = useReducer((n) => n + 1, 0);
    const sessionRef = useRef(undefined);
    const onStepEndRef = useRef(props.onStepEnd);
    onStepEndRef.current = props.onStepEnd;
    if (!sessionRef.current) {
        sessionRef.current = new LessonSession(lesson, {
            ...props.sessionOptions,
            onEvent: (e) => {
                if (e.type === 'trace')
                    setLiveTrace((t) => (t.length > 2000 ? [...t.slice(-1500), e.event] : [...t, e.event]));
                if (e.type === 'step-start')
                    setRunningStep(e.step);
                if (e.type === 'step-end')
                    onStepEndRef.current(e.result);
                bump();
            },
        });
    }
    const session = sessionRef.current;
    useEffect(() => { props.onSession(session); }, [session]); // eslint-disable-line react-hooks/exhaustive-deps
    const entry = entries[selected];
    const stepIndex = entry.kind === 'step' ? entry.step : undefined;
    const result = stepIndex !== undefined ? session.results[stepIndex] : undefined;
    const running = runningStep !== undefined;
    const stepWidth = Math.max(18, Math.min(30, Math.floor(width * 0.3)));
    const contentWidth = Math.max(20, width - stepWidth - 2);
    const bodyHeight = Math.max(4, height - 3);
    const paneHeight = bodyHeight - 1;
    const select = (i) => {
        setSelected(Math.max(0, Math.min(entries.length - 1, i)));
        setOffsets({ lesson: 0, evidence: 0, trace: 0 });
    };
    const run = useCallback(async (index) => {
        if (session.running)
            return;
        setMessage(undefined);
        setLiveTrace([]);
        setPane('trace');
        setOffsets({ lesson: 0, evidence: 0, trace: 0 });
        try {
            const r = await session.runStep(index);
            const asked = session.results[index];
            if (r.index !== index)
                setMessage({ text: `✗ replaying step ${r.index + 1} failed, so step ${index + 1} could not run: ${r.error ?? 'a check failed'}`, color: 'red' });
            else if (asked?.ok)
                setMessage({ text: `✓ step ${index + 1} passed (${asked.checks.length}/${asked.checks.length} checks)${index + 1 < lesson.steps.length ? ' — n for the next step' : ' — lesson complete! q returns to the menu'}`, color: 'green' });
            else
                setMessage({ text: `✗ step ${index + 1} failed (${asked?.checks.filter((c) => c.passed).length ?? 0}/${asked?.checks.length ?? 0} checks) — the Evidence pane says what went wrong`, color: 'red' });
            if (r.index !== index) {
                const e = entries.findIndex((x) => x.step === r.index);
                if (e >= 0)
                    setSelected(e);
            }
            setPane('evidence');
        }
        catch (e) {
            setMessage({ text: `✗ ${e.message}`, color: 'red' });
        }
        finally {
            setRunningStep(undefined);
        }
    }, [session, entries, lesson.steps.length]);
    const scrollMax = (p) => {
        if (p === 'lesson')
            return Math.max(0, blockCount(entry.tokens) - 1);
        if (p === 'evidence')
            return result ? Math.max(0, evidenceItems(result, 5).length - 1) : 0;
        return Math.max(0, (result && !running ? result.trace : liveTrace).length - paneHeight);
    };
    const scroll = (delta) => {
        setOffsets((o) => {
            // the trace pane counts back from its newest line
            const d = pane === 'trace' ? -delta * Math.max(1, paneHeight - 2) : delta;
            return { ...o, [pane]: Math.max(0, Math.min(scrollMax(pane), o[pane] + d)) };
        });
    };
    useLatestInput((input, key) => {
        if (!props.active)
            return;
        if (input === '?') {
            props.onHelp();
            return;
        }
        if (key.upArrow || input === 'k') {
            select(selected - 1);
            return;
        }
        if (key.downArrow || input === 'j') {
            select(selected + 1);
            return;
        }
        if (key.tab) {
            setPane(PANES[(PANES.indexOf(pane) + (key.shift ? 2 : 1)) % 3]);
            return;
        }
        if (input === '1' || input === '2' || input === '3') {
            setPane(PANES[Number(input) - 1]);
            return;
        }
        if (key.pageDown || input === ' ') {
            scroll(1);
            return;
        }
        if (key.pageUp || input === 'b') {
            scroll(-1);
            return;
        }
        if (input === 'n') {
            const next = entries.findIndex((e, i) => i > selected && e.kind === 'step');
            if (next >= 0) {
                select(next);
                setPane('lesson');
            }
            return;
        }
        if (key.return) {
            if (running) {
                setMessage({ text: 'a step is running — wait for it to finish', color: 'yellow' });
                return;
            }
            if (entry.kind === 'intro') {
                select(selected + 1);
                return;
            }
            if (stepIndex !== undefined)
                void run(stepIndex);
            return;
        }
        if (input === 's' || input === 'h') {
            if (running) {
                setMessage({ text: 'a step is running — wait for it to finish', color: 'yellow' });
                return;
            }
            setMessage({ text: props.onShell(input === 's' ? 'container' : 'host', session) });
            return;
        }
        if (input === 'q' || key.escape) {
            if (running) {
                setMessage({ text: 'a step is running — wait for it to finish, then q', color: 'yellow' });
                return;
            }
            props.onLeave();
        }
    });
    const mark = (e, i) => {
        if (e.kind !== 'step')
            return _jsx(Text, { children: " " });
        const s = e.step;
        if (runningStep === s)
            return _jsx(Spinner, {});
        const r = session.results[s];
        if (r)
            return _jsx(Text, { color: r.ok ? 'green' : 'red', children: r.ok ? '✓' : '✗' });
        if (props.doneBefore[s])
            return _jsx(Text, { color: "green", dimColor: true, children: "\u2713" });
        void i;
        return _jsx(Text, { dimColor: true, children: "\u00B7" });
    };
    const traceEvents = running || !result ? liveTrace : result.trace;
    const doneCount = lesson.steps.filter((s) => session.results[s.index]?.ok || props.doneBefore[s.index]).length;
    return (_jsxs(Box, { flexDirection: "column", width: width, height: height, children: [_jsxs(Box, { flexDirection: "row", width: width, children: [_jsx(Box, { flexGrow: 1, flexShrink: 1, children: _jsx(Text, { bold: true, color: "magentaBright", wrap: "truncate-end", children: `boxlab · ${lesson.meta.title}` }) }), _jsx(Box, { flexShrink: 0, paddingLeft: 1, children: _jsx(Text, { dimColor: true, children: `${doneCount}/${lesson.steps.length} steps · ${lesson.meta.minutes} min` }) })] }), _jsxs(Box, { flexDirection: "row", height: bodyHeight, children: [_jsx(Box, { flexDirection: "column", width: stepWidth, borderStyle: "single", borderTop: false, borderBottom: false, borderLeft: false, borderColor: "gray", overflow: "hidden", children: entries.map((e, i) => (_jsxs(Box, { flexDirection: "row", children: [_jsx(Box, { width: 2, flexShrink: 0, children: mark(e, i) }), _jsx(Text, { inverse: i === selected, bold: i === selected, wrap: "truncate-end", dimColor: e.kind !== 'step' && i !== selected, children: e.kind === 'step' ? `${e.step + 1} ${e.title}` : e.title })] }, i))) }), _jsxs(Box, { flexDirection: "column", width: contentWidth, paddingLeft: 1, children: [_jsxs(Box, { flexDirection: "row", height: 1, children: [PANES.map((p) => (_jsx(Text, { inverse: p === pane, color: p === pane ? 'cyanBright' : 'gray', children: ` ${PANE_LABEL[p]} ` }, p))), result && !running ? _jsx(Text, { color: result.ok ? 'green' : 'red', children: `  ${result.ok ? '✓ passed' : '✗ failed'}` }) : null] }), _jsxs(Box, { flexDirection: "column", height: paneHeight, overflow: "hidden", children: [pane === 'lesson' ? _jsx(Markdown, { tokens: entry.tokens, width: contentWidth - 1, renderCode: lessonCodeRenderer(contentWidth - 1), offset: offsets.lesson }) : null, pane === 'evidence' ? _jsx(EvidencePane, { result: result, height: paneHeight, offset: offsets.evidence, running: running }) : null, pane === 'trace' ? _jsx(TracePane, { events: traceEvents, height: paneHeight, offset: offsets.trace }) : null] })] })] }), _jsx(Box, { height: 1, width: width, children: running
                    ? _jsxs(Text, { wrap: "truncate-end", children: [_jsx(Spinner, {}), " ", `running step ${runningStep + 1}: ${lesson.steps[runningStep]?.title ?? ''}${runningStep < (stepIndex ?? 0) ? ' (replaying earlier steps first)' : ''}`] })
                    : message
                        ? _jsx(Text, { wrap: "truncate-end", ...(message.color !== undefined && { color: message.color }), children: message.text })
                        : _jsx(Text, { dimColor: true, wrap: "truncate-end", children: "\u23CE run step \u00B7 \u2191\u2193 choose \u00B7 tab pane \u00B7 PgUp/PgDn scroll \u00B7 s shell \u00B7 h host shell \u00B7 ? help \u00B7 q back" }) })] }));
}
//# sourceMappingURL=LessonView.js.map