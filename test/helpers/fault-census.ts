// The fault suite's view of a `berth dev` service after a fault (issue 15): what the ECS API
// says runs, what `docker ps` says runs, what the catalog lists, and what follows from
// comparing them: lost tasks (RUNNING in ECS, no container), duplicates (two containers for a
// task, or a container no RUNNING task owns), stale registrations (catalog entries for
// containers that no longer run). "Whole" is all of that at zero with the desired count.
//
// It only reads: ECS, Docker (containers labelled with this dev's hosts) and the catalog.
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import type Docker from 'dockerode';
import type { RunningDev } from './berth-dev.js';

/** One service as the three sources see it. */
export interface Census {
  /** Tasks ECS lists as desired RUNNING. */
  readonly tasks: number;
  /** Of those, lastStatus RUNNING. */
  readonly running: number;
  readonly deployments: number;
  /** Task definitions of the RUNNING tasks. */
  readonly revisions: readonly string[];
  /** Running containers of the service on this dev's hosts. */
  readonly containers: number;
  /** Catalog instances of the service, and those passing every check. */
  readonly registered: number;
  readonly passing: number;
  /** ECS RUNNING tasks without a running container. */
  readonly lost: readonly string[];
  /** Task ARNs with more than one running container (a task started twice). */
  readonly duplicates: readonly string[];
  /** Containers of no task ECS wants running (fine while a task stops, not once whole). */
  readonly orphans: readonly string[];
  /** Catalog instances whose container does not run. */
  readonly stale: readonly string[];
  /** Daemons `berth dev` supervises that do not run (or are not ready). */
  readonly daemonsDown: readonly string[];
}

interface HealthEntry {
  Service: { ID: string; Meta?: Record<string, string> | null };
  Checks?: { Status: string }[] | null;
}

/** Reads the census of `service` (family `family`); throws when a source does not answer. */
export async function census(
  dev: RunningDev,
  ecs: ECSClient,
  docker: Docker,
  service = 'hello',
  family = 'hello',
): Promise<Census> {
  const list = await ecs.send(
    new ListTasksCommand({ cluster: 'default', serviceName: service, desiredStatus: 'RUNNING' }),
  );
  const arns = list.taskArns ?? [];
  const described = arns.length
    ? ((await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: arns }))).tasks ?? [])
    : [];
  const { services = [] } = await ecs.send(
    new DescribeServicesCommand({ cluster: 'default', services: [service] }),
  );
  const running = described.filter((t) => t.lastStatus === 'RUNNING');
  const hosts = new Set(dev.info.hosts.map((h) => h.instanceId));
  const containers = (
    await docker.listContainers({
      filters: { label: [`com.amazonaws.ecs.task-definition-family=${family}`] },
    })
  ).filter((c) => hosts.has(c.Labels['berth.instance-id'] ?? ''));
  const byTask = new Map<string, number>();
  for (const c of containers) {
    const arn = c.Labels['com.amazonaws.ecs.task-arn'] ?? '';
    byTask.set(arn, (byTask.get(arn) ?? 0) + 1);
  }
  const runningArns = new Set(running.map((t) => t.taskArn ?? ''));
  const liveArns = new Set(described.map((t) => t.taskArn ?? ''));
  const lost = running.map((t) => t.taskArn ?? '').filter((a) => !byTask.has(a));
  const duplicates = [...byTask].filter(([, n]) => n > 1).map(([a, n]) => `${a} x${n}`);
  const orphans = [...byTask.keys()].filter((a) => !liveArns.has(a));
  const res = await fetch(`${dev.info.catalog}/v1/health/service/${service}`, {
    headers: dev.catalogHeaders,
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`catalog answered ${res.status}`);
  const entries = (await res.json()) as HealthEntry[];
  const ids = containers.map((c) => c.Id);
  const stale = entries
    .filter((e) => {
      const id = e.Service.Meta?.['berth-container'] ?? '';
      return !ids.some((c) => c === id || c.startsWith(id) || id.startsWith(c));
    })
    .map((e) => e.Service.ID);
  const passing = entries.filter((e) => (e.Checks ?? []).every((c) => c.Status === 'passing'));
  const daemons = await dev.daemons();
  return {
    tasks: arns.length,
    running: running.length,
    deployments: services[0]?.deployments?.length ?? 0,
    revisions: [...new Set(running.map((t) => t.taskDefinitionArn?.split('/').pop() ?? ''))],
    containers: containers.length,
    registered: entries.length,
    passing: passing.length,
    lost: lost.filter((a) => runningArns.has(a)),
    duplicates,
    orphans,
    stale,
    daemonsDown: daemons.filter((d) => !d.running || !d.ready).map((d) => d.label),
  };
}

/** Whether the census shows the service whole at `desired` tasks. */
export function whole(c: Census, desired: number): boolean {
  return (
    c.tasks === desired &&
    c.running === desired &&
    c.deployments === 1 &&
    c.revisions.length === 1 &&
    c.containers === desired &&
    c.registered === desired &&
    c.passing === desired &&
    c.lost.length === 0 &&
    c.duplicates.length === 0 &&
    c.orphans.length === 0 &&
    c.stale.length === 0 &&
    c.daemonsDown.length === 0
  );
}
