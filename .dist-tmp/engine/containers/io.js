import { EventEmitter } from 'node:events';
/**
 * The live stdio of one running process (a container's init or an exec): output fans out to every attached
 * client and to the log; input comes from whichever client attached stdin.
 */
export class ProcessIO extends EventEmitter {
    tty;
    stdin;
    ended = false;
    /** pty master fd when the process has a terminal (resize goes there) */
    ptyMaster;
    constructor(tty) {
        super();
        this.tty = tty;
        this.setMaxListeners(0);
    }
    push(stream, chunk) {
        this.emit('data', stream, chunk);
    }
    finish() {
        if (this.ended)
            return;
        this.ended = true;
        this.emit('end');
    }
}
//# sourceMappingURL=io.js.map