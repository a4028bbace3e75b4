import { UserError } from '../sys/errors.js';
import { RegistryClient, type Credentials } from './http.js';
import { DOCKER_HUB } from './reference.js';

export interface SearchResult { name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }

/**
 * `docker search REGISTRY/TERM`: the registry's catalog (GET /v2/_catalog, which the reference registry
 * serves) filtered by TERM. Docker Hub has no catalog for the public; its search API is not the registry's.
 */
export async function searchRegistry(term: string, opts: { credentials?: Credentials; limit?: number } = {}): Promise<SearchResult[]> {
  const slash = term.indexOf('/');
  const first = slash > 0 ? term.slice(0, slash) : '';
  if (!first || !(first.includes('.') || first.includes(':') || first === 'localhost') || first === DOCKER_HUB) {
    throw new UserError(`search needs a registry: boxlab search HOST[:PORT]/TERM (Docker Hub's search is not part of the registry API boxlab speaks)`);
  }
  const needle = term.slice(slash + 1);
  const client = new RegistryClient(first, opts.credentials);
  await client.authorize(['registry:catalog:*']);
  const out: string[] = [];
  let path: string | undefined = '/v2/_catalog?n=1000';
  while (path) {
    const res = await client.call(path, {}, ['registry:catalog:*']);
    if (res.status === 404) { await res.body?.cancel(); throw new UserError(`registry ${first} does not list its repositories (no /v2/_catalog)`); }
    await client.expect(res, 'catalog');
    const j = (await res.json()) as { repositories?: string[] };
    out.push(...(j.repositories ?? []));
    const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
    path = link ? link[1] : undefined;
  }
  return out.filter((r) => r.includes(needle)).slice(0, opts.limit ?? 25)
    .map((r) => ({ name: `${first}/${r}`, description: '', star_count: 0, is_official: false, is_automated: false }));
}

/** `docker login`: the credentials are tried against the registry (GET /v2/ with its challenge answered). */
export async function checkLogin(registry: string, credentials: Credentials): Promise<void> {
  const client = new RegistryClient(registry, credentials);
  await client.authorize([]);
  const res = await client.call('/v2/');
  await res.body?.cancel();
  if (res.status !== 200) throw new UserError(`login to ${registry} failed: the registry answered ${res.status}`);
}
