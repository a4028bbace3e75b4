import { jsx as _jsx } from "react/jsx-runtime";
import { render } from 'ink';
import { UserError } from '../engine/sys/errors.js';
import { daemonTargetFromEnv, detectCgroupVersion, lessonsDir as defaultLessonsDir, DEFAULT_SOCKET } from '../course/env.js';
import { loadLessons } from '../course/lint.js';
import { progressFile } from '../course/progress.js';
import { DaemonTraceSource } from '../course/trace-source.js';
import { App } from './App.js';
import { dirname } from 'node:path';
import { firstRunNeeded, markFirstRun, runDoctor, essentialProblems } from '../engine/doctor/index.js';
import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, SHOW_CURSOR } from './terminal.js';
/**
 * The first time `boxlab` opens for a learner: a welcome line and doctor's essential problems (each with its
 * fix), shown on the menu. Later runs skip it; `boxlab doctor` shows everything any time.
 */
async function firstRunWelcome(stateDir, stateRoot) {
    if (!firstRunNeeded(stateDir))
        return undefined;
    const report = await runDoctor(stateRoot ? { stateRoot } : {});
    markFirstRun(stateDir);
    const problems = essentialProblems(report);
    return [
        'Welcome! Every step runs real containers here and shows the kernel\'s evidence. ? lists the keys.',
        ...(problems.length === 0 ? ['✓ doctor: this machine has what the lessons need']
            : problems.map((c) => `✗ ${c.title}: ${c.detail}${c.fix ? ` — ${c.fix}` : ''}`)),
    ];
}
/**
 * The `boxlab` TUI. Resolves with the exit code once the learner quits. Whatever happens (q, Ctrl-C,
 * an exception) the terminal gets its main screen, cursor and cooked mode back, and the open lesson is
 * cleaned up so no container is left behind.
 */
export async function startTui(opts = {}) {
    const env = opts.env ?? process.env;
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw new UserError('the boxlab course needs a terminal; without one use `boxlab lessons` and `boxlab check`');
    }
    const { lessons, diagnostics } = loadLessons(opts.lessonsDir ?? defaultLessonsDir(env));
    const broken = new Set(diagnostics.map((d) => d.file));
    const usable = lessons.filter((l) => !broken.has(l.file));
    const target = opts.target ?? daemonTargetFromEnv(env);
    let session;
    let restored = false;
    const restore = () => {
        if (restored)
            return;
        restored = true;
        try {
            if (process.stdin.isTTY)
                process.stdin.setRawMode(false);
            process.stdout.write(`${LEAVE_ALT_SCREEN}${SHOW_CURSOR}`);
        }
        catch { /* the terminal is gone (SIGHUP): nothing to restore */ }
    };
    let fatal = false;
    const onFatal = (err) => {
        // once is enough: with the terminal gone, reporting the error fails too and would loop
        if (fatal)
            return;
        fatal = true;
        try {
            instance.unmount();
        }
        catch { /* already unmounted */ }
        restore();
        const code = err?.code;
        if (code !== 'EIO' && code !== 'EPIPE') {
            try {
                process.stderr.write(`boxlab: ${err?.stack ?? String(err)}\n`);
            }
            catch { /* nowhere to say it */ }
        }
        process.exitCode = 1;
    };
    // a vanished terminal makes writes fail with EIO: stop drawing, clean up, leave
    const onOutputError = (err) => onFatal(err);
    process.stdout.on('error', onOutputError);
    process.stderr.on('error', () => { });
    const welcome = await firstRunWelcome(dirname(progressFile(env)), target.root);
    process.stdout.write(`${ENTER_ALT_SCREEN}${HIDE_CURSOR}`);
    process.on('exit', restore);
    // a closed terminal (SIGHUP) or a kill (SIGTERM) still ends through unmount, so the lesson is cleaned up
    const onSignal = () => instance.unmount();
    process.on('SIGHUP', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);
    const instance = render(_jsx(App, { lessons: usable, hidden: broken.size, progressFile: progressFile(env), sessionOptions: { target, traceSource: new DaemonTraceSource(target.socket ?? DEFAULT_SOCKET), cgroup: detectCgroupVersion(env) }, ...(opts.lesson !== undefined && { initialLesson: opts.lesson }), onSessionChange: (s) => { session = s; }, ...(welcome && { welcome }) }), { exitOnCtrlC: true, patchConsole: true });
    try {
        await instance.waitUntilExit();
        return 0;
    }
    catch (e) {
        onFatal(e);
        return 1;
    }
    finally {
        restore();
        process.off('uncaughtException', onFatal);
        process.off('unhandledRejection', onFatal);
        process.off('SIGHUP', onSignal);
        process.stdout.off('error', onOutputError);
        process.off('SIGTERM', onSignal);
        if (session) {
            // a step interrupted by Ctrl-C may still have a command running; let it finish before cleaning up
            const deadline = Date.now() + 10_000;
            while (session.running && Date.now() < deadline)
                await new Promise((r) => setTimeout(r, 100));
            const failures = await session.cleanup();
            try {
                for (const f of failures)
                    process.stderr.write(`boxlab: cleanup: ${f}\n`);
            }
            catch { /* terminal gone */ }
        }
    }
}
//# sourceMappingURL=index.js.map