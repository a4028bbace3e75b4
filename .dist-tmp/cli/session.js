import { demuxer } from '../engine/client/client.js';
const CTRL_P = 0x10;
const CTRL_Q = 0x11;
/**
 * Connects the terminal to a hijacked attach/exec stream. With a tty the local terminal goes raw (keys pass
 * through untouched, so Ctrl-C reaches the container) and Ctrl-p Ctrl-q — the sequence, not either key —
 * detaches, leaving the container running. Resolves with how the session ended.
 */
export function runSession(o) {
    return new Promise((resolve) => {
        const input = process.stdin;
        const raw = o.tty && o.stdin && input.isTTY;
        let finished = false;
        const cleanups = [];
        const finish = (how) => {
            if (finished)
                return;
            finished = true;
            for (const c of cleanups)
                c();
            if (how === 'detached') {
                o.socket.destroy();
                process.stderr.write('\r\nread escape sequence\r\n');
            }
            resolve(how);
        };
        o.socket.on('end', () => finish('ended'));
        o.socket.on('close', () => finish('ended'));
        o.socket.on('error', () => finish('ended'));
        // Raw mode before the first byte is shown: a shell's prompt may ask the terminal a question (busybox
        // asks for the cursor position) whose answer must reach the container, not be echoed in cooked mode.
        if (raw) {
            input.setRawMode(true);
            cleanups.push(() => input.setRawMode(false));
        }
        const write = o.multiplexed
            ? demuxer((stream, payload) => (stream === 'stderr' ? process.stderr : process.stdout).write(payload))
            : (chunk) => process.stdout.write(chunk);
        if (o.head.length)
            write(o.head);
        o.socket.on('data', write);
        if (o.stdin) {
            let sawCtrlP = false;
            const onInput = (chunk) => {
                if (raw) {
                    for (let i = 0; i < chunk.length; i++) {
                        if (sawCtrlP && chunk[i] === CTRL_Q)
                            return finish('detached');
                        sawCtrlP = chunk[i] === CTRL_P;
                    }
                }
                o.socket.write(chunk);
            };
            input.on('data', onInput);
            const onEnd = () => {
                if (!o.tty)
                    o.socket.end();
            };
            input.on('end', onEnd);
            input.resume();
            cleanups.push(() => {
                input.off('data', onInput);
                input.off('end', onEnd);
                input.pause();
            });
        }
        if (o.tty && o.resizePath && process.stdout.isTTY) {
            const resize = () => {
                void o.client.post(o.resizePath, undefined, { h: process.stdout.rows, w: process.stdout.columns }).catch(() => undefined);
            };
            resize();
            process.stdout.on('resize', resize);
            cleanups.push(() => process.stdout.off('resize', resize));
        }
    });
}
//# sourceMappingURL=session.js.map