// Shared steps of the end-to-end tests against a running `berth dev`: an ECS client with the
// dev's credentials, the `hello` task definition, DNS and router probes, and a bounded poll.
//
// It must never talk to anything but loopback, and every wait in it is bounded.
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { RunningDev, Teardown } from './berth-dev.js';

const exec = promisify(execFile);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** An ECS client for `dev`, destroyed at teardown. */
export async function ecsFor(t: Teardown, dev: RunningDev): Promise<ECSClient> {
  const creds = await readFile(dev.info.credentialsFile, 'utf8');
  const id = /aws_access_key_id = (\S+)/.exec(creds)![1]!;
  const secret = /aws_secret_access_key = (\S+)/.exec(creds)![1]!;
  const ecs = new ECSClient({
    endpoint: dev.info.endpoint,
    region: dev.info.region,
    credentials: { accessKeyId: id, secretAccessKey: secret },
  });
  t.teardown(() => ecs.destroy());
  return ecs;
}

/** The test image's HTTP server as service `hello` behind `/hello`, checked every second. */
/** A container health check for `helloTaskDef` (Docker runs it every 5 s, ECS's minimum). */
export const HELLO_HEALTH_CHECK = {
  command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'],
  interval: 5,
  timeout: 2,
  retries: 3,
  startPeriod: 0,
};

export function helloTaskDef(
  family = 'hello',
  extraEnv: Readonly<Record<string, string>> = {},
  options: { healthCheck?: typeof HELLO_HEALTH_CHECK } = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    containerDefinitions: [
      {
        name: 'hello',
        image: 'berth/busybox:test',
        cpu: 64,
        memory: 64,
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
        environment: [
          { name: 'SERVICE_NAME', value: 'hello' },
          { name: 'SERVICE_TAGS', value: 'urlprefix-/hello' },
          { name: 'SERVICE_CHECK_HTTP', value: '/health' },
          { name: 'SERVICE_CHECK_INTERVAL', value: '1s' },
          ...Object.entries(extraEnv).map(([name, value]) => ({ name, value })),
        ],
        ...(options.healthCheck ? { healthCheck: options.healthCheck } : {}),
      },
    ],
  };
}

/** `dig @host -p port name SRV +short`, bounded; [] when it fails. */
export async function srv(host: string, port: string, name = 'hello.service.consul') {
  try {
    const { stdout } = await exec(
      'dig',
      [`@${host}`, '-p', port, name, 'SRV', '+short', '+time=2', '+tries=1'],
      { timeout: 5000 },
    );
    return stdout.trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** `n` GETs of `url`, counted by answering container (`error`, `status-NNN` otherwise). */
export async function hits(url: string, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      const h = res.status === 200 ? res.headers.get('x-berth-hostname') : `status-${res.status}`;
      seen.set(h ?? '?', (seen.get(h ?? '?') ?? 0) + 1);
    } catch {
      seen.set('error', (seen.get('error') ?? 0) + 1);
    }
  }
  return seen;
}

/** The container hostnames among {@link hits}' keys. */
export function containers(m: Map<string, number>): string[] {
  return [...m.keys()].filter((k) => !/error|status|\?/.test(k));
}

/** One task as the tests look at it. */
export interface TaskOnHost {
  readonly arn: string;
  readonly status: string;
  /** The instance id of its host (`dev-<port>-h<i>`). */
  readonly host: string;
  readonly taskDefinitionArn: string;
}

/** The tasks of a service (or all, `desiredStatus` RUNNING by default) with their hosts. */
export async function tasksOnHosts(
  ecs: ECSClient,
  serviceName?: string,
  desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING',
): Promise<TaskOnHost[]> {
  const list = await ecs.send(
    new ListTasksCommand({
      cluster: 'default',
      desiredStatus,
      ...(serviceName ? { serviceName } : {}),
    }),
  );
  if (!list.taskArns?.length) return [];
  const { tasks = [] } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'default', tasks: list.taskArns }),
  );
  const arns = [...new Set(tasks.map((x) => x.containerInstanceArn ?? '').filter(Boolean))];
  const { containerInstances = [] } = arns.length
    ? await ecs.send(
        new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: arns }),
      )
    : {};
  const hostOf = new Map(containerInstances.map((c) => [c.containerInstanceArn, c.ec2InstanceId]));
  return tasks.map((x) => ({
    arn: x.taskArn ?? '',
    status: x.lastStatus ?? '',
    host: hostOf.get(x.containerInstanceArn) ?? '?',
    taskDefinitionArn: x.taskDefinitionArn ?? '',
  }));
}
