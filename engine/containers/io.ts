import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { StreamName } from './logs.js';

/**
 * The live stdio of one running process (a container's init or an exec): output fans out to every attached
 * client and to the log; input comes from whichever client attached stdin.
 */
export class ProcessIO extends EventEmitter<{ data: [StreamName, Buffer]; end: [] }> {
  stdin: Writable | undefined;
  ended = false;
  /** pty master fd when the process has a terminal (resize goes there) */
  ptyMaster: number | undefined;

  constructor(readonly tty: boolean) {
    super();
    this.setMaxListeners(0);
  }

  push(stream: StreamName, chunk: Buffer): void {
    this.emit('data', stream, chunk);
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end');
  }
}
