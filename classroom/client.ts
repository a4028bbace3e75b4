import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../engine/sys/errors.js';
import { journalFile } from '../course/journal.js';
import { loadLessons } from '../course/lint.js';
import { loadProgress, progressFile } from '../course/progress.js';
import { CLIENT_HEADER, CODE_HEADER, LIMITS, codeSchema, nameSchema, resultSchema, type ResultRecord, type RoomMessage } from './protocol.js';
import { t } from '../i18n/index.js';

/**
 * `boxlab classroom join`: the learner's side. It sends exactly two things from this machine: the results
 * journal (each step run with its checks, written by `boxlab check`) and the progress file's step marks
 * (written by the course). Results are resent until the server has stored them; their ids make a resend
 * harmless, so a restarted server (or a restarted client) loses and duplicates nothing. Released lessons
 * and hints come back over server-sent events.
 */
export interface JoinOptions {
  url: string;
  name: string;
  code: string;
  /** the course state folder (progress.json, results.jsonl): course/env.ts stateDir() */
  stateDir: string;
  lessonsDir: string;
  onMessage?: (m: RoomMessage) => void;
  /** connection news, for the CLI to print */
  log?: (line: string) => void;
  /** how often to look at the files even without a change notification */
  pollMs?: number;
}

const savedSchema = z.object({ url: z.string(), name: z.string(), clientId: z.string(), lastMessage: z.number().int().default(0) });
type Saved = z.infer<typeof savedSchema>;

// A restarted server on the LAN is back within seconds; 40 clients retrying every 2 s is no load for it.
const RETRY_MAX_MS = 2000;

/** A failure the client cannot fix by trying again (wrong code, name taken, bad input). */
class Refused extends Error {
  constructor(message: string, readonly status: number) { super(message); }
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(r, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
});

export function validateJoin(url: string, name: string, code: string): { url: string; name: string; code: string } {
  let u: URL;
  try { u = new URL(url); } catch { throw new UserError(t().crNotAUrl(url)); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(t().crNotHttp(url));
  const n = nameSchema.safeParse(name);
  if (!n.success) throw new UserError(`--name: ${n.error.issues[0]?.message}`);
  if (!codeSchema.safeParse(code).success) throw new UserError(t().crBadCode);
  return { url: u.origin, name: n.data, code };
}

export class ClassroomClient {
  readonly clientId: string;
  private readonly url: string;
  private readonly name: string;
  private readonly savedFile: string;
  private saved: Saved;
  private readonly stop = new AbortController();
  private readonly pending = new Map<string, ResultRecord>();
  private readonly seen = new Set<string>();
  private journalOffset = 0;
  private partial = '';
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly stepNumbers: Map<string, Map<string, number>>;
  private loops: Promise<void>[] = [];
  /** results the server has confirmed stored (or already had) */
  acknowledged = 0;

  constructor(private readonly opts: JoinOptions) {
    const v = validateJoin(opts.url, opts.name, opts.code);
    this.url = v.url;
    this.name = v.name;
    this.savedFile = join(opts.stateDir, 'classroom.json');
    let prior: Saved | undefined;
    try { prior = savedSchema.parse(JSON.parse(readFileSync(this.savedFile, 'utf8'))); } catch { /* first join */ }
    // the same machine rejoining the same room keeps its identity (and so its row on the instructor's page)
    this.clientId = prior && prior.url === this.url && prior.name === this.name ? prior.clientId : randomUUID();
    this.saved = { url: this.url, name: this.name, clientId: this.clientId, lastMessage: prior?.clientId === this.clientId ? prior.lastMessage : 0 };
    const { lessons } = loadLessons(opts.lessonsDir);
    this.stepNumbers = new Map(lessons.map((l) => [l.meta.id, new Map(l.steps.map((s, i) => [s.title, i + 1]))]));
  }

  private save(): void {
    const tmp = `${this.savedFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.saved)}\n`);
    renameSync(tmp, this.savedFile);
  }

  private headers(): Record<string, string> {
    return { [CODE_HEADER]: this.opts.code, [CLIENT_HEADER]: this.clientId, 'content-type': 'application/json' };
  }

  /** Joins (retrying while the server is unreachable), then sends results and listens until stop(). */
  async start(): Promise<{ name: string }> {
    const joined = await this.join();
    // only once the room took us: remember it, and switch the results journal on by creating it
    mkdirSync(this.opts.stateDir, { recursive: true });
    this.save();
    const journal = journalFile({ BOXLAB_STATE: this.opts.stateDir });
    if (!existsSync(journal)) closeSync(openSync(journal, 'a'));
    this.scan();
    try {
      this.watcher = watch(this.opts.stateDir, () => this.kick());
      this.watcher.on('error', () => undefined);
    } catch { /* polling below still sees changes */ }
    this.poll = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.loops = [this.sendLoop(), this.messageLoop()];
    return joined;
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    await Promise.all(this.loops);
  }

  /** Results read but not yet stored by the server. */
  get unsent(): number {
    return this.pending.size;
  }

  private kick(): void {
    this.scan();
    this.wake?.();
  }

  private async request(path: string, body: unknown): Promise<unknown> {
    const r = await fetch(`${this.url}${path}`, {
      method: 'POST', headers: this.headers(), body: JSON.stringify(body),
      signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(10_000)]),
    });
    const data = (await r.json().catch(() => ({}))) as { error?: string };
    if (r.status === 404 && path !== '/api/join') throw new NotJoined();
    if (r.status >= 400 && r.status < 500 && r.status !== 429) throw new Refused(data.error ?? `HTTP ${r.status}`, r.status);
    if (!r.ok) throw new Error(data.error ?? `HTTP ${r.status}`);
    return data;
  }

  private async join(): Promise<{ name: string }> {
    for (let delay = 250; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        return (await this.request('/api/join', { name: this.name, clientId: this.clientId })) as { name: string };
      } catch (e) {
        if (e instanceof Refused) throw new UserError(t().crRefused(e.message));
        if (this.stop.signal.aborted) throw new UserError(t().crStoppedBeforeJoin);
        this.opts.log?.(t().crCannotReach(this.url, (e as Error).message));
        await sleep(delay, this.stop.signal);
      }
    }
  }

  /** Reads what is new in the journal and the progress file into the pending queue. */
  scan(): void {
    this.readJournal();
    this.readProgress();
  }

  private queue(r: ResultRecord): void {
    if (this.seen.has(r.id)) return;
    this.seen.add(r.id);
    this.pending.set(r.id, r);
  }

  private readJournal(): void {
    const file = journalFile({ BOXLAB_STATE: this.opts.stateDir });
    let size: number;
    try { size = statSync(file).size; } catch { return; }
    if (size < this.journalOffset) { this.journalOffset = 0; this.partial = ''; }
    if (size === this.journalOffset) return;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - this.journalOffset);
      readSync(fd, buf, 0, buf.length, this.journalOffset);
      this.journalOffset = size;
      const lines = (this.partial + buf.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        let data: unknown;
        try { data = JSON.parse(line); } catch { continue; }
        const r = resultSchema.safeParse({ ...(data as object), source: 'check' });
        if (r.success) this.queue(r.data);
      }
    } finally {
      closeSync(fd);
    }
  }

  private readProgress(): void {
    let p;
    try { p = loadProgress(progressFile({ BOXLAB_STATE: this.opts.stateDir })); } catch { return; }
    for (const [lesson, lp] of Object.entries(p.lessons)) {
      const numbers = this.stepNumbers.get(lesson);
      for (const [title, s] of Object.entries(lp.steps)) {
        const step = numbers?.get(title);
        if (step === undefined) continue;
        // the progress file keeps each step's latest run: its time names the run
        const id = `p-${createHash('sha256').update(`${lesson}\n${title}\n${s.at}\n${s.done}`).digest('hex').slice(0, 40)}`;
        const r = resultSchema.safeParse({
          id, at: s.at, lesson, step, title: title.slice(0, 200), ok: s.done, source: 'progress', checks: [],
          ...(!s.done && { error: t().crInCourse(s.checksPassed, s.checksTotal) }),
        });
        if (r.success) this.queue(r.data);
      }
    }
  }

  private async sendLoop(): Promise<void> {
    let delay = 200;
    while (!this.stop.signal.aborted) {
      if (this.pending.size === 0) {
        await new Promise<void>((r) => { this.wake = r; });
        this.wake = undefined;
        continue;
      }
      const batch = [...this.pending.values()].slice(0, LIMITS.resultsPerPost);
      try {
        await this.request('/api/results', { results: batch });
        for (const r of batch) this.pending.delete(r.id);
        this.acknowledged += batch.length;
        delay = 200;
      } catch (e) {
        if (this.stop.signal.aborted) return;
        if (e instanceof NotJoined) {
          if (await this.rejoin()) continue;
        } else if (e instanceof Refused && (e.status === 400 || e.status === 413)) {
          // results this server will never take (a newer or older boxlab): drop them rather than block every later one
          this.opts.log?.(t().crResultsRefused(e.message, false));
          for (const r of batch) this.pending.delete(r.id);
          continue;
        } else if (e instanceof Refused) {
          // e.g. the room's code changed: keep the results, say so, and try again later
          this.opts.log?.(t().crResultsRefused(e.message, true));
        }
        await sleep(delay, this.stop.signal);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  /** The server lost the room (a new database): join again, then resend everything, acknowledged or not. */
  private async rejoin(): Promise<boolean> {
    try {
      await this.join();
    } catch (e) {
      this.opts.log?.((e as Error).message);
      return false;
    }
    this.seen.clear();
    this.journalOffset = 0;
    this.partial = '';
    this.kick();
    return true;
  }

  private async messageLoop(): Promise<void> {
    let delay = 250;
    while (!this.stop.signal.aborted) {
      try {
        const r = await fetch(`${this.url}/api/messages`, {
          headers: { ...this.headers(), 'last-event-id': String(this.saved.lastMessage) }, signal: this.stop.signal,
        });
        // the message stream is the first to notice a server that forgot us, even with nothing to send
        if (r.status === 404) {
          if (await this.rejoin()) continue;
          throw new Error('not joined');
        }
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        delay = 250;
        let buffer = '';
        const decoder = new TextDecoder();
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            this.onEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // the server is down or restarting: reconnect, asking for what came after the last message seen
      }
      if (this.stop.signal.aborted) return;
      await sleep(delay, this.stop.signal);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  private onEvent(block: string): void {
    const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    if (!data) return;
    let m: RoomMessage;
    try { m = JSON.parse(data) as RoomMessage; } catch { return; }
    if (typeof m.id !== 'number' || m.id <= this.saved.lastMessage) return;
    this.saved.lastMessage = m.id;
    this.save();
    this.opts.onMessage?.(m);
  }
}

class NotJoined extends Error {}
