import { connect, type Socket } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ProcessIO } from './io.js';

/**
 * boxlabd's end of a boxlab-shim's socket (engine/shim/shim.c): the container's output as the shim reads it
 * (the shim has already written it to the log), stdin for attach, and the exit. The same connection serves a
 * container this daemon started and one a restarted daemon finds still running.
 */

/** What the shim records when the init exits, in `<container dir>/shim-exit.json`. */
export interface ShimExit {
  ExitCode: number;
  FinishedAt: string;
}

const EXIT_FILE = 'shim-exit.json';

export function readShimExit(dir: string): ShimExit | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, EXIT_FILE), 'utf8')) as ShimExit;
  } catch {
    return undefined;
  }
}

/** A start begins with no exit on file: one left by the previous run must not be taken for this one's. */
export function clearShimExit(dir: string): void {
  rmSync(join(dir, EXIT_FILE), { force: true });
}

export interface ShimConnection {
  /** the exit as the shim recorded it; undefined when the shim vanished without one (it was killed) */
  exited: Promise<ShimExit | undefined>;
  stdin: Writable;
  close(): void;
}

function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/**
 * Connects to a shim by its pid: the socket is `shim.sock` in the shim's cwd, reached through
 * /proc/<pid>/cwd because a container directory's absolute path can be longer than a socket path may be.
 */
export function connectShim(shimPid: number, dir: string, io: ProcessIO): Promise<ShimConnection> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(`/proc/${shimPid}/cwd/shim.sock`);
    let buf: Buffer = Buffer.alloc(0);
    let exit: ShimExit | undefined;
    const exited = new Promise<ShimExit | undefined>((done) => {
      sock.on('close', () => {
        io.finish();
        done(exit ?? readShimExit(dir));
      });
    });
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 5) {
        const n = buf.readUInt32BE(1);
        if (buf.length < 5 + n) break;
        const type = buf[0];
        const payload = buf.subarray(5, 5 + n);
        buf = buf.subarray(5 + n);
        if (type === 1) io.push('stdout', payload);
        else if (type === 2) io.push('stderr', payload);
        else if (type === 4) exit = JSON.parse(payload.toString()) as ShimExit;
      }
    });
    const stdin = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (sock.destroyed) return done();
        sock.write(frame(0, chunk), () => done());
      },
      final(done) {
        if (!sock.destroyed) sock.write(frame(3));
        done();
      },
    });
    sock.once('error', (e) => reject(e));
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      sock.on('error', () => undefined);
      resolve({ exited, stdin, close: () => sock.destroy() });
    });
  });
}
