/**
 * The life of task sets inside their EXTERNAL service's record: created ACTIVE, scaled,
 * made PRIMARY (its task definition and load balancers become the service's, as ECS: "any
 * parameters that are updated on the primary task set in a service will transition to the
 * service"), set DRAINING by DeleteTaskSet and removed by the reconciler once empty; and the
 * folding of the reconciler's task set actions. Pure: time and IDs are inputs; must never
 * mutate its input.
 */
import { applyServiceActions, type ApplyContext } from './apply-service-actions.js';
import { ServiceRequestError } from './errors.js';
import { invalid } from './request-reader.js';
import { reconcileService } from './reconcile-service.js';
import { reconcileTaskSets, type TaskSetAction } from './reconcile-task-sets.js';
import type { TaskSet } from './task-set-types.js';
import type {
  Action,
  LoadBalancer,
  ReconcileOptions,
  Service,
  ServiceState,
  Tag,
} from './types.js';

/** ECS's words for a task set action on a service of another deployment controller. */
export const ONLY_EXTERNAL =
  'Amazon ECS only supports task set management on services configured to use external ' +
  'deployment controllers.';

/** Task sets per service (ECS's quota). */
export const MAX_TASK_SETS = 5;

/** The service, when task sets may be managed on it (EXTERNAL; ACTIVE when `changing`). */
export function checkTaskSetService(service: Service, changing: boolean): void {
  if (service.deploymentController !== 'EXTERNAL') throw invalid('service', ONLY_EXTERNAL);
  if (changing && service.status !== 'ACTIVE') {
    throw new ServiceRequestError(
      'ServiceNotActiveException',
      'service',
      'Service was not ACTIVE.',
    );
  }
}

/** What a new task set needs besides the service. */
export interface NewTaskSet {
  id: string;
  taskSetArn: string;
  taskDefinition: string;
  externalId: string | undefined;
  loadBalancers: LoadBalancer[];
  scale: { value: number; unit: 'PERCENT' };
  tags: Tag[];
  clientToken: string | undefined;
  now: number;
}

/** The service with a new ACTIVE task set. */
export function addTaskSet(service: Service, n: NewTaskSet): { service: Service; set: TaskSet } {
  checkTaskSetService(service, true);
  const sets = service.taskSets ?? [];
  if (sets.length >= MAX_TASK_SETS) {
    throw invalid('service', `A service can have at most ${MAX_TASK_SETS} task sets.`);
  }
  const set: TaskSet = {
    id: n.id,
    taskSetArn: n.taskSetArn,
    status: 'ACTIVE',
    taskDefinition: n.taskDefinition,
    ...(n.externalId !== undefined ? { externalId: n.externalId } : {}),
    launchType: 'EC2',
    loadBalancers: n.loadBalancers,
    scale: n.scale,
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: n.now,
    createdAt: n.now,
    updatedAt: n.now,
    tags: n.tags,
    ...(n.clientToken !== undefined ? { clientToken: n.clientToken } : {}),
  };
  return { service: { ...service, taskSets: [...sets, set] }, set };
}

function change(service: Service, id: string, fn: (s: TaskSet) => TaskSet): Service {
  return { ...service, taskSets: (service.taskSets ?? []).map((s) => (s.id === id ? fn(s) : s)) };
}

/** UpdateTaskSet: a new scale; the set stabilizes again. */
export function scaleTaskSet(
  service: Service,
  id: string,
  scale: TaskSet['scale'],
  now: number,
): Service {
  checkTaskSetService(service, true);
  return change(service, id, (s) => ({
    ...s,
    scale,
    updatedAt: now,
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
  }));
}

/** UpdateServicePrimaryTaskSet: the set turns PRIMARY, the previous one ACTIVE. */
export function makePrimary(service: Service, id: string, now: number): Service {
  checkTaskSetService(service, true);
  const set = service.taskSets?.find((s) => s.id === id);
  if (!set) return service;
  if (set.status === 'DRAINING') {
    throw invalid('primaryTaskSet', 'A DRAINING task set cannot be made the primary task set.');
  }
  if (set.status === 'PRIMARY') return service;
  const sets = (service.taskSets ?? []).map((s): TaskSet => {
    if (s.id === id) return { ...s, status: 'PRIMARY', updatedAt: now };
    return s.status === 'PRIMARY' ? { ...s, status: 'ACTIVE', updatedAt: now } : s;
  });
  return {
    ...service,
    taskDefinition: set.taskDefinition,
    loadBalancers: set.loadBalancers.map((lb) => ({ ...lb })),
    taskSets: [...sets.filter((s) => s.id === id), ...sets.filter((s) => s.id !== id)],
  };
}

/**
 * DeleteTaskSet: DRAINING (its tasks stop, then the reconciler removes it). Without `force`
 * a set still scaled above 0, or the PRIMARY one, stays.
 */
export function drainTaskSet(service: Service, id: string, force: boolean, now: number): Service {
  checkTaskSetService(service, false);
  const set = service.taskSets?.find((s) => s.id === id);
  if (!set || set.status === 'DRAINING') return service;
  if (!force && set.scale.value > 0) {
    throw invalid('force', 'The task set cannot be deleted while it is scaled above 0; use force.');
  }
  if (!force && set.status === 'PRIMARY') {
    throw invalid('force', 'The primary task set cannot be deleted; use force.');
  }
  return change(service, id, (s) => ({
    ...s,
    status: 'DRAINING',
    updatedAt: now,
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
  }));
}

/** Every load balancer the service's tasks register in: its own and its task sets'. */
export function serviceLoadBalancers(service: Service): LoadBalancer[] {
  const all = [
    ...service.loadBalancers,
    ...(service.taskSets ?? []).flatMap((s) => s.loadBalancers),
  ];
  const seen = new Set<string>();
  return all.filter((lb) => {
    const k = `${lb.targetGroupArn} ${lb.containerName} ${lb.containerPort}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** reconcileService or, for an EXTERNAL service, reconcileTaskSets. */
export function reconcileAny(
  state: ServiceState,
  now: number,
  options: ReconcileOptions = {},
): TaskSetAction[] {
  return state.service.deploymentController === 'EXTERNAL'
    ? reconcileTaskSets(state, now, options)
    : reconcileService(state, now, options);
}

/** applyServiceActions, plus the task set actions of reconcileTaskSets. */
export function applyAnyActions(
  service: Service,
  actions: readonly TaskSetAction[],
  ctx: ApplyContext,
): Service {
  const plain = actions.filter(
    (a): a is Action => a.type !== 'taskSetStability' && a.type !== 'removeTaskSet',
  );
  let next = applyServiceActions(service, plain, ctx);
  for (const a of actions) {
    if (a.type === 'taskSetStability') {
      next = change(next, a.taskSetId, (s) => ({
        ...s,
        stabilityStatus: a.status,
        stabilityStatusAt: ctx.now,
      }));
    } else if (a.type === 'removeTaskSet') {
      next = { ...next, taskSets: (next.taskSets ?? []).filter((s) => s.id !== a.taskSetId) };
    }
  }
  return next;
}
