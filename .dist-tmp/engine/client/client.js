import { request as httpRequest } from 'node:http';
/** An error answer from boxlabd: docker's `{"message": ...}` with the HTTP status. */
export class ApiError extends Error {
    status;
    constructor(status, message) {
        super(message);
        this.status = status;
        this.name = 'ApiError';
    }
}
export class DaemonUnreachable extends Error {
    socketPath;
    constructor(socketPath, cause) {
        super(`cannot reach boxlabd at ${socketPath}: ${cause}`);
        this.socketPath = socketPath;
        this.name = 'DaemonUnreachable';
    }
}
function pathWithQuery(path, query) {
    if (!query)
        return path;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
        if (v !== undefined)
            q.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
}
async function readAll(res) {
    const chunks = [];
    for await (const c of res)
        chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
}
/** The Engine API client the CLI and the TUI share: JSON calls, streams, and hijacked (upgraded) sockets. */
export class Client {
    socketPath;
    constructor(socketPath) {
        this.socketPath = socketPath;
    }
    raw(method, path, opts, upgrade) {
        const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
        const headers = { Host: 'boxlab', ...opts.headers };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            headers['Content-Length'] = String(Buffer.byteLength(body));
        }
        if (upgrade)
            Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'tcp' });
        // A fresh connection per request (cheap on a unix socket): a kept-alive one the daemon closed after its idle
        // timeout would fail the next request with EPIPE (long-lived clients: the TUI, benchmarks).
        const req = httpRequest({ socketPath: this.socketPath, method, path: pathWithQuery(path, opts.query), headers, agent: false });
        return { req, body };
    }
    /** A streamed response (logs, events, wait); rejects with ApiError on an error status. */
    stream(method, path, opts = {}) {
        return new Promise((resolve, reject) => {
            const { req, body } = this.raw(method, path, opts, false);
            req.on('error', (e) => reject(new DaemonUnreachable(this.socketPath, e.code ?? e.message)));
            req.on('response', (res) => {
                if ((res.statusCode ?? 500) >= 400) {
                    readAll(res).then((text) => reject(new ApiError(res.statusCode ?? 500, messageOf(text)))).catch(reject);
                }
                else
                    resolve(res);
            });
            req.end(body);
        });
    }
    async call(method, path, opts = {}) {
        const res = await this.stream(method, path, opts);
        const text = await readAll(res);
        return { status: res.statusCode ?? 0, json: (text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text) };
    }
    async get(path, query) {
        return (await this.call('GET', path, query ? { query } : {})).json;
    }
    async post(path, body, query) {
        return (await this.call('POST', path, { body, ...(query && { query }) })).json;
    }
    /** attach / exec start: the socket after `101 UPGRADED`, with any bytes that came with the answer. */
    hijack(path, opts = {}) {
        return new Promise((resolve, reject) => {
            const { req, body } = this.raw('POST', path, opts, true);
            req.on('error', (e) => reject(new DaemonUnreachable(this.socketPath, e.code ?? e.message)));
            req.on('upgrade', (res, socket, head) => {
                resolve({ socket, head, multiplexed: /multiplexed/.test(res.headers['content-type'] ?? '') });
            });
            req.on('response', (res) => {
                readAll(res).then((text) => reject(new ApiError(res.statusCode ?? 500, messageOf(text)))).catch(reject);
            });
            req.end(body);
        });
    }
    async ping() {
        try {
            await this.call('GET', '/_ping');
            return true;
        }
        catch {
            return false;
        }
    }
}
function messageOf(text) {
    try {
        const j = JSON.parse(text);
        if (j.message)
            return j.message;
    }
    catch {
        // not JSON
    }
    return text.trim() || 'request failed';
}
/**
 * Splits docker's multiplexed stream ([stream, 0, 0, 0, size BE32] + payload) into its parts; feed it every
 * chunk as it arrives.
 */
export function demuxer(onFrame) {
    let pending = Buffer.alloc(0);
    return (chunk) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= 8) {
            const size = pending.readUInt32BE(4);
            if (pending.length < 8 + size)
                break;
            const stream = pending[0] === 2 ? 'stderr' : 'stdout';
            onFrame(stream, pending.subarray(8, 8 + size));
            pending = pending.subarray(8 + size);
        }
    };
}
//# sourceMappingURL=client.js.map