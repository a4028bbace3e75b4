import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** What a route handler sees. `body` is the parsed JSON body (undefined when there is none). */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  req: IncomingMessage;
}

/** A handler returns a JSON-able value (sent with `status`), or takes over the response itself. */
export type ApiResult = { status?: number; json?: unknown; text?: string; headers?: Record<string, string> } | 'handled';
export type Handler = (r: ApiRequest & { res: ServerResponse }) => Promise<ApiResult> | ApiResult;
/** A hijacking handler (attach, exec start): gets the raw socket after the 101 Switching Protocols. */
export type UpgradeHandler = (r: ApiRequest & { socket: Duplex; head: Buffer }) => Promise<void> | void;

interface Route<H> {
  method: string;
  /** the body is an archive the handler streams itself (build, load, import, archive PUT) */
  rawBody?: boolean;
  pattern: RegExp;
  keys: string[];
  handler: H;
}

function compile(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  // {name*} also takes slashes: image names ("127.0.0.1:5000/team/app"), which docker's client sends unescaped
  const source = path.replace(/\{(\w+)(\*?)\}/g, (_m, key: string, rest: string) => {
    keys.push(key);
    return rest ? '(.+)' : '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), keys };
}

/**
 * Docker-style paths (`/containers/{id}/start`), optionally behind a version prefix (`/v1.45/...`) that the
 * stock docker client always sends.
 */
export class Router {
  private readonly routes: Route<Handler>[] = [];
  private readonly upgrades: Route<UpgradeHandler>[] = [];

  /** `opts.rawBody`: the request body is a tar (or gzip) stream, left unread whatever its Content-Type. */
  add(method: string, path: string, handler: Handler, opts: { rawBody?: boolean } = {}): this {
    this.routes.push({ method, ...compile(path), handler, ...(opts.rawBody && { rawBody: true }) });
    return this;
  }

  upgrade(method: string, path: string, handler: UpgradeHandler): this {
    this.upgrades.push({ method, ...compile(path), handler });
    return this;
  }

  static stripVersion(path: string): string {
    return path.replace(/^\/v\d+\.\d+(?=\/)/, '');
  }

  private find<H>(list: Route<H>[], method: string, path: string): { handler: H; params: Record<string, string>; rawBody: boolean } | 'wrong-method' | undefined {
    let pathMatched = false;
    for (const r of list) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params, rawBody: r.rawBody ?? false };
    }
    return pathMatched ? 'wrong-method' : undefined;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string>; rawBody: boolean } | 'wrong-method' | undefined {
    return this.find(this.routes, method, path);
  }

  matchUpgrade(method: string, path: string): { handler: UpgradeHandler; params: Record<string, string> } | undefined {
    const found = this.find(this.upgrades, method, path);
    return found === 'wrong-method' ? undefined : found;
  }
}
