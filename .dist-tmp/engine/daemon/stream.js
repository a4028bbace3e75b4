import { frame } from '../containers/logs.js';
/**
 * Wires a hijacked client socket to a process's stdio: output as raw bytes (tty) or docker's multiplexed
 * frames, input from the client into the process's stdin. `closeStdinOnEnd`: the client's end of input ends
 * the process's stdin (docker's StdinOnce, what `run -i` and `exec -i` want).
 */
export function pipeIO(io, socket, opts, buffered) {
    const onData = (stream, chunk) => {
        if ((stream === 'stdout' && !opts.stdout) || (stream === 'stderr' && !opts.stderr))
            return;
        if (socket.writable)
            socket.write(io.tty ? chunk : frame(stream, chunk));
    };
    if (buffered) {
        buffered.stop();
        buffered.replay(onData);
    }
    const onEnd = () => {
        socket.end();
    };
    io.on('data', onData);
    io.once('end', onEnd);
    if (io.ended)
        onEnd();
    const detach = () => {
        io.off('data', onData);
        io.off('end', onEnd);
    };
    socket.on('close', detach);
    socket.on('error', detach);
    if (opts.stdin) {
        socket.on('data', (chunk) => {
            io.stdin?.write(chunk);
        });
        socket.on('end', () => {
            if (opts.closeStdinOnEnd && !io.tty)
                io.stdin?.end();
        });
    }
}
/** Collects output until a socket is ready (exec start answers 101 only once the command runs). */
export function bufferIO(io) {
    const chunks = [];
    const collect = (s, c) => {
        chunks.push([s, c]);
    };
    io.on('data', collect);
    return {
        replay: (to) => {
            for (const [s, c] of chunks)
                to(s, c);
            chunks.length = 0;
        },
        stop: () => io.off('data', collect),
    };
}
//# sourceMappingURL=stream.js.map