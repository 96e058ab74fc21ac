/**
 * The registry page's view model: the repositories and tags `berth registry` holds, with their
 * sizes, and which tasks run each (matched on the container's image reference: `host/name:tag`,
 * `host/name` meaning `:latest`, or `host/name@digest`). Pure; must never fetch.
 */
import type { Task } from '@aws-sdk/client-ecs';

import type {
  RegistryRepositoryInfo,
  RegistryTaskRef,
  RegistryView,
} from './registry-view-types.js';

export type * from './registry-view-types.js';

const idOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** `host/name:tag` → { name, tag } when it names `registry`; digest refs keep `@digest`. */
export function imageInRegistry(
  image: string,
  registry: string,
): { name: string; tag?: string; digest?: string } | undefined {
  if (!image.startsWith(`${registry}/`)) return undefined;
  const rest = image.slice(registry.length + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { name: rest.slice(0, at), digest: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && colon >= 0) {
    return { name: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  }
  return { name: rest, tag: 'latest' };
}

/** Builds the page from the repositories and the clusters' tasks. */
export function buildRegistryView(
  registry: string | undefined,
  repositories: readonly RegistryRepositoryInfo[],
  tasks: readonly { readonly cluster: string; readonly task: Task }[],
  error?: string,
): RegistryView {
  const rows = [...repositories]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => ({
      name: r.name,
      tags: [...r.tags]
        .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
        .map((tag) => {
          const runs: RegistryTaskRef[] = [];
          for (const { cluster, task } of tasks) {
            for (const c of task.containers ?? []) {
              const m = registry ? imageInRegistry(c.image ?? '', registry) : undefined;
              if (!m || m.name !== r.name) continue;
              if (m.tag !== undefined ? m.tag !== tag.tag : m.digest !== tag.digest) continue;
              runs.push({
                cluster,
                id: idOf(task.taskArn ?? ''),
                status: task.lastStatus ?? 'UNKNOWN',
                container: c.name ?? '',
              });
            }
          }
          return { ...tag, image: `${registry ?? ''}/${r.name}:${tag.tag}`, tasks: runs };
        }),
    }));
  return { registry, repositories: rows, ...(error ? { error } : {}) };
}
