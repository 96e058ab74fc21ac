/**
 * The scheduler's ECS API as the console uses it, signed with SigV4 by the AWS SDK with one
 * person's key pair: paged listings described in batches, and the one call behind each action.
 * The only file that sends ECS requests; must never log or return a secret key.
 */
import {
  type Cluster,
  type ContainerInstance,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type Service,
  StopTaskCommand,
  type Task,
  type TaskDefinition,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mapLimit } from '@berth/daemon';
import type { EcsAction } from '../core/actions.js';
import type { KeyPair } from '../core/sessions.js';

/** An ECS refusal (or the scheduler being unreachable) as the console reports it. */
export class EcsCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The refusals that mean "these credentials are not accepted". */
export const AUTH_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

/** Turns an SDK failure into an EcsCallError. */
export function toCallError(e: unknown): EcsCallError {
  if (e instanceof EcsCallError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  if (status === undefined) {
    return new EcsCallError(
      'SchedulerUnreachable',
      `The scheduler cannot be reached: ${err.message ?? String(e)}`,
      502,
    );
  }
  return new EcsCallError(err.name ?? 'ServerException', err.message ?? 'refused', status);
}

const chunks = <T>(list: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
};

/** One person's view of the scheduler. */
export class EcsApi {
  readonly client: ECSClient;

  constructor(endpoint: string, region: string, credentials: KeyPair) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new ECSClient({
      endpoint,
      region,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
      },
      maxAttempts: 2,
    });
  }

  async #send<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toCallError(e);
    }
  }

  destroy(): void {
    this.client.destroy();
  }

  async clusterNames(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await this.#send(() =>
        this.client.send(new ListClustersCommand({ nextToken, maxResults: 100 })),
      );
      arns.push(...(r.clusterArns ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
    return arns.map((a) => a.slice(a.lastIndexOf('/') + 1));
  }

  async clusters(names: readonly string[]): Promise<Cluster[]> {
    if (!names.length) return [];
    const r = await this.#send(() =>
      this.client.send(new DescribeClustersCommand({ clusters: [...names] })),
    );
    return r.clusters ?? [];
  }

  async instances(cluster: string): Promise<ContainerInstance[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await this.#send(() =>
        this.client.send(
          new ListContainerInstancesCommand({ cluster, nextToken, maxResults: 100 }),
        ),
      );
      arns.push(...(r.containerInstanceArns ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
    const parts = await mapLimit(chunks(arns, 100), 4, (batch) =>
      this.#send(() =>
        this.client.send(
          new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }),
        ),
      ),
    );
    return parts.flatMap((p) => p.containerInstances ?? []);
  }

  async services(cluster: string, names?: readonly string[]): Promise<Service[]> {
    let list = names ? [...names] : [];
    if (!names) {
      let nextToken: string | undefined;
      do {
        const r = await this.#send(() =>
          this.client.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 })),
        );
        list.push(...(r.serviceArns ?? []));
        nextToken = r.nextToken;
      } while (nextToken);
      list = list.map((a) => a.slice(a.lastIndexOf('/') + 1));
    }
    const parts = await mapLimit(chunks(list, 10), 4, (batch) =>
      this.#send(() => this.client.send(new DescribeServicesCommand({ cluster, services: batch }))),
    );
    return parts.flatMap((p) => p.services ?? []);
  }

  /** Task ARNs of a cluster, filtered like ListTasks. */
  async taskArns(
    cluster: string,
    filter: {
      desiredStatus?: 'RUNNING' | 'STOPPED';
      serviceName?: string;
      containerInstance?: string;
    },
  ): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await this.#send(() =>
        this.client.send(new ListTasksCommand({ cluster, ...filter, nextToken, maxResults: 100 })),
      );
      arns.push(...(r.taskArns ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
    return arns;
  }

  async describeTasks(cluster: string, arns: readonly string[]): Promise<Task[]> {
    const parts = await mapLimit(chunks([...new Set(arns)], 100), 4, (batch) =>
      this.#send(() => this.client.send(new DescribeTasksCommand({ cluster, tasks: batch }))),
    );
    return parts.flatMap((p) => p.tasks ?? []);
  }

  /** Running and recently stopped tasks (optionally of one service or instance). */
  async tasks(
    cluster: string,
    filter: { serviceName?: string; containerInstance?: string } = {},
  ): Promise<Task[]> {
    const [live, stopped] = await Promise.all([
      this.taskArns(cluster, { ...filter, desiredStatus: 'RUNNING' }),
      this.taskArns(cluster, { ...filter, desiredStatus: 'STOPPED' }),
    ]);
    return this.describeTasks(cluster, [...live, ...stopped]);
  }

  async taskDefinitionArns(
    status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE',
    familyPrefix?: string,
  ): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await this.#send(() =>
        this.client.send(
          new ListTaskDefinitionsCommand({ status, familyPrefix, nextToken, maxResults: 100 }),
        ),
      );
      arns.push(...(r.taskDefinitionArns ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
    return arns;
  }

  async taskDefinition(name: string): Promise<TaskDefinition> {
    const r = await this.#send(() =>
      this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: name })),
    );
    if (!r.taskDefinition)
      throw new EcsCallError('ClientException', `no task definition ${name}`, 400);
    return r.taskDefinition;
  }

  /** Performs an action; returns a short result ("registered hello:4"). */
  async perform(a: EcsAction): Promise<string> {
    const c = this.client;
    switch (a.kind) {
      case 'scale':
        await this.#send(() =>
          c.send(
            new UpdateServiceCommand({
              cluster: a.cluster,
              service: a.service,
              desiredCount: a.desiredCount,
            }),
          ),
        );
        return `desired count ${a.desiredCount}`;
      case 'update-service': {
        const r = await this.#send(() =>
          c.send(
            new UpdateServiceCommand({
              cluster: a.cluster,
              service: a.service,
              ...(a.taskDefinition ? { taskDefinition: a.taskDefinition } : {}),
              forceNewDeployment: a.forceNewDeployment,
            }),
          ),
        );
        const primary = r.service?.deployments?.find((d) => d.status === 'PRIMARY');
        return `deployment ${primary?.id ?? '?'} started`;
      }
      case 'stop-task':
        await this.#send(() =>
          c.send(
            new StopTaskCommand({
              cluster: a.cluster,
              task: a.task,
              reason: a.reason ?? 'Stopped from berth console',
            }),
          ),
        );
        return 'stopping';
      case 'instance-state': {
        const r = await this.#send(() =>
          c.send(
            new UpdateContainerInstancesStateCommand({
              cluster: a.cluster,
              containerInstances: [a.instance],
              status: a.status,
            }),
          ),
        );
        const failure = r.failures?.[0];
        if (failure) {
          throw new EcsCallError(
            'ClientException',
            `${failure.reason ?? 'refused'}: ${failure.detail ?? failure.arn ?? ''}`.trim(),
            400,
          );
        }
        return a.status;
      }
      case 'run-task': {
        const r = await this.#send(() =>
          c.send(
            new RunTaskCommand({
              cluster: a.cluster,
              taskDefinition: a.taskDefinition,
              count: a.count,
              startedBy: 'berth-console',
            }),
          ),
        );
        const failure = r.failures?.[0];
        if (!r.tasks?.length && failure) {
          throw new EcsCallError(
            'ClientException',
            `${failure.reason ?? 'refused'}${failure.detail ? `: ${failure.detail}` : ''}`,
            400,
          );
        }
        return `started ${(r.tasks ?? []).map((t) => t.taskArn?.slice(t.taskArn.lastIndexOf('/') + 1)).join(', ')}`;
      }
      case 'register-task-definition': {
        const r = await this.#send(() =>
          c.send(
            new RegisterTaskDefinitionCommand(
              a.definition as unknown as RegisterTaskDefinitionCommandInput,
            ),
          ),
        );
        const td = r.taskDefinition;
        return `registered ${td?.family ?? '?'}:${td?.revision ?? '?'}`;
      }
    }
  }
}
