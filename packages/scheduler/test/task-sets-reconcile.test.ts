/**
 * Issue 18, the pure parts: task scale-in protection in the REPLICA reconciler's choice of
 * tasks to stop, the EXTERNAL reconciler (reconcileTaskSets) and the task set record
 * functions. State in -> actions out, one line per action.
 */
import t from 'tap';
import {
  reconcileService,
  type Action,
  type Service,
  type ServiceState,
  type ServiceTask,
} from '../src/core/service-model/index.js';
import {
  reconcileTaskSets,
  type TaskSetAction,
} from '../src/core/service-model/reconcile-task-sets.js';
import {
  addTaskSet,
  applyAnyActions,
  drainTaskSet,
  makePrimary,
  MAX_TASK_SETS,
  scaleTaskSet,
} from '../src/core/service-model/task-set-record.js';
import { computedDesiredCount } from '../src/core/service-model/task-set-to-ecs.js';
import type { TaskSet } from '../src/core/service-model/task-set-types.js';

const NOW = 1_700_000_000_000;
const D1 = 'ecs-svc/1000000000000000001';
const D2 = 'ecs-svc/2000000000000000002';
const TD = (n: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${n}`;
const TG = (n: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${n}/0123456789abcdef`;
const I = (id: string) => `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`;
const T = (id: string) => `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`;
const instances = ['i1', 'i2'].map((id, n) => ({
  arn: I(id),
  ec2InstanceId: `ec2-${id}`,
  status: 'ACTIVE' as const,
  agentConnected: true,
  availabilityZone: `zone-${n}`,
  matchesConstraints: true,
}));

function task(id: string, o: Partial<ServiceTask> & { on?: string } = {}): ServiceTask {
  const { on, ...rest } = o;
  return {
    taskArn: T(id),
    deploymentId: D1,
    instanceArn: I(on ?? 'i1'),
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    createdAt: NOW - 60_000,
    startedAt: NOW - 50_000,
    bindings: [{ containerName: 'web', containerPort: 80, hostPort: 32768 }],
    ...rest,
  };
}

function service(o: Partial<Service> = {}): Service {
  return {
    serviceName: 'web',
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE',
    taskDefinition: TD(1),
    desiredCount: 2,
    schedulingStrategy: 'REPLICA',
    launchType: 'EC2',
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    placementStrategy: [],
    placementConstraints: [],
    loadBalancers: [],
    healthCheckGracePeriodSeconds: undefined,
    tags: [],
    rebalance: { enable: false, maxSkew: 1 },
    createdAt: NOW - 3_600_000,
    deployments: [
      {
        id: D1,
        status: 'PRIMARY',
        taskDefinition: TD(1),
        createdAt: NOW - 600_000,
        updatedAt: NOW - 600_000,
        rolloutState: 'COMPLETED',
        rolloutStateReason: '',
        failedTasks: 0,
        lastFailureAt: 0,
      },
    ],
    events: [],
    backoff: { failures: 0, lastFailureAt: 0 },
    countedStops: [],
    ...o,
  };
}

function set(id: string, o: Partial<TaskSet> = {}): TaskSet {
  return {
    id,
    taskSetArn: `arn:aws:ecs:us-east-1:000000000000:task-set/c/web/${id}`,
    status: 'ACTIVE',
    taskDefinition: id === D1 ? TD(1) : TD(2),
    launchType: 'EC2',
    loadBalancers: [],
    scale: { value: 100, unit: 'PERCENT' },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: NOW - 1000,
    createdAt: NOW - 1000,
    updatedAt: NOW - 1000,
    tags: [],
    ...o,
  };
}

const external = (sets: TaskSet[], o: Partial<Service> = {}): Service =>
  service({
    deploymentController: 'EXTERNAL',
    deployments: [],
    taskDefinition: '',
    taskSets: sets,
    ...o,
  });

/** One line per action that changes something (events and retries left out unless asked). */
function summary(actions: readonly TaskSetAction[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.type === 'start')
      out.push(`start ${a.startedBy} x${a.count} ${a.taskDefinition.slice(-5)}`);
    else if (a.type === 'stop') out.push(`stop ${a.taskArn.slice(-2)}`);
    else if (a.type === 'scheduleRetry') out.push(`retry +${a.at - NOW}`);
    else if (a.type === 'taskSetStability') out.push(`stability ${a.taskSetId} ${a.status}`);
    else if (a.type === 'removeTaskSet') out.push(`remove ${a.taskSetId}`);
    else if (a.type === 'serviceStatus') out.push(`status ${a.status}`);
    else if (a.type === 'registerTarget' || a.type === 'deregisterTarget') {
      out.push(`${a.type} ${a.taskArn.slice(-2)} ${a.targetGroupArn.split('/')[1]}`);
    }
  }
  return out;
}

const guarded = (until: number) => ({ protectedUntil: until });

t.test('task protection in the REPLICA reconciler', async (t) => {
  const cases: { name: string; service: Service; tasks: ServiceTask[]; want: string[] }[] = [
    {
      name: 'scale-in never picks a protected task; it wakes when the protection ends',
      service: service({ desiredCount: 1 }),
      tasks: [task('t1', guarded(NOW + 60_000)), task('t2', { on: 'i2' })],
      want: ['stop t2'],
    },
    {
      name: 'scale-in to 0 with every task protected stops nothing until the earliest end',
      service: service({
        desiredCount: 0,
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 0,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
      }),
      tasks: [
        task('t1', guarded(NOW + 60_000)),
        task('t2', { on: 'i2', ...guarded(NOW + 30_000) }),
      ],
      want: ['retry +30000'],
    },
    {
      name: 'an expired protection protects nothing',
      service: service({ desiredCount: 1 }),
      tasks: [task('t1', guarded(NOW - 1)), task('t2', { on: 'i2', createdAt: NOW - 90_000 })],
      want: ['stop t1'],
    },
    {
      name: 'a deployment does not replace a protected task of the old deployment',
      service: service({
        desiredCount: 1,
        taskDefinition: TD(2),
        deployments: [
          {
            id: D2,
            status: 'PRIMARY',
            taskDefinition: TD(2),
            createdAt: NOW,
            updatedAt: NOW,
            rolloutState: 'IN_PROGRESS',
            rolloutStateReason: '',
            failedTasks: 0,
            lastFailureAt: 0,
          },
          {
            id: D1,
            status: 'ACTIVE',
            taskDefinition: TD(1),
            createdAt: NOW - 600_000,
            updatedAt: NOW - 600_000,
            rolloutState: 'COMPLETED',
            rolloutStateReason: '',
            failedTasks: 0,
            lastFailureAt: 0,
          },
        ],
      }),
      tasks: [task('t1', guarded(NOW + 60_000)), task('t2', { deploymentId: D2, on: 'i2' })],
      want: ['retry +60000'],
    },
    {
      name: 'rebalancing does not move a protected task',
      service: service({
        desiredCount: 3,
        rebalance: { enable: true, maxSkew: 1 },
        deploymentConfiguration: {
          maximumPercent: 100,
          minimumHealthyPercent: 50,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
      }),
      tasks: ['t1', 't2', 't3'].map((id) => task(id, guarded(NOW + 60_000))),
      want: [],
    },
  ];
  for (const c of cases) {
    const actions = reconcileService({ service: c.service, tasks: c.tasks, instances }, NOW);
    t.same(summary(actions as Action[]), c.want, c.name);
  }
});

t.test('reconcileTaskSets: each set keeps ceil(desired × scale%) tasks of its own', async (t) => {
  const cases: {
    name: string;
    service: Service;
    tasks: ServiceTask[];
    targetHealth?: ServiceState['targetHealth'];
    want: string[];
  }[] = [
    {
      name: 'a new set at 100 % starts the desired count; one at 0 % starts none',
      service: external([
        set(D1, { status: 'PRIMARY' }),
        set(D2, { scale: { value: 0, unit: 'PERCENT' } }),
      ]),
      tasks: [],
      want: [`start ${D1} x2 web:1`, `stability ${D2} STEADY_STATE`],
    },
    {
      name: 'both at 100 %: both run the desired count (blue/green testing)',
      service: external([set(D1, { status: 'PRIMARY', stabilityStatus: 'STEADY_STATE' }), set(D2)]),
      tasks: [task('b1'), task('b2', { on: 'i2' })],
      want: [`start ${D2} x2 web:2`],
    },
    {
      name: 'scaled to 0, a set retires its tasks through its own target group',
      service: external([
        set(D1, {
          scale: { value: 0, unit: 'PERCENT' },
          loadBalancers: [{ targetGroupArn: TG('blue'), containerName: 'web', containerPort: 80 }],
        }),
        set(D2, { status: 'PRIMARY', stabilityStatus: 'STEADY_STATE' }),
      ]),
      tasks: [
        task('b1'),
        task('g1', { deploymentId: D2 }),
        task('g2', { deploymentId: D2, on: 'i2' }),
      ],
      targetHealth: { [T('b1')]: { [TG('blue')]: { state: 'healthy', since: NOW - 10_000 } } },
      want: [`deregisterTarget b1 blue`, `retry +300000`],
    },
    {
      name: 'a DRAINING set without tasks is removed; the service is steady',
      service: external([
        set(D2, { status: 'PRIMARY', stabilityStatus: 'STEADY_STATE' }),
        set(D1, { status: 'DRAINING', stabilityStatus: 'STEADY_STATE' }),
      ]),
      tasks: [task('g1', { deploymentId: D2 }), task('g2', { deploymentId: D2, on: 'i2' })],
      want: [`remove ${D1}`],
    },
    {
      name: 'a DRAINING service stops every set and turns INACTIVE once empty',
      service: external([set(D1, { status: 'PRIMARY' })], { status: 'DRAINING', desiredCount: 0 }),
      tasks: [task('b1')],
      want: ['stop b1'],
    },
    {
      name: '... and INACTIVE once nothing runs',
      service: external([set(D1, { status: 'PRIMARY', stabilityStatus: 'STEADY_STATE' })], {
        status: 'DRAINING',
        desiredCount: 0,
      }),
      tasks: [],
      want: ['status INACTIVE'],
    },
  ];
  for (const c of cases) {
    const state = { service: c.service, tasks: c.tasks, instances, targetHealth: c.targetHealth };
    t.same(summary(reconcileTaskSets(state, NOW)), c.want, c.name);
  }
});

t.test('task set records: create, scale, primary, drain, fold', async (t) => {
  const base = external([]);
  t.throws(
    () =>
      addTaskSet(service(), {
        id: D1,
        taskSetArn: 'x',
        taskDefinition: TD(1),
        externalId: undefined,
        loadBalancers: [],
        scale: { value: 100, unit: 'PERCENT' },
        tags: [],
        clientToken: undefined,
        now: NOW,
      }),
    { ecsType: 'InvalidParameterException', message: /only supports task set management/ },
  );
  let s = base;
  for (let i = 0; i < MAX_TASK_SETS; i++) {
    s = addTaskSet(s, {
      id: `ecs-svc/${i}`,
      taskSetArn: `a${i}`,
      taskDefinition: TD(i + 1),
      externalId: undefined,
      loadBalancers:
        i === 1 ? [{ targetGroupArn: TG('green'), containerName: 'web', containerPort: 80 }] : [],
      scale: { value: 0, unit: 'PERCENT' },
      tags: [],
      clientToken: undefined,
      now: NOW,
    }).service;
  }
  t.throws(
    () =>
      addTaskSet(s, {
        id: 'ecs-svc/x',
        taskSetArn: 'x',
        taskDefinition: TD(1),
        externalId: undefined,
        loadBalancers: [],
        scale: { value: 0, unit: 'PERCENT' },
        tags: [],
        clientToken: undefined,
        now: NOW,
      }),
    { ecsType: 'InvalidParameterException', message: /at most 5 task sets/ },
  );
  s = makePrimary(s, 'ecs-svc/1', NOW);
  t.equal(s.taskDefinition, TD(2), 'the primary set’s task definition is the service’s');
  t.same(s.loadBalancers, [
    { targetGroupArn: TG('green'), containerName: 'web', containerPort: 80 },
  ]);
  t.equal(s.taskSets?.[0]?.id, 'ecs-svc/1', 'PRIMARY first');
  s = makePrimary(s, 'ecs-svc/0', NOW);
  t.same(s.taskSets?.map((x) => x.status).slice(0, 2), ['PRIMARY', 'ACTIVE']);
  s = scaleTaskSet(s, 'ecs-svc/0', { value: 50, unit: 'PERCENT' }, NOW);
  t.throws(() => drainTaskSet(s, 'ecs-svc/0', false, NOW), { message: /scaled above 0/ });
  s = drainTaskSet(s, 'ecs-svc/0', true, NOW);
  t.equal(s.taskSets?.find((x) => x.id === 'ecs-svc/0')?.status, 'DRAINING');
  const folded = applyAnyActions(
    s,
    [
      { type: 'removeTaskSet', taskSetId: 'ecs-svc/0' },
      { type: 'taskSetStability', taskSetId: 'ecs-svc/1', status: 'STEADY_STATE' },
    ],
    { now: NOW + 5, newEventId: () => 'e' },
  );
  t.equal(folded.taskSets?.length, MAX_TASK_SETS - 1);
  t.equal(folded.taskSets?.find((x) => x.id === 'ecs-svc/1')?.stabilityStatusAt, NOW + 5);
});

t.test('computedDesiredCount rounds up, and is 0 while draining', async (t) => {
  const s = (d: number) => service({ desiredCount: d });
  t.equal(computedDesiredCount(s(3), set(D1)), 3);
  t.equal(computedDesiredCount(s(2), set(D1, { scale: { value: 33, unit: 'PERCENT' } })), 1);
  t.equal(computedDesiredCount(s(10), set(D1, { scale: { value: 12.5, unit: 'PERCENT' } })), 2);
  t.equal(computedDesiredCount(s(3), set(D1, { status: 'DRAINING' })), 0);
});
