import { constants } from 'node:os';
const errnoNames = new Map();
for (const [name, value] of Object.entries(constants.errno)) {
    if (!errnoNames.has(value))
        errnoNames.set(value, name);
}
export function errnoName(errno) {
    return errnoNames.get(errno) ?? `E${errno}`;
}
/** A failed libc call: `mount(/x, overlay): ENOENT`. */
export class SysError extends Error {
    call;
    errno;
    code;
    constructor(call, args, errno) {
        const code = errnoName(errno);
        super(`${call}(${args}): ${code}`);
        this.name = 'SysError';
        this.call = call;
        this.errno = errno;
        this.code = code;
    }
}
/**
 * An error meant for the person at the keyboard: one line saying what was wrong and what to do.
 * `status` is the HTTP status the daemon answers with; `exitCode` what the CLI exits with.
 */
export class UserError extends Error {
    status;
    exitCode;
    constructor(message, opts = {}) {
        super(message);
        this.name = 'UserError';
        this.status = opts.status ?? 400;
        this.exitCode = opts.exitCode ?? 125;
    }
}
export class NotFoundError extends UserError {
    constructor(message) {
        super(message, { status: 404 });
        this.name = 'NotFoundError';
    }
}
export class ConflictError extends UserError {
    constructor(message) {
        super(message, { status: 409 });
        this.name = 'ConflictError';
    }
}
//# sourceMappingURL=errors.js.map