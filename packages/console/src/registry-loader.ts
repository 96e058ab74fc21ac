/**
 * Loads the registry page: the repositories from `berth registry`'s admin API and the running
 * tasks of every cluster (with the person's own EcsApi), handed to core/registry-view.ts.
 * Must never perform an action.
 */
import { mapLimit } from '@berth/daemon';
import type { EcsApi } from './adapters/ecs-api.js';
import { fetchRepositories } from './adapters/registry.js';
import { buildRegistryView, type RegistryView } from './core/registry-view.js';

/** The registry page's view model. */
export async function loadRegistry(
  api: EcsApi,
  clusters: readonly string[],
  o: { readonly registry?: string | undefined; readonly registryAdmin?: string | undefined },
): Promise<RegistryView> {
  if (!o.registryAdmin) {
    return buildRegistryView(
      o.registry,
      [],
      [],
      'The console was started without --registry-admin.',
    );
  }
  const [repos, perCluster] = await Promise.all([
    fetchRepositories(o.registryAdmin).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e: (e as Error).message }),
    ),
    mapLimit([...clusters], 4, async (cluster) => {
      const arns = await api.taskArns(cluster, { desiredStatus: 'RUNNING' }).catch(() => []);
      const tasks = arns.length ? await api.describeTasks(cluster, arns).catch(() => []) : [];
      return tasks.map((task) => ({ cluster, task }));
    }),
  ]);
  return buildRegistryView(
    o.registry,
    repos.ok ? repos.r : [],
    perCluster.flat(),
    repos.ok ? undefined : repos.e,
  );
}
