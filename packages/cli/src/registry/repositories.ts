/**
 * What the registry holds, through its own HTTP API (distribution v2): repositories
 * (`/v2/_catalog`), their tags and each tag's digest and size (the manifest's config and
 * layers). Used by `berth registry`'s admin endpoint and the console. Read only; the
 * credentials it is given go only into the Authorization header.
 */

/** One tag of a repository. */
export interface TagInfo {
  readonly tag: string;
  readonly digest: string | undefined;
  /** Compressed size of the config and layers, bytes. */
  readonly size: number | undefined;
}

/** One repository. */
export interface RepositoryInfo {
  readonly name: string;
  readonly tags: readonly TagInfo[];
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

/** Lists repositories, tags, digests and sizes (at most `max` repositories). */
export async function listRepositories(
  base: string,
  auth: { username: string; password: string } | undefined,
  max = 1000,
): Promise<RepositoryInfo[]> {
  const headers: Record<string, string> = auth
    ? {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      }
    : {};
  const get = async (path: string, accept?: string): Promise<Response> => {
    const res = await fetch(`${base}${path}`, {
      headers: { ...headers, ...(accept ? { accept } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`registry answered ${res.status} to GET ${path}`);
    return res;
  };
  const catalog = (await (await get(`/v2/_catalog?n=${max}`)).json()) as {
    repositories?: string[];
  };
  const out: RepositoryInfo[] = [];
  for (const name of catalog.repositories ?? []) {
    const list = (await (await get(`/v2/${name}/tags/list`)).json()) as { tags?: string[] | null };
    const tags: TagInfo[] = [];
    for (const tag of [...(list.tags ?? [])].sort()) {
      try {
        const res = await get(`/v2/${name}/manifests/${tag}`, MANIFEST_TYPES);
        const m = (await res.json()) as {
          config?: { size?: number };
          layers?: { size?: number }[];
        };
        const size =
          m.layers === undefined
            ? undefined
            : (m.config?.size ?? 0) + m.layers.reduce((n, l) => n + (l.size ?? 0), 0);
        tags.push({ tag, digest: res.headers.get('docker-content-digest') ?? undefined, size });
      } catch {
        tags.push({ tag, digest: undefined, size: undefined });
      }
    }
    out.push({ name, tags });
  }
  return out;
}
