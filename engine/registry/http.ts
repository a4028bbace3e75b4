import type { Readable } from 'node:stream';
import { Agent, EnvHttpProxyAgent, fetch, request, type Dispatcher, type RequestInit, type Response } from 'undici';
import { UserError } from '../sys/errors.js';
import { apiHost, schemeFor } from './reference.js';

/** What a registry is asked with: a user and password (basic auth, or traded for a Bearer token). */
export interface Credentials { username: string; password: string }

/** A registry answered with an error status: its own `errors[].code`/`message` are kept in the text. */
export class RegistryError extends UserError {
  constructor(readonly registryStatus: number, message: string) {
    super(message, { status: registryStatus === 401 || registryStatus === 403 || registryStatus === 404 ? registryStatus : 502 });
  }
}

// undici (the npm package, not Node's bundled copy) because it takes a dispatcher: EnvHttpProxyAgent reads
// HTTP_PROXY/HTTPS_PROXY/NO_PROXY as curl does. Loopback registries are always reached directly.
let proxied: Dispatcher | undefined;
let direct: Dispatcher | undefined;
function dispatcherFor(host: string): Dispatcher {
  if (/^(localhost|127\.|\[::1\])/.test(host)) return (direct ??= new Agent({ connections: 16 }));
  return (proxied ??= new EnvHttpProxyAgent());
}

type Body = RequestInit['body'];
export interface CallInit { method?: string; headers?: Record<string, string>; body?: Body | (() => Body); duplex?: 'half' }

interface Challenge { scheme: string; params: Record<string, string> }

/** `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"` → its parts. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: m[1]!.toLowerCase(), params };
}

/**
 * One registry, one set of credentials. Authorisation follows the distribution spec: a request answered 401
 * carries a WWW-Authenticate challenge; Basic means send the password; Bearer means fetch a token from the
 * realm for the service and scope (with the password, if any, as basic auth), then repeat the request with it.
 */
export class RegistryClient {
  readonly base: string;
  private authorization?: string;
  private readonly dispatcher: Dispatcher;

  constructor(readonly registry: string, private readonly creds?: Credentials) {
    const host = apiHost(registry);
    this.base = `${schemeFor(registry)}://${host}`;
    this.dispatcher = dispatcherFor(host);
  }

  /** GET /v2/ and, if challenged, obtain the authorisation for `scopes` before any real request. */
  async authorize(scopes: string[]): Promise<void> {
    const res = await this.send(`${this.base}/v2/`, {});
    await res.body?.cancel();
    if (res.status === 401) await this.answer(res, scopes);
    else if (res.status >= 400 && res.status !== 404) throw new RegistryError(res.status, `registry ${this.registry} answered ${res.status} to /v2/: is it a registry?`);
  }

  /** A request; a 401 is answered once (with the scope the challenge asks for) and the request repeated. */
  async call(path: string, init: CallInit = {}, scopes: string[] = []): Promise<Response> {
    const url = /^https?:/.test(path) ? path : `${this.base}${path}`;
    let res = await this.send(url, init);
    if (res.status === 401) {
      await this.answer(res, scopes);
      res = await this.send(url, init);
      if (res.status === 401) {
        await res.body?.cancel();
        throw new RegistryError(401, `registry ${this.registry} refused the credentials (401 unauthorized): run \`boxlab login ${this.registry}\``);
      }
    }
    return res;
  }

  /**
   * A GET whose body is a Node stream (blobs: undici's request() streams them faster than fetch's web streams);
   * redirects (a registry may send blobs from a CDN) are followed, a 401 answered as in call().
   */
  async download(path: string, headers: Record<string, string>, scopes: string[]): Promise<{ status: number; body: Readable; text(): Promise<string> }> {
    const url = `${this.base}${path}`;
    const go = async () => {
      try {
        return await request(url, { method: 'GET', headers: { 'User-Agent': 'boxlab', ...headers, ...(this.authorization && { Authorization: this.authorization }) }, dispatcher: this.dispatcher, maxRedirections: 5 });
      } catch (e) {
        throw unreachable(this.registry, e);
      }
    };
    let r = await go();
    if (r.statusCode === 401) {
      r.body.resume();
      await this.answerChallenge(String(r.headers['www-authenticate'] ?? ''), scopes);
      r = await go();
    }
    const body = r.body as unknown as Readable;
    return { status: r.statusCode, body, text: () => r.body.text() };
  }

  /** Throws a RegistryError with the registry's own message unless the answer is one of `ok`. */
  async expect(res: Response, what: string, ok: number[] = [200]): Promise<Response> {
    if (ok.includes(res.status)) return res;
    const text = await res.text().catch(() => '');
    let detail = text.trim().slice(0, 300);
    try {
      const j = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
      if (j.errors?.length) detail = j.errors.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
    } catch { /* not JSON */ }
    const hint = res.status === 401 || res.status === 403 ? ` (run \`boxlab login ${this.registry}\`)` : '';
    throw new RegistryError(res.status, `${what}: registry ${this.registry} answered ${res.status}${detail ? ` ${detail}` : ''}${hint}`);
  }

  private async send(url: string, init: CallInit): Promise<Response> {
    const headers: Record<string, string> = { 'User-Agent': 'boxlab', ...init.headers };
    if (this.authorization) headers.Authorization = this.authorization;
    const body = typeof init.body === 'function' ? init.body() : init.body;
    try {
      return await fetch(url, { method: init.method ?? 'GET', headers, body, dispatcher: this.dispatcher, ...(body && typeof body === 'object' && 'pipe' in body && { duplex: 'half' }) } as RequestInit);
    } catch (e) {
      throw unreachable(this.registry, e);
    }
  }

  private async answer(res: Response, scopes: string[]): Promise<void> {
    await res.body?.cancel();
    await this.answerChallenge(res.headers.get('www-authenticate'), scopes);
  }

  private async answerChallenge(header: string | null, scopes: string[]): Promise<void> {
    const ch = parseChallenge(header);
    const basic = this.creds ? `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}` : undefined;
    if (!ch || ch.scheme === 'basic') {
      if (!basic) throw new RegistryError(401, `registry ${this.registry} needs a login: run \`boxlab login ${this.registry}\``);
      this.authorization = basic;
      return;
    }
    if (ch.scheme !== 'bearer' || !ch.params.realm) throw new RegistryError(401, `registry ${this.registry} asks for "${ch.scheme}" authentication, which boxlab does not speak`);
    const url = new URL(ch.params.realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    for (const s of new Set([...(ch.params.scope ? ch.params.scope.split(' ') : []), ...scopes])) url.searchParams.append('scope', s);
    let tr: Response;
    try {
      tr = await fetch(url, { headers: { 'User-Agent': 'boxlab', ...(basic && { Authorization: basic }) }, dispatcher: dispatcherFor(url.host) });
    } catch (e) {
      throw unreachable(url.host, e);
    }
    if (tr.status === 401 || tr.status === 403) {
      await tr.body?.cancel();
      throw new RegistryError(401, `registry ${this.registry}: the token server refused ${this.creds ? 'the credentials' : 'an anonymous request'}: run \`boxlab login ${this.registry}\``);
    }
    if (tr.status !== 200) { await tr.body?.cancel(); throw new RegistryError(tr.status, `registry ${this.registry}: the token server ${url.host} answered ${tr.status}`); }
    const j = (await tr.json()) as { token?: string; access_token?: string };
    const token = j.token ?? j.access_token;
    if (!token) throw new RegistryError(500, `registry ${this.registry}: the token server gave no token`);
    this.authorization = `Bearer ${token}`;
  }
}

/** A network failure as one line that says what to do (the VM may be offline). */
export function unreachable(host: string, e: unknown): UserError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message;
  return new UserError(`cannot reach registry ${host} (${why}): check that it is running and this machine is online (HTTPS_PROXY if you need a proxy); offline, use \`boxlab load\` with a saved image instead`);
}
