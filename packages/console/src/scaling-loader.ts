/**
 * Loads a service's auto scaling section: the ECS service (desired and running counts), its
 * scalable target, policies, scheduled actions (with their next run from the scheduler's
 * `nextRunAfter`), the newest activities and the leader's utilisation, in parallel; a part the
 * scheduler refuses or fails is left empty and named in `problems`, so the rest still shows.
 * Must never perform an action.
 */
import { nextRunAfter } from '@berth/scheduler';
import type { EcsApi } from './adapters/ecs-api.js';
import { EcsCallError } from './adapters/ecs-api.js';
import type { ScalingApi } from './adapters/scaling-api.js';
import { resourceIdOf } from './core/scaling-actions.js';
import type { ScalingView } from './core/scaling-view-types.js';
import {
  activityView,
  policyView,
  scheduledView,
  targetView,
  utilisationView,
} from './core/scaling-view.js';

export async function loadScaling(
  api: EcsApi,
  scaling: ScalingApi,
  cluster: string,
  service: string,
  now = Date.now(),
): Promise<ScalingView> {
  const problems: string[] = [];
  const part = <T>(what: string, p: Promise<T>, empty: T): Promise<T> =>
    p.catch((e: unknown) => {
      const err = e instanceof EcsCallError ? `${e.type}: ${e.message}` : String(e);
      problems.push(`${what}: ${err}`);
      return empty;
    });
  const [services, target, policies, scheduled, activities, metrics] = await Promise.all([
    api.services(cluster, [service]),
    part('Scalable target', scaling.target(cluster, service), undefined),
    part('Scaling policies', scaling.policies(cluster, service), []),
    part('Scheduled actions', scaling.scheduledActions(cluster, service), []),
    part('Scaling activities', scaling.activities(cluster, service), []),
    part('Utilisation', scaling.serviceMetrics(cluster, service), undefined),
  ]);
  const s = services[0];
  if (!s) throw new EcsCallError('NotFound', `Service ${service} was not found`, 404);
  return {
    cluster,
    service,
    resourceId: resourceIdOf(cluster, service),
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    target: target ? targetView(target) : undefined,
    policies: policies.map(policyView).sort((a, b) => (a.name < b.name ? -1 : 1)),
    scheduled: scheduled.map((a) => scheduledView(a, now, nextRunAfter)),
    activities: activities.map(activityView),
    utilisation: metrics ? utilisationView(metrics) : undefined,
    problems,
  };
}
