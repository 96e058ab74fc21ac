/**
 * Services as the console shows them: rows, deployments, the rollout as old → new tasks, the
 * events, and what reaches the tasks (catalog names, DNS names, router routes). Pure functions
 * of the API answers; must never call an API.
 */
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { ms, taskDefName } from './task-rows.js';
import type {
  DeploymentView,
  EventRow,
  Reach,
  RolloutProgress,
  RouteView,
  ServiceRow,
  TaskRow,
  Tone,
} from './view-types.js';

/** Colour of a service: red when it runs fewer than wanted and nothing is starting. */
export function serviceTone(s: Service): Tone {
  if (s.status !== 'ACTIVE') return 'idle';
  const desired = s.desiredCount ?? 0;
  const running = s.runningCount ?? 0;
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') return 'bad';
  if (running >= desired && (s.deployments?.length ?? 0) <= 1) return 'ok';
  if (running < desired && (s.pendingCount ?? 0) === 0) return 'bad';
  return 'warn';
}

export function serviceRow(s: Service): ServiceRow {
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
  return {
    name: s.serviceName ?? '',
    cluster: (s.clusterArn ?? '').slice((s.clusterArn ?? '').lastIndexOf('/') + 1),
    status: s.status ?? 'UNKNOWN',
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    pending: s.pendingCount ?? 0,
    taskDefinition: taskDefName(s.taskDefinition),
    rolloutState: primary?.rolloutState ?? '',
    deployments: s.deployments?.length ?? 0,
    tone: serviceTone(s),
  };
}

export function deploymentView(d: Deployment): DeploymentView {
  return {
    id: d.id ?? '',
    status: d.status ?? '',
    taskDefinition: taskDefName(d.taskDefinition),
    desired: d.desiredCount ?? 0,
    running: d.runningCount ?? 0,
    pending: d.pendingCount ?? 0,
    failed: d.failedTasks ?? 0,
    rolloutState: d.rolloutState ?? '',
    rolloutStateReason: d.rolloutStateReason ?? '',
    createdAt: ms(d.createdAt),
    updatedAt: ms(d.updatedAt),
  };
}

/**
 * The rollout of the PRIMARY deployment as one bar: how many of the desired tasks run the new
 * revision, how many old ones still run. Undefined when the service has no PRIMARY deployment.
 */
export function rolloutProgress(s: Service): RolloutProgress | undefined {
  const deployments = s.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return undefined;
  const old = deployments.filter((d) => d !== primary);
  const desired = s.desiredCount ?? 0;
  const newRunning = primary.runningCount ?? 0;
  const state = primary.rolloutState ?? (old.length ? 'IN_PROGRESS' : 'COMPLETED');
  return {
    from: [...new Set(old.map((d) => taskDefName(d.taskDefinition)))],
    to: taskDefName(primary.taskDefinition),
    desired,
    oldRunning: old.reduce((n, d) => n + (d.runningCount ?? 0), 0),
    newRunning,
    newPending: primary.pendingCount ?? 0,
    percent: desired === 0 ? 100 : Math.min(100, Math.round((newRunning / desired) * 100)),
    state,
    done: old.length === 0 && newRunning >= desired && state !== 'FAILED',
  };
}

/** Service events as event rows, newest first. */
export function serviceEvents(s: Service, cluster: string): EventRow[] {
  const name = s.serviceName ?? '';
  return (s.events ?? []).map((e) => {
    const message = e.message ?? '';
    return {
      time: ms(e.createdAt) ?? 0,
      source: 'service',
      message,
      tone: /unable|failed|unhealthy|stopped .*because|circuit breaker/i.test(message)
        ? 'bad'
        : /steady state/.test(message)
          ? 'ok'
          : 'idle',
      link: `/c/${encodeURIComponent(cluster)}/services/${encodeURIComponent(name)}`,
    } satisfies EventRow;
  });
}

/** Merges event lists, newest first, at most `limit`. */
export function mergeEvents(lists: readonly (readonly EventRow[])[], limit: number): EventRow[] {
  return lists
    .flat()
    .sort((a, b) => b.time - a.time)
    .slice(0, limit);
}

/** A catalog instance as the reach computation needs it. */
export interface CatalogEndpoint {
  readonly service: string;
  readonly address: string;
  readonly port: number;
}

/** A router's table as `/api/routes` answers it. */
export interface RouterTable {
  readonly router: string;
  readonly routes: readonly {
    readonly src: string;
    readonly targets: readonly {
      readonly service: string;
      readonly dst: string;
      readonly weight: number;
    }[];
  }[];
}

/** `host:port` of a `127.0.0.1:32768→8080/tcp` binding. */
function bindingHostPort(binding: string): string {
  return binding.split('→')[0] ?? '';
}

/** `http://127.0.0.1:32768/` → `127.0.0.1:32768`. */
export function dstHostPort(dst: string): string {
  try {
    const u = new URL(dst);
    return u.host;
  } catch {
    return dst;
  }
}

/**
 * What reaches a service's running tasks: the catalog services whose instances are those
 * tasks' host:port bindings (so the registrator's naming needs no guessing), their DNS names,
 * and the router routes with a target among them.
 */
export function serviceReach(
  tasks: readonly TaskRow[],
  catalog: readonly CatalogEndpoint[],
  routers: readonly RouterTable[],
  domain = 'consul',
): Reach {
  const endpoints = new Set(
    tasks.filter((t) => t.lastStatus !== 'STOPPED').flatMap((t) => t.ports.map(bindingHostPort)),
  );
  const names = [
    ...new Set(
      catalog.filter((c) => endpoints.has(`${c.address}:${c.port}`)).map((c) => c.service),
    ),
  ].sort();
  const routes: RouteView[] = [];
  for (const r of routers) {
    for (const route of r.routes) {
      const targets = route.targets.filter(
        (t) => names.includes(t.service) || endpoints.has(dstHostPort(t.dst)),
      );
      if (targets.length) routes.push({ router: r.router, src: route.src, targets });
    }
  }
  return {
    consulServices: names,
    dnsNames: names.map((n) => `${n}.service.${domain}`),
    routes,
  };
}
