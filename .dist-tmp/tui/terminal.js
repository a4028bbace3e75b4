import { spawnSync } from 'node:child_process';
import { useEffect, useRef, useState } from 'react';
import { useInput, useStdout } from 'ink';
export const ENTER_ALT_SCREEN = '\u001b[?1049h';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';
export const SHOW_CURSOR = '\u001b[?25h';
export const HIDE_CURSOR = '\u001b[?25l';
export const CLEAR_SCREEN = '\u001b[2J\u001b[H';
/** The terminal size, updated on resize (Ink re-renders on resize; this makes the layout follow). */
export function useTerminalSize(fixed) {
    const { stdout } = useStdout();
    const read = () => ({
        columns: fixed?.columns ?? (stdout.columns || 80),
        rows: fixed?.rows ?? (stdout.rows || 24),
    });
    const [size, setSize] = useState(read);
    useEffect(() => {
        const onResize = () => setSize(read());
        stdout.on('resize', onResize);
        return () => { stdout.off('resize', onResize); };
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [stdout, fixed?.columns, fixed?.rows]);
    return size;
}
/**
 * Hands the terminal to `file` (stdio inherited) and takes it back: leaves the alternate screen and raw
 * mode first, so the learner gets a normal shell, and restores both after. spawnSync blocks the event loop,
 * so Ink neither reads keys nor draws while the child owns the terminal.
 */
export const handOverTerminal = (file, args, opts) => {
    const stdin = process.stdin;
    const out = process.stdout;
    const wasRaw = stdin.isTTY ? stdin.isRaw : false;
    // Ctrl-C / Ctrl-\ typed in the child reach our process group too; they are the child's to handle.
    const ignore = () => { };
    const signals = ['SIGINT', 'SIGQUIT', 'SIGTSTP', 'SIGTTOU', 'SIGTTIN'];
    for (const s of signals)
        process.on(s, ignore);
    try {
        // `raw` hands the terminal over still raw, for a child that makes it raw anyway (`boxlab exec -it`):
        // a shell's first terminal query (busybox asks for the cursor position) may be answered before the child
        // has switched modes, and in cooked mode the answer would be echoed and typed into the shell.
        if (stdin.isTTY)
            stdin.setRawMode(opts.raw ?? false);
        const nl = opts.raw ? '\r\n' : '\n';
        out.write(`${LEAVE_ALT_SCREEN}${SHOW_CURSOR}${nl}${opts.banner}${nl}`);
        const r = spawnSync(file, args, { stdio: 'inherit', env: { ...process.env, ...opts.env } });
        if (r.error)
            out.write(`${file}: ${r.error.message}\n`);
        return r.status ?? (r.signal ? 128 : 1);
    }
    finally {
        if (stdin.isTTY)
            stdin.setRawMode(wasRaw);
        out.write(`${ENTER_ALT_SCREEN}${CLEAR_SCREEN}${HIDE_CURSOR}`);
        for (const s of signals)
            process.off(s, ignore);
    }
};
/**
 * useInput whose handler is always the one from the latest render; handlers check themselves whether
 * they are in charge. Ink re-subscribes handlers in a
 * passive effect, so a key typed right after a frame appears would otherwise see the previous state.
 */
export function useLatestInput(handler) {
    const ref = useRef(handler);
    ref.current = handler;
    // always subscribed: toggling isActive re-subscribes in an effect too, and a key in between was lost
    useInput((input, key) => ref.current(input, key));
}
//# sourceMappingURL=terminal.js.map