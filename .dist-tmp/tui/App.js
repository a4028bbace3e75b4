import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { useCallback, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import { binDir } from '../course/env.js';
import { loadProgress, recordStep, resumeStep, saveProgress, stepsDone } from '../course/progress.js';
import { Help } from './Help.js';
import { LessonView } from './LessonView.js';
import { Menu } from './Menu.js';
import { handOverTerminal, useLatestInput, useTerminalSize } from './terminal.js';
export function App(props) {
    const { lessons } = props;
    const { exit } = useApp();
    const size = useTerminalSize(props.size);
    // Ink rewrites the whole screen when the frame is as tall as the terminal; one row less avoids flicker
    const width = Math.max(40, size.columns);
    const height = Math.max(12, size.rows - 1);
    const [progress, setProgress] = useState(() => loadProgress(props.progressFile));
    const want = props.initialLesson;
    const initial = want ? lessons.findIndex((l) => l.meta.id === want || l.meta.id.startsWith(`${want}-`) || l.meta.id.split('-').slice(1).join('-') === want) : -1;
    // the menu opens on the lesson last worked on, so ⏎ resumes it
    const last = lessons.findIndex((l) => l.meta.id === progress.lastLesson);
    const [selected, setSelected] = useState(initial >= 0 ? initial : Math.max(0, last));
    const [open, setOpen] = useState(initial >= 0 ? { lesson: lessons[initial], start: resumeStep(progress, lessons[initial]), key: 0 } : undefined);
    const [help, setHelp] = useState(false);
    const [busy, setBusy] = useState(undefined);
    const sessionRef = useRef(undefined);
    const handOver = props.handOver ?? handOverTerminal;
    const setSession = useCallback((s) => {
        sessionRef.current = s;
        props.onSessionChange?.(s);
    }, [props]);
    const openLesson = (lesson) => {
        setOpen({ lesson, start: resumeStep(progress, lesson), key: Date.now() });
    };
    const onStepEnd = useCallback((lesson, r) => {
        setProgress((p) => {
            const next = recordStep(structuredClone(p), lesson, r.index, { ok: r.ok, checksPassed: r.checks.filter((c) => c.passed).length, checksTotal: r.checks.length });
            try {
                saveProgress(props.progressFile, next);
            }
            catch { /* a read-only home must not stop the lesson */ }
            return next;
        });
    }, [props.progressFile]);
    const leave = () => {
        const s = sessionRef.current;
        setBusy('cleaning up the lesson…');
        void (s ? s.cleanup() : Promise.resolve([])).finally(() => {
            setSession(undefined);
            setOpen(undefined);
            setBusy(undefined);
        });
    };
    const shell = (which, session) => {
        const env = session.commandEnv;
        if (which === 'container') {
            const ctr = session.lesson.meta.shell;
            if (!ctr)
                return 'this lesson has no container to enter (h opens a host shell)';
            const code = handOver(`${binDir()}/boxlab`, ['exec', '-it', ctr, 'sh'], {
                env, raw: true, banner: `boxlab: a shell inside container "${ctr}" — try hostname, ps, cat /proc/1/status; exit (or Ctrl-D) returns to the lesson`,
            });
            return code === 0 || code === 130 ? `back from the shell in ${ctr}` : `the shell in ${ctr} exited with ${code} — is the container running? Run the steps first.`;
        }
        const sh = process.env.SHELL || '/bin/sh';
        const code = handOver(sh, [], {
            env, banner: `boxlab: a host shell; boxlab on PATH talks to the lesson's daemon (try boxlab ps). exit returns to the lesson`,
        });
        return `back from the host shell (exit ${code})`;
    };
    useLatestInput((input, key) => {
        if (help) {
            setHelp(false);
            return;
        }
        if (busy || open)
            return;
        if (input === '?') {
            setHelp(true);
            return;
        }
        if (key.upArrow || input === 'k')
            setSelected((s) => Math.max(0, s - 1));
        else if (key.downArrow || input === 'j')
            setSelected((s) => Math.min(lessons.length - 1, s + 1));
        else if (key.return && lessons[selected])
            openLesson(lessons[selected]);
        else if (input === 'r' && progress.lastLesson) {
            const l = lessons.find((x) => x.meta.id === progress.lastLesson);
            if (l)
                openLesson(l);
        }
        else if (input === 'q' || key.escape)
            exit();
    });
    let body;
    if (busy)
        body = _jsx(Box, { height: height, children: _jsx(Text, { color: "yellow", children: busy }) });
    else if (open) {
        body = (_jsx(LessonView, { lesson: open.lesson, width: width, height: height, sessionOptions: props.sessionOptions, doneBefore: stepsDone(progress, open.lesson), startStep: open.start, onStepEnd: (r) => onStepEnd(open.lesson, r), onSession: setSession, onLeave: leave, onShell: shell, onHelp: () => setHelp(true), active: !help }, open.key));
    }
    else
        body = _jsx(Menu, { lessons: lessons, progress: progress, selected: selected, width: width, height: height, hidden: props.hidden ?? 0, ...(props.welcome && { welcome: props.welcome }) });
    // the lesson stays mounted under the help so its session and panes survive
    return (_jsxs(Box, { flexDirection: "column", width: width, height: height, children: [_jsx(Box, { display: help ? 'none' : 'flex', flexDirection: "column", children: body }), help ? _jsx(Help, { width: width }) : null] }));
}
//# sourceMappingURL=App.js.map