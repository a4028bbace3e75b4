import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { UserError } from '../engine/sys/errors.js';
import { loadLessons } from '../course/lint.js';
import { PAGE_CSP, PAGE_CSS, pageHtml, pageJs } from './page.js';
import { t } from '../i18n/index.js';
import {
  CLIENT_HEADER, CODE_HEADER, KEY_HEADER, LIMITS, clientIdSchema, codeSchema, hintSchema, joinSchema, postResultsSchema,
  type RoomMessage,
} from './protocol.js';
import { Room, toCsv, type LessonInfo } from './room.js';
import { RoomStore } from './store.js';

/**
 * `boxlab classroom serve`: the instructor's server. Plain node:http — a dozen routes, JSON bodies and
 * server-sent events need no framework. It only reads what learners send; it never runs a command or
 * touches a container.
 */
export interface ServeOptions {
  port: number;
  host: string;
  db: string;
  lessonsDir: string;
  /** the join code; otherwise the stored one, otherwise a new random one */
  code?: string;
  /** the first lesson of the workshop (default: the first lesson, or the stored one) */
  from?: string;
  stuckMinutes: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  code: string;
  /** the instructor's key: the page and the instructor's actions need it, learners never see it */
  key: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A token bucket per learner (and per address for joins): a runaway or hostile client cannot flood the room. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  allow(who: string, now = Date.now()): boolean {
    const b = this.buckets.get(who) ?? { tokens: LIMITS.rateBurst, at: now };
    b.tokens = Math.min(LIMITS.rateBurst, b.tokens + ((now - b.at) / 1000) * LIMITS.ratePerSecond);
    b.at = now;
    if (b.tokens < 1) { this.buckets.set(who, b); return false; }
    b.tokens -= 1;
    this.buckets.set(who, b);
    return true;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > LIMITS.bodyBytes) throw new HttpError(413, `a request body is at most ${LIMITS.bodyBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMITS.bodyBytes) throw new HttpError(413, `a request body is at most ${LIMITS.bodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new HttpError(400, `${i?.path.join('.') || 'body'}: ${i?.message ?? 'invalid'}`);
  }
  return r.data;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': connected\n\n');
}

function readLessons(dir: string): LessonInfo[] {
  const { lessons } = loadLessons(dir);
  if (lessons.length === 0) throw new UserError(`no lessons in ${dir} — the room's columns are the lessons' steps`);
  return lessons.map((l) => ({ id: l.meta.id, title: l.meta.title, steps: l.steps.map((s) => s.title) }));
}

export async function serveClassroom(opts: ServeOptions): Promise<RunningServer> {
  const lessons = readLessons(opts.lessonsDir);
  if (opts.code !== undefined && !codeSchema.safeParse(opts.code).success) throw new UserError('--code: a join code is 4–40 letters, digits or dashes');
  const findLesson = (id: string) => lessons.findIndex((l) => l.id === id || l.id.startsWith(`${id}-`));
  // checked before the database is made: a mistyped flag leaves nothing behind
  if (opts.from !== undefined && findLesson(opts.from) < 0) throw new UserError(`--from: no lesson "${opts.from}" — \`boxlab lessons\` lists them`);
  const store = new RoomStore(opts.db);
  const code = opts.code ?? store.getMeta('code') ?? randomBytes(4).toString('hex').toUpperCase();
  store.setMeta('code', code);
  const key = store.getMeta('key') ?? randomBytes(16).toString('hex');
  store.setMeta('key', key);
  const fromId = opts.from ?? store.getMeta('from') ?? lessons[0]!.id;
  // a stored first lesson that is gone (the lessons changed) falls back to the first one
  const from = Math.max(0, findLesson(fromId));
  store.setMeta('from', lessons[from]!.id);
  const released = Number(store.getMeta('released') ?? 1);
  store.setMeta('released', String(released));

  const room = new Room(lessons, from, released, opts.stuckMinutes);
  for (const l of store.learners()) room.addLearner(l);
  for (const r of store.results()) room.apply(r);

  const limiter = new RateLimiter();
  const instructors = new Set<ServerResponse>();
  const learnerStreams = new Set<ServerResponse>();
  const streamsOf = new Map<string, number>();
  let viewTimer: NodeJS.Timeout | undefined;

  const pushView = () => {
    viewTimer = undefined;
    if (instructors.size === 0) return;
    const data = `event: room\ndata: ${JSON.stringify(room.view())}\n\n`;
    for (const res of instructors) res.write(data);
  };
  // results arrive in bursts (30 learners pressing Enter at once): one view per 50 ms is plenty live
  const scheduleView = () => { viewTimer ??= setTimeout(pushView, 50); };
  const pushMessage = (m: RoomMessage) => {
    const data = `id: ${m.id}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`;
    for (const res of learnerStreams) res.write(data);
  };
  // time alone makes a learner "stuck": refresh the page now and then; comments keep idle streams open
  const ticker = setInterval(() => {
    scheduleView();
    for (const res of learnerStreams) res.write(': keep-alive\n\n');
  }, 15_000);

  const isInstructor = (req: IncomingMessage, url: URL) => {
    const given = String(req.headers[KEY_HEADER] ?? url.searchParams.get('key') ?? '');
    if (!sameSecret(given, key)) throw new HttpError(403, 'this needs the instructor key (the URL `classroom serve` printed)');
  };
  const learnerOf = (req: IncomingMessage, joining = false) => {
    if (!sameSecret(String(req.headers[CODE_HEADER] ?? ''), code)) throw new HttpError(403, 'wrong join code for this room — ask the instructor for the code');
    const id = clientIdSchema.safeParse(req.headers[CLIENT_HEADER]);
    if (!id.success) throw new HttpError(400, `${CLIENT_HEADER}: ${id.error.issues[0]?.message}`);
    if (!limiter.allow(id.data)) throw new HttpError(429, 'too many requests: slow down');
    const learner = room.learner(id.data);
    if (!joining && !learner) throw new HttpError(404, 'not joined: join the room first');
    return { clientId: id.data, learner };
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://classroom');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /':
        res.setHeader('content-security-policy', PAGE_CSP);
        return send(res, 200, pageHtml(t()), 'text/html; charset=utf-8');
      case 'GET /page.js': return send(res, 200, pageJs(t()), 'text/javascript; charset=utf-8');
      case 'GET /page.css': return send(res, 200, PAGE_CSS, 'text/css; charset=utf-8');
      case 'GET /healthz': return send(res, 200, { ok: true });

      case 'POST /api/join': {
        const ip = req.socket.remoteAddress ?? '?';
        if (!limiter.allow(`ip:${ip}`)) throw new HttpError(429, 'too many joins from this address: slow down');
        const { clientId, learner } = learnerOf(req, true);
        const body = parse(joinSchema, await readJson(req));
        if (body.clientId !== clientId) throw new HttpError(400, 'clientId does not match the header');
        if (learner) return send(res, 200, { name: learner.name, lessons: room.releasedLessons.map((l) => l.id) });
        if (room.learnerByName(body.name)) throw new HttpError(409, `the name "${body.name}" is taken in this room — choose another with --name`);
        if (room.size >= LIMITS.learners) throw new HttpError(403, `the room is full (${LIMITS.learners} learners)`);
        const l = { clientId, name: body.name, joinedAt: new Date().toISOString() };
        store.addLearner(l);
        room.addLearner(l);
        opts.log?.(`joined: ${JSON.stringify(l.name)}`);
        scheduleView();
        return send(res, 200, { name: l.name, lessons: room.releasedLessons.map((x) => x.id) });
      }
      case 'POST /api/results': {
        const { clientId } = learnerOf(req);
        const body = parse(postResultsSchema, await readJson(req));
        const added = store.addResults(clientId, body.results, new Date().toISOString());
        for (const r of added) room.apply(r);
        if (added.length > 0) scheduleView();
        return send(res, 200, { stored: added.length, duplicates: body.results.length - added.length });
      }
      case 'GET /api/messages': {
        const { clientId } = learnerOf(req);
        // one stream per learner is normal; a few allow for a reconnect racing the old stream's close
        const open = streamsOf.get(clientId) ?? 0;
        if (open >= LIMITS.streamsPerLearner) throw new HttpError(429, 'too many open message streams for this learner');
        streamsOf.set(clientId, open + 1);
        req.on('close', () => {
          const n = (streamsOf.get(clientId) ?? 1) - 1;
          if (n > 0) streamsOf.set(clientId, n); else streamsOf.delete(clientId);
        });
        const after = Number(req.headers['last-event-id'] ?? url.searchParams.get('after') ?? 0) || 0;
        openStream(res);
        for (const m of store.messages(after)) res.write(`id: ${m.id}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`);
        learnerStreams.add(res);
        req.on('close', () => learnerStreams.delete(res));
        return;
      }

      case 'GET /api/room': isInstructor(req, url); return send(res, 200, room.view());
      case 'GET /api/events': {
        isInstructor(req, url);
        openStream(res);
        res.write(`event: room\ndata: ${JSON.stringify(room.view())}\n\n`);
        instructors.add(res);
        req.on('close', () => instructors.delete(res));
        return;
      }
      case 'POST /api/release': {
        isInstructor(req, url);
        const next = room.next;
        if (!next) throw new HttpError(409, 'every lesson is released already');
        room.released++;
        store.setMeta('released', String(room.released));
        const m = store.addMessage({ at: new Date().toISOString(), kind: 'release', lesson: next.id, text: `${next.id}: ${next.title}` });
        pushMessage(m);
        scheduleView();
        return send(res, 200, { released: next.id });
      }
      case 'POST /api/hint': {
        isInstructor(req, url);
        const { text } = parse(hintSchema, await readJson(req));
        const m = store.addMessage({ at: new Date().toISOString(), kind: 'hint', text });
        pushMessage(m);
        return send(res, 200, { sent: m.id, learnersOnline: learnerStreams.size });
      }
      case 'GET /api/export.json':
        isInstructor(req, url);
        return send(res, 200, { exportedAt: new Date().toISOString(), room: room.view(), results: store.results() });
      case 'GET /api/export.csv':
        isInstructor(req, url);
        res.setHeader('content-disposition', 'attachment; filename="classroom-results.csv"');
        return send(res, 200, toCsv(room.view()), 'text/csv; charset=utf-8');
      default:
        throw new HttpError(404, `no such route: ${route}`);
    }
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) opts.log?.(`error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(res, status, { error: status === 500 ? 'internal error' : (e as Error).message });
      else res.end();
    });
  });
  // slowloris-style clients must not hold sockets forever; event streams are long-lived on purpose
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      store.close();
      reject(e.code === 'EADDRINUSE' ? new UserError(`port ${opts.port} is in use — pick another with --port`) : e);
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`, port, code, key,
    async close() {
      clearInterval(ticker);
      if (viewTimer) clearTimeout(viewTimer);
      for (const res of [...instructors, ...learnerStreams]) res.end();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      store.close();
    },
  };
}
