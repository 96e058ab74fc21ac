/**
 * Reads the cluster through the ECS API for the verbs: every task (all pages, both desired
 * states), their container instances, and services. Only reads; never changes the cluster.
 */

import {
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Every task of the cluster with `desiredStatus` (RUNNING by default). */
export async function allTasks(
  ecs: ECSClient,
  cluster: string,
  desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING',
  filter: { serviceName?: string; family?: string } = {},
): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await ecs.send(
      new ListTasksCommand({ cluster, desiredStatus, nextToken, maxResults: 100, ...filter }),
    );
    arns.push(...(res.taskArns ?? []));
    nextToken = res.nextToken;
    if (!nextToken) break;
  }
  const tasks: Task[] = [];
  for (const part of chunks(arns, 100)) {
    const res = await ecs.send(new DescribeTasksCommand({ cluster, tasks: part }));
    tasks.push(...(res.tasks ?? []));
  }
  return tasks;
}

/** The container instances the tasks run on, by ARN. */
export async function instancesOf(
  ecs: ECSClient,
  cluster: string,
  tasks: readonly Task[],
): Promise<Map<string, ContainerInstance>> {
  const arns = [
    ...new Set(tasks.map((t) => t.containerInstanceArn).filter((a): a is string => !!a)),
  ];
  const out = new Map<string, ContainerInstance>();
  for (const part of chunks(arns, 100)) {
    const res = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: part }),
    );
    for (const ci of res.containerInstances ?? []) {
      if (ci.containerInstanceArn) out.set(ci.containerInstanceArn, ci);
    }
  }
  return out;
}

/** Every service of the cluster, described. */
export async function allServices(ecs: ECSClient, cluster: string): Promise<Service[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 }));
    arns.push(...(res.serviceArns ?? []));
    nextToken = res.nextToken;
    if (!nextToken) break;
  }
  const services: Service[] = [];
  for (const part of chunks(arns, 10)) {
    const res = await ecs.send(new DescribeServicesCommand({ cluster, services: part }));
    services.push(...(res.services ?? []));
  }
  return services;
}
