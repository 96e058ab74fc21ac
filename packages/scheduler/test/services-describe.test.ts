/**
 * The service record's life (create, update, drain), folding the reconciler's actions back
 * into it, and the DescribeServices shape — checked field by field and read back by the real
 * @aws-sdk/client-ecs deserializer.
 */
import { Readable } from 'node:stream';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import t from 'tap';
import {
  applyServiceActions,
  createServiceRecord,
  drainServiceRecord,
  newDeploymentId,
  serviceToEcs,
  startOutcomeEvents,
  updateServiceRecord,
  validateServiceRequest,
  type Action,
  type PlacementFailure,
  type Service,
  type ServiceTask,
} from '../src/core/service-model/index.js';

const NOW = 1_700_000_000_000;
const D1 = 'ecs-svc/1000000000000000001';
const D2 = 'ecs-svc/2000000000000000002';
const TD1 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const TD2 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';

function created(body: Record<string, unknown> = {}): Service {
  const input = validateServiceRequest('create', {
    serviceName: 'web',
    taskDefinition: 'web:1',
    desiredCount: 2,
    ...body,
  });
  return createServiceRecord(input, {
    now: NOW,
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    taskDefinitionArn: TD1,
    deploymentId: D1,
    createdBy: 'arn:aws:iam::000000000000:user/dev',
  });
}

const task = (
  id: string,
  deploymentId: string,
  lastStatus: ServiceTask['lastStatus'],
): ServiceTask => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`,
  deploymentId,
  instanceArn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/i1',
  lastStatus,
  desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
  createdAt: NOW,
});

t.test('newDeploymentId: ecs-svc/ and 19 digits, from the injected randomness', async (t) => {
  const cases = [
    { name: 'all zeros', input: () => 0, want: 'ecs-svc/1000000000000000000' },
    { name: 'all nines', input: () => 0.99999, want: 'ecs-svc/9999999999999999999' },
  ];
  for (const c of cases) t.equal(newDeploymentId(c.input), c.want, c.name);
  t.match(newDeploymentId(), /^ecs-svc\/[1-9]\d{18}$/);
});

t.test('a created service has one PRIMARY deployment IN_PROGRESS', async (t) => {
  const s = created();
  t.match(s, {
    status: 'ACTIVE',
    taskDefinition: TD1,
    deployments: [
      {
        id: D1,
        status: 'PRIMARY',
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: `ECS deployment ${D1} in progress.`,
        failedTasks: 0,
      },
    ],
    events: [],
  });
});

const updateCases = [
  {
    name: 'a new task definition starts a new PRIMARY deployment; the old one turns ACTIVE',
    input: { body: { service: 'web', taskDefinition: 'web:2' }, taskDefinitionArn: TD2 },
    want: { newDeployment: true, ids: [`${D2} PRIMARY`, `${D1} ACTIVE`], taskDefinition: TD2 },
  },
  {
    name: 'forceNewDeployment starts one with the same task definition',
    input: { body: { service: 'web', forceNewDeployment: true }, taskDefinitionArn: undefined },
    want: { newDeployment: true, ids: [`${D2} PRIMARY`, `${D1} ACTIVE`], taskDefinition: TD1 },
  },
  {
    name: 'a new desired count alone keeps the deployment',
    input: { body: { service: 'web', desiredCount: 5 }, taskDefinitionArn: undefined },
    want: { newDeployment: false, ids: [`${D1} PRIMARY`], taskDefinition: TD1 },
  },
  {
    name: 'the same task definition again keeps the deployment',
    input: { body: { service: 'web', taskDefinition: 'web:1' }, taskDefinitionArn: TD1 },
    want: { newDeployment: false, ids: [`${D1} PRIMARY`], taskDefinition: TD1 },
  },
];

for (const c of updateCases) {
  t.test(`UpdateService: ${c.name}`, async (t) => {
    const current = created();
    const input = validateServiceRequest('update', c.input.body, { current });
    const { service, newDeployment } = updateServiceRecord(current, input, {
      now: NOW + 1000,
      taskDefinitionArn: c.input.taskDefinitionArn,
      deploymentId: D2,
    });
    t.same(
      {
        newDeployment,
        ids: service.deployments.map((d) => `${d.id} ${d.status}`),
        taskDefinition: service.taskDefinition,
      },
      c.want,
    );
  });
}

t.test('UpdateService on a DRAINING service: ServiceNotActiveException', async (t) => {
  const current = { ...created(), status: 'DRAINING' as const };
  const input = validateServiceRequest('update', { service: 'web', desiredCount: 1 }, { current });
  t.throws(() => updateServiceRecord(current, input, { now: NOW, deploymentId: D2 }), {
    ecsType: 'ServiceNotActiveException',
    message: 'Service was not ACTIVE.',
  });
});

t.test('DeleteService: a scaled REPLICA service needs force, as ECS', async (t) => {
  t.throws(() => drainServiceRecord(created(), false), {
    ecsType: 'InvalidParameterException',
    message: 'The service cannot be stopped while it is scaled above 0.',
  });
  t.match(drainServiceRecord(created(), true), { status: 'DRAINING', desiredCount: 0 });
  t.match(drainServiceRecord(created({ desiredCount: 0 }), false), { status: 'DRAINING' });
});

t.test('applyServiceActions folds bookkeeping and leaves task actions to the caller', async (t) => {
  let n = 0;
  const ctx = { now: NOW + 5000, newEventId: () => `e${++n}` };
  const rolled: Service = {
    ...created(),
    taskDefinition: TD2,
    deployments: [
      { ...created().deployments[0]!, id: D2, taskDefinition: TD2, failedTasks: 2 },
      { ...created().deployments[0]!, status: 'ACTIVE', rolloutState: 'COMPLETED' },
    ],
  };
  const actions: Action[] = [
    {
      type: 'recordStop',
      taskArn: 'arn:t/x',
      deploymentId: D2,
      failed: true,
      failedToStart: true,
      at: NOW + 4000,
    },
    {
      type: 'recordStop',
      taskArn: 'arn:t/x',
      deploymentId: D2,
      failed: true,
      failedToStart: true,
      at: NOW + 4000,
    },
    {
      type: 'deploymentState',
      deploymentId: D2,
      rolloutState: 'FAILED',
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
    },
    { type: 'rollback', fromDeploymentId: D2, toDeploymentId: D1 },
    { type: 'stop', taskArn: 'arn:t/y', reason: 'r' },
    { type: 'event', message: 'first' },
    { type: 'event', message: 'second' },
    { type: 'scheduleRetry', at: NOW + 9000 },
  ];
  const out = applyServiceActions(rolled, actions, ctx);
  t.same(
    out.deployments.map((d) => [d.id, d.status, d.rolloutState, d.failedTasks]),
    [
      [D1, 'PRIMARY', 'IN_PROGRESS', 0],
      [D2, 'ACTIVE', 'FAILED', 3],
    ],
    'the stop counted once, then the rollback made D1 PRIMARY again',
  );
  t.equal(
    out.deployments[0]?.rolloutStateReason,
    `ECS deployment circuit breaker: rolling back to deploymentId ${D1}.`,
  );
  t.equal(out.taskDefinition, TD1);
  t.same(out.backoff, { failures: 1, lastFailureAt: NOW + 4000 });
  t.same(
    out.events.map((e) => e.message),
    ['second', 'first'],
    'newest first',
  );
  t.same(out.countedStops, ['arn:t/x']);
  t.equal(rolled.deployments[0]?.failedTasks, 2, 'the input is not mutated');

  const later = applyServiceActions(
    out,
    [
      { type: 'resetBackoff' },
      { type: 'resetFailures', deploymentId: D2 },
      { type: 'retireDeployment', deploymentId: D2 },
    ],
    { ...ctx, knownTaskArns: new Set<string>() },
  );
  t.same(
    later.deployments.map((d) => d.id),
    [D1],
  );
  t.equal(later.backoff.failures, 0);
  t.same(later.countedStops, [], 'pruned to the tasks still known');
});

t.test('events are capped at 100, newest first', async (t) => {
  let s = created();
  for (let i = 0; i < 120; i++) {
    s = applyServiceActions(s, [{ type: 'event', message: `m${i}` }], {
      now: NOW + i,
      newEventId: () => `e${i}`,
    });
  }
  t.equal(s.events.length, 100);
  t.equal(s.events[0]?.message, 'm119');
  t.equal(s.events[99]?.message, 'm20');
});

function describedService(): { service: Service; tasks: ServiceTask[] } {
  const base = created({
    tags: [{ key: 'team', value: 'a' }],
    healthCheckGracePeriodSeconds: 30,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
  });
  const service: Service = {
    ...base,
    taskDefinition: TD2,
    deployments: [
      {
        ...base.deployments[0]!,
        id: D2,
        taskDefinition: TD2,
        createdAt: NOW + 1000,
        updatedAt: NOW + 1000,
      },
      {
        ...base.deployments[0]!,
        status: 'ACTIVE',
        rolloutState: 'COMPLETED',
        rolloutStateReason: `ECS deployment ${D1} completed.`,
      },
    ],
    events: [
      { id: 'e2', createdAt: NOW + 2000, message: '(service web) has started 1 tasks: (task n1).' },
      { id: 'e1', createdAt: NOW + 1000, message: '(service web) has reached a steady state.' },
    ],
  };
  const tasks = [
    task('n1', D2, 'PENDING'),
    task('n2', D2, 'RUNNING'),
    task('o1', D1, 'RUNNING'),
    task('o2', D1, 'RUNNING'),
    task('o3', D1, 'STOPPED'),
  ];
  return { service, tasks };
}

t.test('serviceToEcs: the DescribeServices shape', async (t) => {
  const { service, tasks } = describedService();
  const out = serviceToEcs(service, tasks, NOW + 3000);
  t.match(out, {
    serviceName: 'web',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 3,
    pendingCount: 1,
    launchType: 'EC2',
    taskDefinition: TD2,
    schedulingStrategy: 'REPLICA',
    healthCheckGracePeriodSeconds: 30,
    createdAt: NOW / 1000,
    createdBy: 'arn:aws:iam::000000000000:user/dev',
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    deployments: [
      {
        id: D2,
        status: 'PRIMARY',
        desiredCount: 2,
        runningCount: 1,
        pendingCount: 1,
        rolloutState: 'IN_PROGRESS',
        createdAt: (NOW + 1000) / 1000,
      },
      {
        id: D1,
        status: 'ACTIVE',
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        rolloutState: 'COMPLETED',
      },
    ],
    events: [
      { id: 'e2', createdAt: (NOW + 2000) / 1000 },
      { id: 'e1', message: '(service web) has reached a steady state.' },
    ],
  });
  t.notOk('tags' in out, 'tags only when asked for');
  t.same(serviceToEcs(service, tasks, NOW, ['TAGS'])['tags'], [{ key: 'team', value: 'a' }]);
});

t.test('the shape reads back through @aws-sdk/client-ecs', async (t) => {
  const { service, tasks } = describedService();
  const body = JSON.stringify({ services: [serviceToEcs(service, tasks, NOW)], failures: [] });
  // An in-process transport: the SDK's real deserializer reads the body we render.
  const client = new ECSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: Readable.from([Buffer.from(body)]),
        },
      }),
    },
  });
  const out = await client.send(new DescribeServicesCommand({ cluster: 'c', services: ['web'] }));
  const s = out.services?.[0];
  t.equal(s?.createdAt?.getTime(), NOW);
  t.equal(s?.deployments?.[0]?.rolloutState, 'IN_PROGRESS');
  t.equal(s?.deployments?.[1]?.rolloutStateReason, `ECS deployment ${D1} completed.`);
  t.equal(s?.deploymentConfiguration?.deploymentCircuitBreaker?.rollback, true);
  t.equal(s?.events?.[0]?.createdAt?.getTime(), NOW + 2000);
  client.destroy();
});

const CI = 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/0123abcd';
const CI2 = 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/4567ef01';
const HEAD =
  '(service web) was unable to place a task because no container instance met all of its requirements.';
const outcomes: {
  name: string;
  input: { placed: string[]; unplaced: number; failures: PlacementFailure[]; newest?: string };
  want: string[];
}[] = [
  {
    name: 'two placed',
    input: {
      placed: [
        'arn:aws:ecs:us-east-1:000000000000:task/c/aa',
        'arn:aws:ecs:us-east-1:000000000000:task/c/bb',
      ],
      unplaced: 0,
      failures: [],
    },
    want: ['(service web) has started 2 tasks: (task aa) (task bb).'],
  },
  {
    name: 'no instance at all',
    input: { placed: [], unplaced: 1, failures: [] },
    want: [`${HEAD} Reason: No Container Instances were found in your cluster.`],
  },
  {
    name: 'the closest instance lacks CPU (resources beat attributes)',
    input: {
      placed: [],
      unplaced: 1,
      failures: [
        { arn: CI2, reason: 'ATTRIBUTE' },
        { arn: CI, reason: 'RESOURCE:CPU' },
      ],
    },
    want: [
      `${HEAD} The closest matching (container-instance 0123abcd) has insufficient CPU units available. For more information, see the Troubleshooting section.`,
    ],
  },
  {
    name: 'the closest instance lacks memory',
    input: { placed: [], unplaced: 2, failures: [{ arn: CI, reason: 'RESOURCE:MEMORY' }] },
    want: [
      `${HEAD} The closest matching (container-instance 0123abcd) has insufficient memory available. For more information, see the Troubleshooting section.`,
    ],
  },
  {
    name: 'ports taken',
    input: { placed: [], unplaced: 1, failures: [{ arn: CI, reason: 'RESOURCE:PORTS' }] },
    want: [
      `${HEAD} The closest matching (container-instance 0123abcd) is already using a port required by your task. For more information, see the Troubleshooting section.`,
    ],
  },
  {
    name: 'the same failure as the newest event is not repeated',
    input: {
      placed: [],
      unplaced: 1,
      failures: [],
      newest: `${HEAD} Reason: No Container Instances were found in your cluster.`,
    },
    want: [],
  },
];

for (const c of outcomes) {
  t.test(`startOutcomeEvents: ${c.name}`, async (t) => {
    const s = created();
    const service = c.input.newest
      ? { ...s, events: [{ id: 'e', createdAt: NOW, message: c.input.newest }] }
      : s;
    const got = startOutcomeEvents(service, c.input).map((a) =>
      a.type === 'event' ? a.message : a.type,
    );
    t.same(got, c.want);
  });
}
