/**
 * The demo `berth dev --demo` shows, driven through the ECS API like a user would: register a
 * task definition of the test image (service `hello`, tag `urlprefix-/hello` for the
 * registrator), start 3 tasks (a service when the scheduler has services, else RunTask), wait
 * until the router reaches them, then show three requests answered by three containers and the
 * DNS SRV answer. It only removes containers of its own simulated hosts.
 */

import { sleep } from '@berth/daemon';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { LABEL_INSTANCE_ID } from '@berth/protocol';
import type Docker from 'dockerode';
import type { DevPlan } from './dev-plan.js';
import { ecsClient } from '../ecs/connect.js';

const run = promisify(execFile);

export const DEMO_IMAGE = 'berth/busybox:test';
export const DEMO_LABEL = 'berth.dev.demo';

/** The demo's task definition: the test image's HTTP server on 8080, published on any port. */
export function demoTaskDefinition(owner: string): RegisterTaskDefinitionCommandInput {
  return {
    family: 'hello',
    containerDefinitions: [
      {
        name: 'hello',
        image: DEMO_IMAGE,
        cpu: 64,
        memory: 64,
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        environment: [
          { name: 'SERVICE_NAME', value: 'hello' },
          { name: 'SERVICE_TAGS', value: 'urlprefix-/hello' },
          { name: 'SERVICE_CHECK_HTTP', value: '/health' },
          { name: 'SERVICE_CHECK_INTERVAL', value: '1s' },
        ],
        dockerLabels: { [DEMO_LABEL]: owner },
        healthCheck: {
          command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'],
          interval: 5,
          timeout: 2,
          retries: 3,
          startPeriod: 0,
        },
      },
    ],
  };
}

/** Whether an ECS error means the scheduler does not know the action (no services yet). */
export function isUnknownOperation(err: unknown): boolean {
  const name = (err as { name?: string; __type?: string }).name ?? '';
  return /UnknownOperation|InvalidAction|NotImplemented/i.test(name);
}

/**
 * Registers the demo and starts 3 tasks: as service `hello` when the scheduler has services,
 * otherwise with RunTask (and says so). A service that starts no task within
 * `serviceGraceMs` (a scheduler whose services are incomplete) also falls back to RunTask.
 */
export async function startDemo(
  ecs: ECSClient,
  cluster: string,
  owner: string,
  say: (line: string) => void,
  serviceGraceMs = 15_000,
): Promise<'service' | 'run-task'> {
  const td = await ecs.send(new RegisterTaskDefinitionCommand(demoTaskDefinition(owner)));
  const arn = td.taskDefinition?.taskDefinitionArn ?? 'hello';
  say(`registered task definition ${arn.split('/').pop()}`);
  try {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'hello',
        taskDefinition: arn,
        desiredCount: 3,
      }),
    );
    say('created service hello with 3 tasks');
    const deadline = Date.now() + serviceGraceMs;
    while (Date.now() < deadline) {
      const list = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'hello' }));
      if ((list.taskArns ?? []).length) return 'service';
      await sleep(250);
    }
    say(
      `service hello started no task within ${serviceGraceMs / 1000} s (services incomplete in this scheduler)`,
    );
  } catch (err) {
    if (!isUnknownOperation(err)) throw err;
    say('the scheduler has no services yet (issue 9)');
  }
  say('starting 3 tasks with RunTask instead');
  const out = await ecs.send(
    new RunTaskCommand({ cluster, taskDefinition: arn, count: 3, startedBy: 'berth-dev-demo' }),
  );
  const failures = out.failures ?? [];
  if (failures.length) {
    throw new Error(
      `RunTask failed: ${failures.map((f) => `${f.arn ?? ''} ${f.reason}`).join('; ')}`,
    );
  }
  return 'run-task';
}

/** Waits (bounded) until `want` tasks of the cluster are RUNNING, printing progress. */
export async function waitTasksRunning(
  ecs: ECSClient,
  cluster: string,
  want: number,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const list = await ecs.send(new ListTasksCommand({ cluster }));
    const arns = list.taskArns ?? [];
    const tasks = arns.length
      ? ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [])
      : [];
    const counts = new Map<string, number>();
    for (const t of tasks)
      counts.set(t.lastStatus ?? '?', (counts.get(t.lastStatus ?? '?') ?? 0) + 1);
    const line = [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'no tasks yet';
    if (line !== last) say(`tasks: ${line}`);
    last = line;
    if ((counts.get('RUNNING') ?? 0) >= want) return;
    await sleep(250);
  }
  throw new Error(`tasks did not reach RUNNING within ${timeoutMs / 1000} s (${last})`);
}

/** Removes every container that runs on one of `instanceIds`; returns their names. */
export async function removeHostContainers(
  docker: Docker,
  instanceIds: readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const id of instanceIds) {
    const list = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_INSTANCE_ID}=${id}`] },
    });
    await Promise.all(
      list.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    removed.push(...list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')));
  }
  return removed;
}

/** Requests `url` until `want` different containers answered, or the deadline passes. */
export async function waitRoutable(
  url: string,
  want: number,
  timeoutMs: number,
): Promise<{ host: string; firstLine: string }[]> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, string>();
  while (Date.now() < deadline && seen.size < want) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      const host = res.headers.get('x-berth-hostname');
      if (res.status === 200 && host) seen.set(host, body.split('\n', 1)[0] ?? '');
    } catch {
      // not routable yet
    }
    if (seen.size < want) await sleep(100);
  }
  return [...seen].map(([host, firstLine]) => ({ host, firstLine }));
}

/**
 * Shows requests through the router until three different containers answered (at most 12),
 * and the DNS SRV answer, as a user would run them.
 */
export async function showDemo(
  urls: { proxy: string; dnsHost: string; dnsPort: number },
  say: (line: string) => void,
): Promise<void> {
  say(`$ curl -s ${urls.proxy}/hello   (until three containers answered)`);
  const seen = new Set<string>();
  for (let i = 0; i < 12 && seen.size < 3; i++) {
    const res = await fetch(`${urls.proxy}/hello`, { signal: AbortSignal.timeout(2000) });
    const body = await res.text();
    const host = res.headers.get('x-berth-hostname') ?? '?';
    seen.add(host);
    say(`  ${res.status} from ${host}: ${body.split('\n', 1)[0]}`);
  }
  const digArgs = [`@${urls.dnsHost}`, '-p', String(urls.dnsPort), 'hello.service.consul', 'SRV'];
  say(`$ dig ${digArgs.join(' ')} +noall +answer +additional`);
  try {
    const { stdout } = await run(
      'dig',
      [...digArgs, '+noall', '+answer', '+additional', '+time=2'],
      {
        timeout: 5000,
      },
    );
    for (const line of stdout.trim().split('\n')) say(`  ${line}`);
  } catch (err) {
    say(`  (dig failed: ${(err as Error).message.split('\n', 1)[0]}; install dnsutils)`);
  }
}

/** Where the demo runs, as `berth dev` planned it. */
export interface DemoTarget {
  readonly plan: DevPlan;
  readonly credentialsFile: string;
  readonly keys: { readonly id: string; readonly secret: string };
}

/**
 * The whole `--demo`: service hello with 3 tasks, routable through the first host's router,
 * shown with curl and dig, then the lines to try. Throws when any step fails.
 */
export async function runDemo(target: DemoTarget, say: (line: string) => void): Promise<void> {
  const { plan, credentialsFile, keys } = target;
  const first = plan.hosts[0]!;
  const ecs = ecsClient({
    endpoint: plan.scheduler,
    region: plan.region,
    credentials: { accessKeyId: keys.id, secretAccessKey: keys.secret },
  });
  try {
    const how = await startDemo(ecs, plan.cluster, plan.name, say);
    await waitTasksRunning(ecs, plan.cluster, 3, 60_000, say);
    const proxy = first.router;
    const seen = await waitRoutable(`${proxy}/hello`, 3, 30_000);
    if (seen.length < 3)
      throw new Error(`only ${seen.length} of 3 containers became routable within 30 s`);
    say(`all 3 containers routable through ${proxy}/hello`);
    await showDemo({ proxy, dnsHost: first.dns.host, dnsPort: first.dns.port }, say);
    const env = `AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_REGION=${plan.region}`;
    say(
      how === 'service'
        ? `try: ${env} aws ecs --endpoint-url ${plan.scheduler} describe-services --services hello`
        : `try: ${env} aws ecs --endpoint-url ${plan.scheduler} list-tasks   (describe-services once the scheduler has services)`,
    );
    say(`     berth ps; berth services; berth logs <task id>`);
    say(
      `admin: routes ${first.routerAdmin}/routes, catalog ${plan.catalog}/v1/catalog/service/hello (with the catalog token above), agent ${first.agent}/v1/tasks`,
    );
    say(`console: ${plan.console}/c/${plan.cluster}/services/hello`);
  } finally {
    ecs.destroy();
  }
}
