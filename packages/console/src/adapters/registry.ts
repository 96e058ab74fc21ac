/**
 * `berth registry`'s admin API as the console reads it: `GET /v1/repositories` (repositories,
 * tags, digests, sizes). Read only, bounded; the admin port is loopback and needs no key.
 */
import type { RegistryRepositoryInfo } from '../core/registry-view.js';

/** The registry's repositories; throws with a message the page can show. */
export async function fetchRepositories(adminUrl: string): Promise<RegistryRepositoryInfo[]> {
  const res = await fetch(new URL('/v1/repositories', adminUrl), {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the registry's admin API answered ${res.status}`);
  const body = (await res.json()) as { Repositories?: RegistryRepositoryInfo[] };
  return body.Repositories ?? [];
}
