import type { Duplex } from 'node:stream';
import { frame, type StreamName } from '../containers/logs.js';
import type { ProcessIO } from '../containers/io.js';
import { detachFilter, parseDetachKeys } from './detach-keys.js';

/**
 * Wires a hijacked client socket to a process's stdio: output as raw bytes (tty) or docker's multiplexed
 * frames, input from the client into the process's stdin. `closeStdinOnEnd`: the client's end of input ends
 * the process's stdin (docker's StdinOnce, what `run -i` and `exec -i` want).
 */
export function pipeIO(io: ProcessIO, socket: Duplex, opts: { stdin: boolean; stdout: boolean; stderr: boolean; closeStdinOnEnd: boolean; raw?: boolean; detachKeys?: number[] },
  buffered?: ReturnType<typeof bufferIO>): void {
  // raw bytes or frames: as the process's tty, unless the request said otherwise (exec start's own Tty)
  const raw = opts.raw ?? io.tty;
  const onData = (stream: StreamName, chunk: Buffer): void => {
    if ((stream === 'stdout' && !opts.stdout) || (stream === 'stderr' && !opts.stderr)) return;
    if (socket.writable) socket.write(raw ? chunk : frame(stream, chunk));
  };
  if (buffered) {
    buffered.stop();
    buffered.replay(onData);
  }
  const onEnd = (): void => {
    socket.end();
  };
  io.on('data', onData);
  io.once('end', onEnd);
  if (io.ended) onEnd();
  const detach = (): void => {
    io.off('data', onData);
    io.off('end', onEnd);
  };
  socket.on('close', detach);
  socket.on('error', detach);
  if (opts.stdin) {
    // input for a process that has gone (its stdin closed: EPIPE/EBADF) is dropped, never a daemon crash
    if (io.stdin && io.stdin.listenerCount('error') === 0) io.stdin.on('error', () => undefined);
    // on a terminal the detach keys end this client's attachment, the process goes on (docker's escape
    // proxy); a pipe passes every byte as it is
    let detached = false;
    const filter = !io.tty ? (c: Buffer): Buffer => c : detachFilter(opts.detachKeys ?? parseDetachKeys(undefined), () => {
      detached = true;
      detach();
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      const input = filter(chunk);
      if (!detached && input.length && !io.ended && io.stdin?.writable) io.stdin.write(input);
    });
    socket.on('end', () => {
      if (!detached && opts.closeStdinOnEnd && !io.tty) io.stdin?.end();
    });
  }
}

/** Collects output until a socket is ready (exec start answers 101 only once the command runs). */
export function bufferIO(io: ProcessIO): { replay: (to: (s: StreamName, c: Buffer) => void) => void; stop: () => void } {
  const chunks: [StreamName, Buffer][] = [];
  const collect = (s: StreamName, c: Buffer): void => {
    chunks.push([s, c]);
  };
  io.on('data', collect);
  return {
    replay: (to) => {
      for (const [s, c] of chunks) to(s, c);
      chunks.length = 0;
    },
    stop: () => io.off('data', collect),
  };
}
