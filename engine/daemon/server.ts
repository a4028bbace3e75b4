import { API_VERSION } from '../version.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { UserError } from '../sys/errors.js';
import { traceNote } from '../sys/trace.js';
import { unreadBytes } from '../sys/calls.js';
import { Router, type ApiRequest } from './router.js';

/**
 * A JSON body, parsed. Archives (build contexts, load, import, archive PUT) are never read here, whatever
 * Content-Type the client sent (docker-py sends none or text/plain, the CLI application/x-tar): the route
 * says it takes a tar and its handler streams it from the request.
 */
async function readBody(req: IncomingMessage, rawBody: boolean): Promise<unknown> {
  if (rawBody) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError('request body is not valid JSON');
  }
}

/** Maps any thrown error to docker's `{"message": ...}` error body with a fitting status. */
export function errorStatus(e: unknown): { status: number; message: string } {
  if (e instanceof UserError) return { status: e.status, message: e.message };
  return { status: 500, message: e instanceof Error ? e.message : String(e) };
}

/**
 * One trace note per API request ("client → API"), so a reader of the trace sees which request each
 * syscall served (the TUI groups a `run` into create, start, init and exit by these). The event stream
 * and pings are left out: they are the trace's own plumbing.
 */
function traceRequest(method: string, path: string): void {
  if (path === '/events' || path === '/_ping') return;
  traceNote('api', `${method} ${path}`);
}

function parse(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://boxlab');
  return { path: Router.stripVersion(url.pathname), query: url.searchParams };
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body);
}

/** Extra headers every answer carries; the docker client negotiates its API version from them. */
export const API_HEADERS = { 'Api-Version': API_VERSION, 'Docker-Experimental': 'false', 'Ostype': 'linux', 'Server': 'boxlabd' };

export function createApiServer(router: Router): Server {
  const server = createServer((req, res) => {
    void (async () => {
      for (const [k, v] of Object.entries(API_HEADERS)) res.setHeader(k, v);
      const { path, query } = parse(req);
      const found = router.match(req.method ?? 'GET', path);
      if (found === undefined) return sendJson(res, 404, { message: `page not found: ${req.method} ${path}` });
      if (found === 'wrong-method') return sendJson(res, 405, { message: `method ${req.method} not allowed on ${path}` });
      traceRequest(req.method ?? 'GET', path);
      try {
        const body = await readBody(req, found.rawBody);
        const r: ApiRequest & { res: ServerResponse } = { method: req.method ?? 'GET', path, params: found.params, query, body, req, res };
        const result = await found.handler(r);
        if (result === 'handled') return;
        if (result.text !== undefined) {
          res.writeHead(result.status ?? 200, { 'Content-Type': 'text/plain; charset=utf-8', ...result.headers });
          res.end(req.method === 'HEAD' ? undefined : result.text);
        } else if (result.json === undefined) {
          res.writeHead(result.status ?? 204, result.headers);
          res.end();
        } else {
          sendJson(res, result.status ?? 200, result.json, result.headers);
        }
      } catch (e) {
        const { status, message } = errorStatus(e);
        if (res.headersSent) res.destroy();
        else sendJson(res, status, { message });
      }
    })();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const { path, query } = parse(req);
      const found = router.matchUpgrade(req.method ?? 'POST', path);
      const fail = (status: number, message: string): void => {
        const body = JSON.stringify({ message });
        socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      };
      if (!found) return fail(404, `page not found: ${req.method} ${path}`);
      traceRequest(req.method ?? 'POST', path);
      try {
        // The body of a hijacked request (exec start's {"Detach":false,"Tty":true}) comes before the upgrade.
        const body = await readUpgradeBody(req, socket, head);
        await found.handler({ method: req.method ?? 'POST', path, params: found.params, query, body: body.json, req, socket, head: body.rest });
      } catch (e) {
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
async function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<{ json: unknown; rest: Buffer }> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!length) return { json: undefined, rest: head };
  let buf = head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer>((resolve, reject) => {
      socket.once('data', resolve);
      socket.once('error', reject);
    });
    buf = Buffer.concat([buf, chunk]);
  }
  const text = buf.subarray(0, length).toString('utf8');
  let json: unknown;
  try {
    json = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    throw new UserError('request body is not valid JSON');
  }
  return { json, rest: buf.subarray(length) };
}

export async function listenUnix(server: Server, socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true });
  if (existsSync(socketPath)) unlinkSync(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o660);
}

/** Sends the 101 answer of a hijacked request; the socket then carries raw (tty) or multiplexed streams. */
/** The fallback wait after a 101 when the socket's fd is not known (see {@link afterHeadersRead}). */
const HEADERS_GAP_MS = 20;

/**
 * Runs `then` once the client has read the 101's headers off the socket. A client that reads the headers
 * through a buffered reader and then the raw socket (docker-py) loses whatever arrived in the same read as
 * the headers, so the first output must not be in the socket before that. A fixed pause is a race on a busy
 * machine; the kernel says exactly when the peer has read everything sent (TIOCOUTQ = 0). dockerd gets this
 * for free, as it starts the process only after the 101.
 */
export function afterHeadersRead(socket: Duplex, then: () => void): void {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) {
    setTimeout(then, HEADERS_GAP_MS);
    return;
  }
  const started = Date.now();
  const poll = (): void => {
    const pending = (socket as unknown as { writableLength: number }).writableLength;
    const unread = pending > 0 ? 1 : unreadBytes(fd);
    if (unread < 0) setTimeout(then, HEADERS_GAP_MS); // the kernel will not say: the fixed pause
    // a client that never reads gets its output after 2 s anyway
    else if (unread === 0 || socket.destroyed || Date.now() - started > 2000) then();
    else setTimeout(poll, 2);
  };
  poll();
}

export function switchProtocols(socket: Duplex, multiplexed: boolean): void {
  const type = multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: ${API_HEADERS['Api-Version']}\r\n\r\n`);
}
