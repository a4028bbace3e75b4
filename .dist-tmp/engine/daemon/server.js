import { createServer } from 'node:http';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../sys/errors.js';
import { Router } from './router.js';
async function readBody(req) {
    // Archives (load, import, build contexts) stay unread: their handlers stream them from the request.
    if (/^application\/(x-tar|octet-stream|gzip|x-gzip)/.test(req.headers['content-type'] ?? ''))
        return undefined;
    const chunks = [];
    for await (const c of req)
        chunks.push(c);
    if (chunks.length === 0)
        return undefined;
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '')
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch {
        throw new UserError('request body is not valid JSON');
    }
}
/** Maps any thrown error to docker's `{"message": ...}` error body with a fitting status. */
export function errorStatus(e) {
    if (e instanceof UserError)
        return { status: e.status, message: e.message };
    return { status: 500, message: e instanceof Error ? e.message : String(e) };
}
function parse(req) {
    const url = new URL(req.url ?? '/', 'http://boxlab');
    return { path: Router.stripVersion(url.pathname), query: url.searchParams };
}
function sendJson(res, status, value, headers = {}) {
    const body = value === undefined ? '' : JSON.stringify(value);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(body);
}
/** Extra headers every answer carries; the docker client negotiates its API version from them. */
export const API_HEADERS = { 'Api-Version': '1.43', 'Docker-Experimental': 'false', 'Ostype': 'linux', 'Server': 'boxlabd' };
export function createApiServer(router) {
    const server = createServer((req, res) => {
        void (async () => {
            for (const [k, v] of Object.entries(API_HEADERS))
                res.setHeader(k, v);
            const { path, query } = parse(req);
            const found = router.match(req.method ?? 'GET', path);
            if (found === undefined)
                return sendJson(res, 404, { message: `page not found: ${req.method} ${path}` });
            if (found === 'wrong-method')
                return sendJson(res, 405, { message: `method ${req.method} not allowed on ${path}` });
            try {
                const body = await readBody(req);
                const r = { method: req.method ?? 'GET', path, params: found.params, query, body, req, res };
                const result = await found.handler(r);
                if (result === 'handled')
                    return;
                if (result.text !== undefined) {
                    res.writeHead(result.status ?? 200, { 'Content-Type': 'text/plain; charset=utf-8', ...result.headers });
                    res.end(req.method === 'HEAD' ? undefined : result.text);
                }
                else if (result.json === undefined) {
                    res.writeHead(result.status ?? 204, result.headers);
                    res.end();
                }
                else {
                    sendJson(res, result.status ?? 200, result.json, result.headers);
                }
            }
            catch (e) {
                const { status, message } = errorStatus(e);
                if (res.headersSent)
                    res.destroy();
                else
                    sendJson(res, status, { message });
            }
        })();
    });
    server.on('upgrade', (req, socket, head) => {
        void (async () => {
            const { path, query } = parse(req);
            const found = router.matchUpgrade(req.method ?? 'POST', path);
            const fail = (status, message) => {
                const body = JSON.stringify({ message });
                socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
            };
            if (!found)
                return fail(404, `page not found: ${req.method} ${path}`);
            try {
                // The body of a hijacked request (exec start's {"Detach":false,"Tty":true}) comes before the upgrade.
                const body = await readUpgradeBody(req, socket, head);
                await found.handler({ method: req.method ?? 'POST', path, params: found.params, query, body: body.json, req, socket, head: body.rest });
            }
            catch (e) {
                const { status, message } = errorStatus(e);
                fail(status, message);
            }
        })();
    });
    return server;
}
/**
 * Node hands an upgrade request over with whatever followed its headers in `head`. The JSON body (when
 * Content-Length says there is one) is at its start; the rest is the client's first stream bytes.
 */
async function readUpgradeBody(req, socket, head) {
    const length = Number(req.headers['content-length'] ?? 0);
    if (!length)
        return { json: undefined, rest: head };
    let buf = head;
    while (buf.length < length) {
        const chunk = await new Promise((resolve, reject) => {
            socket.once('data', resolve);
            socket.once('error', reject);
        });
        buf = Buffer.concat([buf, chunk]);
    }
    const text = buf.subarray(0, length).toString('utf8');
    let json;
    try {
        json = text.trim() ? JSON.parse(text) : undefined;
    }
    catch {
        throw new UserError('request body is not valid JSON');
    }
    return { json, rest: buf.subarray(length) };
}
export async function listenUnix(server, socketPath) {
    mkdirSync(dirname(socketPath), { recursive: true });
    if (existsSync(socketPath))
        unlinkSync(socketPath);
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o660);
}
/** Sends the 101 answer of a hijacked request; the socket then carries raw (tty) or multiplexed streams. */
export function switchProtocols(socket, multiplexed) {
    const type = multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: ${API_HEADERS['Api-Version']}\r\n\r\n`);
}
//# sourceMappingURL=server.js.map