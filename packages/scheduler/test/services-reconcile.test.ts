/**
 * The service reconciler, state in -> actions out, table-driven in ECS's notation: task and
 * instance fields as ECS names them, actions summarised one per line.
 */
import t from 'tap';
import {
  reconcileService,
  serviceMessages,
  shortId,
  stopReasons,
  type Action,
  type Deployment,
  type Service,
  type ServiceInstanceView,
  type ServiceState,
  type ServiceTask,
  type TargetHealth,
} from '../src/core/service-model/index.js';

const NOW = 1_700_000_000_000;
const D1 = 'ecs-svc/1000000000000000001';
const D2 = 'ecs-svc/2000000000000000002';
const TD1 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const TD2 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
const SPREAD = 'spread(attribute:ecs.availability-zone),spread(instanceId)';

const instArn = (id: string): string =>
  `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`;
const taskArn = (id: string): string => `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`;

function inst(id: string, o: Partial<ServiceInstanceView> = {}): ServiceInstanceView {
  return {
    arn: instArn(id),
    ec2InstanceId: `ec2-${id}`,
    status: 'ACTIVE',
    agentConnected: true,
    availabilityZone: 'us-east-1a',
    matchesConstraints: true,
    ...o,
  };
}

/** i1, i2, i3 in zones a, b, c. */
const THREE = [
  inst('i1', { availabilityZone: 'us-east-1a' }),
  inst('i2', { availabilityZone: 'us-east-1b' }),
  inst('i3', { availabilityZone: 'us-east-1c' }),
];

type TaskSpec = Partial<Omit<ServiceTask, 'instanceArn'>> & { on?: string };

function task(id: string, o: TaskSpec = {}): ServiceTask {
  const { on, ...rest } = o;
  const lastStatus = rest.lastStatus ?? 'RUNNING';
  return {
    taskArn: taskArn(id),
    deploymentId: D1,
    instanceArn: instArn(on ?? 'i1'),
    lastStatus,
    desiredStatus: 'RUNNING',
    createdAt: NOW - 60_000,
    startedAt: lastStatus === 'RUNNING' ? NOW - 50_000 : undefined,
    bindings: [{ containerName: 'web', containerPort: 80, hostPort: 32768 }],
    ...rest,
  };
}

function dep(id: string, o: Partial<Deployment> = {}): Deployment {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: id === D2 ? TD2 : TD1,
    createdAt: NOW - 600_000,
    updatedAt: NOW - 600_000,
    rolloutState: 'COMPLETED',
    rolloutStateReason: '',
    failedTasks: 0,
    lastFailureAt: 0,
    ...o,
  };
}

function service(o: Partial<Service> = {}): Service {
  return {
    serviceName: 'web',
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE',
    taskDefinition: TD1,
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
    deployments: [dep(D1)],
    events: [],
    backoff: { failures: 0, lastFailureAt: 0 },
    countedStops: [],
    ...o,
  };
}

const rolling = (o: Partial<Service> = {}): Service =>
  service({
    taskDefinition: TD2,
    deployments: [dep(D2, { rolloutState: 'IN_PROGRESS' }), dep(D1, { status: 'ACTIVE' })],
    ...o,
  });

const withLb = { loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }] };
const target = (state: TargetHealth['state'], since = NOW - 100_000) => ({
  [TG]: { state, since },
});
const steadyEvent = {
  id: 'e0',
  createdAt: NOW - 1000,
  message: serviceMessages.steadyState('web'),
};

/** One line per action, in the order the reconciler emits them. */
function summary(actions: readonly Action[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'start': {
        const where = a.instanceArns ? ` on ${a.instanceArns.map(shortId).join(',')}` : '';
        const how = a.placementStrategy.map((s) => `${s.type}(${s.field ?? ''})`).join(',');
        return `start ${a.deploymentId} x${a.count}${where}${how ? ` ${how}` : ''}`;
      }
      case 'stop':
        return `stop ${shortId(a.taskArn)}: ${a.reason}`;
      case 'registerTarget':
      case 'deregisterTarget':
        return `${a.type} ${shortId(a.taskArn)} ${a.targetId}:${a.port}`;
      case 'deploymentState':
        return `deployment ${a.deploymentId} ${a.rolloutState}: ${a.reason}`;
      case 'event':
        return `event ${a.message}`;
      case 'rollback':
        return `rollback ${a.fromDeploymentId} -> ${a.toDeploymentId}`;
      case 'scheduleRetry':
        return `retry +${a.at - NOW}ms`;
      case 'recordStop':
        return `recordStop ${shortId(a.taskArn)} failed=${a.failed} failedToStart=${a.failedToStart}`;
      case 'resetFailures':
      case 'retireDeployment':
        return `${a.type} ${a.deploymentId}`;
      case 'resetBackoff':
        return 'resetBackoff';
      case 'setDesiredCount':
        return `setDesiredCount ${a.desiredCount}`;
      case 'serviceStatus':
        return `serviceStatus ${a.status}`;
    }
  });
}

interface Case {
  name: string;
  input: Partial<ServiceState> & { service: Service };
  want: string[];
}

const replica: Case[] = [
  {
    name: 'a new service starts desiredCount tasks with the default zone-then-instance spread',
    input: {
      service: service({
        desiredCount: 3,
        deployments: [dep(D1, { rolloutState: 'IN_PROGRESS' })],
      }),
    },
    want: [`start ${D1} x3 ${SPREAD}`],
  },
  {
    name: 'the service placement strategy is passed on as given',
    input: {
      service: service({ placementStrategy: [{ type: 'binpack', field: 'memory' }] }),
    },
    want: [`start ${D1} x2 binpack(memory)`],
  },
  {
    name: 'desired tasks running and healthy: steady state, reported once',
    input: { service: service(), tasks: [task('t1'), task('t2', { on: 'i2' })] },
    want: [`event ${serviceMessages.steadyState('web')}`],
  },
  {
    name: 'steady and already reported: nothing to do',
    input: {
      service: service({ events: [steadyEvent] }),
      tasks: [task('t1'), task('t2', { on: 'i2' })],
    },
    want: [],
  },
  {
    name: 'steady state is repeated after six hours',
    input: {
      service: service({ events: [{ ...steadyEvent, createdAt: NOW - 6 * 3_600_000 }] }),
      tasks: [task('t1'), task('t2', { on: 'i2' })],
    },
    want: [`event ${serviceMessages.steadyState('web')}`],
  },
  {
    name: 'the first deployment completes when its tasks are healthy',
    input: {
      service: service({ deployments: [dep(D1, { rolloutState: 'IN_PROGRESS' })] }),
      tasks: [task('t1'), task('t2', { on: 'i2' })],
    },
    want: [
      `deployment ${D1} COMPLETED: ECS deployment ${D1} completed.`,
      `event (service web) (deployment ${D1}) deployment completed.`,
      'event (service web) has reached a steady state.',
    ],
  },
  {
    name: 'a task whose essential container exited is replaced at once and counted as failed',
    input: {
      service: service({ events: [steadyEvent] }),
      tasks: [
        task('t1', {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedAt: NOW - 10,
        }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: ['recordStop t1 failed=true failedToStart=false', `start ${D1} x1 ${SPREAD}`],
  },
  {
    name: "a lost agent's task (STOPPED without stopCode) is replaced at once, not a failure",
    input: {
      service: service(),
      tasks: [
        task('t1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: NOW - 10 }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: ['recordStop t1 failed=false failedToStart=false', `start ${D1} x1 ${SPREAD}`],
  },
  {
    name: 'a stop already counted is not counted again',
    input: {
      service: service({ countedStops: [taskArn('t1')], events: [steadyEvent] }),
      tasks: [
        task('t1', {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedAt: NOW - 10,
        }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: [`start ${D1} x1 ${SPREAD}`],
  },
  {
    name: 'a task that failed to start backs off 1 s before the next start',
    input: {
      service: service(),
      tasks: [
        task('t1', {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'TaskFailedToStart',
          stoppedAt: NOW - 100,
        }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: ['recordStop t1 failed=true failedToStart=true', 'retry +900ms'],
  },
  {
    name: 'once the back-off has passed the replacement starts',
    input: {
      service: service({
        backoff: { failures: 1, lastFailureAt: NOW - 1500 },
        countedStops: [taskArn('t1')],
      }),
      tasks: [
        task('t1', {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'TaskFailedToStart',
          stoppedAt: NOW - 1500,
        }),
        task('t2', { on: 'i2', startedAt: NOW - 50_000 }),
      ],
    },
    want: [`start ${D1} x1 ${SPREAD}`],
  },
  {
    name: 'the back-off doubles per failure and is capped at one minute',
    input: {
      service: service({ backoff: { failures: 9, lastFailureAt: NOW - 59_000 } }),
      tasks: [task('t2', { on: 'i2', startedAt: NOW - 120_000 })],
    },
    want: ['retry +1000ms'],
  },
  {
    name: 'the third start failure in a row reports start impairment',
    input: {
      service: service({ backoff: { failures: 2, lastFailureAt: NOW - 5000 } }),
      tasks: [
        task('t1', {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'TaskFailedToStart',
          stoppedAt: NOW - 10,
        }),
        task('t2', { on: 'i2', startedAt: NOW - 120_000 }),
      ],
    },
    want: [
      'recordStop t1 failed=true failedToStart=true',
      `event ${serviceMessages.startImpaired('web')}`,
      'retry +3990ms',
    ],
  },
  {
    name: 'a task reaching RUNNING after start failures resets the back-off',
    input: {
      service: service({
        backoff: { failures: 3, lastFailureAt: NOW - 20_000 },
        events: [steadyEvent],
      }),
      tasks: [task('t1', { startedAt: NOW - 1000 }), task('t2', { on: 'i2' })],
    },
    want: ['resetBackoff'],
  },
  {
    name: 'scale in stops the extra tasks from the busiest zone and instance first',
    input: {
      service: service({ desiredCount: 3 }),
      tasks: [
        task('t1', { on: 'i1' }),
        task('t2', { on: 'i1', createdAt: NOW - 1000 }),
        task('t3', { on: 'i1', createdAt: NOW - 2000 }),
        task('t4', { on: 'i2' }),
        task('t5', { on: 'i3' }),
      ],
    },
    want: [
      `stop t2: ${stopReasons.scaling(D1)}`,
      `stop t3: ${stopReasons.scaling(D1)}`,
      'event (service web) has stopped 2 running tasks: (task t2) (task t3).',
    ],
  },
  {
    name: 'scale in held by minimumHealthyPercent still stops tasks that are not healthy yet',
    input: {
      service: service({ desiredCount: 1 }),
      tasks: [
        task('t1', { on: 'i1' }),
        task('t2', { on: 'i1', createdAt: NOW - 1000 }),
        task('t3', { on: 'i2', lastStatus: 'PENDING' }),
      ],
    },
    want: [
      `stop t2: ${stopReasons.scaling(D1)}`,
      `stop t3: ${stopReasons.scaling(D1)}`,
      'event (service web) has stopped 2 running tasks: (task t2) (task t3).',
    ],
  },
  {
    name: 'scale to 0 stops every task',
    input: {
      service: service({ desiredCount: 0, events: [steadyEvent] }),
      tasks: [task('t1'), task('t2', { on: 'i2' })],
    },
    want: [
      `stop t1: ${stopReasons.scaling(D1)}`,
      `stop t2: ${stopReasons.scaling(D1)}`,
      'event (service web) has stopped 2 running tasks: (task t1) (task t2).',
    ],
  },
  {
    name: 'rolling deployment 200/100: new tasks start first, old ones stay',
    input: { service: rolling(), tasks: [task('o1'), task('o2', { on: 'i2' })] },
    want: [`start ${D2} x2 ${SPREAD}`],
  },
  {
    name: 'rolling deployment 200/100: new tasks pending, old ones still stay',
    input: {
      service: rolling(),
      tasks: [
        task('o1'),
        task('o2', { on: 'i2' }),
        task('n1', { deploymentId: D2, lastStatus: 'PENDING' }),
        task('n2', { deploymentId: D2, lastStatus: 'PENDING', on: 'i2' }),
      ],
    },
    want: [],
  },
  {
    name: 'rolling deployment 200/100: new tasks healthy, old ones stop',
    input: {
      service: rolling(),
      tasks: [
        task('o1'),
        task('o2', { on: 'i2' }),
        task('n1', { deploymentId: D2, on: 'i3' }),
        task('n2', { deploymentId: D2, on: 'i3' }),
      ],
    },
    want: [
      `stop o1: ${stopReasons.scaling(D2)}`,
      `stop o2: ${stopReasons.scaling(D2)}`,
      'event (service web) has stopped 2 running tasks: (task o1) (task o2).',
    ],
  },
  {
    name: 'rolling deployment 100/50: no room to start, one old task stops first',
    input: {
      service: rolling({
        deploymentConfiguration: {
          maximumPercent: 100,
          minimumHealthyPercent: 50,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
      }),
      tasks: [task('o1'), task('o2', { on: 'i2' })],
    },
    want: [
      `stop o1: ${stopReasons.scaling(D2)}`,
      'event (service web) has stopped 1 running tasks: (task o1).',
    ],
  },
  {
    name: 'container health checks awaited: a RUNNING task with UNKNOWN health is not yet healthy',
    input: {
      service: rolling(),
      tasks: [
        task('o1'),
        task('o2', { on: 'i2' }),
        task('n1', { deploymentId: D2, healthChecked: true, healthStatus: 'UNKNOWN' }),
        task('n2', { deploymentId: D2, healthChecked: true, healthStatus: 'HEALTHY', on: 'i2' }),
      ],
    },
    want: [
      `stop o1: ${stopReasons.scaling(D2)}`,
      'event (service web) has stopped 1 running tasks: (task o1).',
    ],
  },
  {
    name: 'the deployment completes once the old tasks are gone, and the old deployment retires',
    input: {
      service: rolling(),
      tasks: [
        task('o1', {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'ServiceSchedulerInitiated',
          stoppedAt: NOW - 5,
        }),
        task('n1', { deploymentId: D2 }),
        task('n2', { deploymentId: D2, on: 'i2' }),
      ],
    },
    want: [
      'recordStop o1 failed=false failedToStart=false',
      `deployment ${D2} COMPLETED: ECS deployment ${D2} completed.`,
      `retireDeployment ${D1}`,
      `event (service web) (deployment ${D2}) deployment completed.`,
      'event (service web) has reached a steady state.',
    ],
  },
  {
    name: 'a task on a DRAINING instance is replaced elsewhere before it stops (min 100%)',
    input: {
      service: service({ events: [steadyEvent] }),
      instances: [inst('i1', { status: 'DRAINING' }), ...THREE.slice(1)],
      tasks: [task('t1', { on: 'i1' }), task('t2', { on: 'i2' })],
    },
    want: [`start ${D1} x1 ${SPREAD}`],
  },
  {
    name: 'the task on the DRAINING instance stops once its replacement is healthy',
    input: {
      service: service({ events: [steadyEvent] }),
      instances: [inst('i1', { status: 'DRAINING' }), ...THREE.slice(1)],
      tasks: [task('t1', { on: 'i1' }), task('t2', { on: 'i2' }), task('t3', { on: 'i3' })],
    },
    want: [
      `stop t1: ${stopReasons.draining}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
    ],
  },
  {
    name: 'issue 15: a task failing container health checks: its replacement starts first (minimumHealthyPercent 100)',
    input: {
      service: service({ events: [steadyEvent] }),
      tasks: [
        task('t1', { healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: [`start ${D1} x1 ${SPREAD}`],
  },
  {
    name: 'issue 15: ... and it is stopped once the replacement is healthy',
    input: {
      service: service({ events: [steadyEvent] }),
      tasks: [
        task('t1', { healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t2', { on: 'i2' }),
        task('t3', { on: 'i3' }),
      ],
    },
    want: [
      `stop t1: ${stopReasons.containerHealth}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
      `event ${serviceMessages.containerUnhealthy('web', taskArn('t1'))}`,
    ],
  },
  {
    name: 'issue 15: minimumHealthyPercent 50 lets an unhealthy task go at once',
    input: {
      service: service({
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 50,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
        events: [steadyEvent],
      }),
      tasks: [
        task('t1', { healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: [
      `stop t1: ${stopReasons.containerHealth}`,
      `start ${D1} x1 ${SPREAD}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
      `event ${serviceMessages.containerUnhealthy('web', taskArn('t1'))}`,
    ],
  },
  {
    name: 'issue 15: every task unhealthy at once (a starved host): replacements start, none stops',
    input: {
      service: service({ desiredCount: 3, events: [steadyEvent] }),
      tasks: [
        task('t1', { healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t2', { on: 'i2', healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t3', { on: 'i3', healthChecked: true, healthStatus: 'UNHEALTHY' }),
      ],
    },
    want: [`start ${D1} x3 ${SPREAD}`],
  },
  {
    name: 'issue 15: no room to start (maximumPercent 100): one unhealthy task per run',
    input: {
      service: service({
        desiredCount: 3,
        deploymentConfiguration: {
          maximumPercent: 100,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
        events: [steadyEvent],
      }),
      tasks: [
        task('t1', { healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t2', { on: 'i2', healthChecked: true, healthStatus: 'UNHEALTHY' }),
        task('t3', { on: 'i3', healthChecked: true, healthStatus: 'UNHEALTHY' }),
      ],
    },
    want: [
      `stop t1: ${stopReasons.containerHealth}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
      `event ${serviceMessages.containerUnhealthy('web', taskArn('t1'))}`,
    ],
  },
  {
    name: 'an unhealthy task within the health check grace period is left alone',
    input: {
      service: service({ healthCheckGracePeriodSeconds: 60, events: [steadyEvent] }),
      tasks: [
        task('t1', { healthChecked: true, healthStatus: 'UNHEALTHY', startedAt: NOW - 10_000 }),
        task('t2', { on: 'i2' }),
      ],
    },
    want: ['retry +50000ms'],
  },
  {
    name: 'load balancer: a RUNNING task is registered in the target group',
    input: {
      service: service({ ...withLb, events: [steadyEvent] }),
      tasks: [task('t1'), task('t2', { on: 'i2' })],
      targetHealth: { [taskArn('t2')]: target('healthy') },
    },
    want: [
      'registerTarget t1 ec2-i1:32768',
      `event (service web) registered 1 targets in (target-group ${TG})`,
    ],
  },
  {
    name: 'load balancer: an old healthy task is deregistered first and stopped after the delay',
    input: {
      service: rolling({ ...withLb, desiredCount: 1 }),
      tasks: [task('o1'), task('n1', { deploymentId: D2, on: 'i2' })],
      targetHealth: { [taskArn('o1')]: target('healthy'), [taskArn('n1')]: target('healthy') },
      deregistrationDelayMs: 30_000,
    },
    want: [
      'deregisterTarget o1 ec2-i1:32768',
      'event (service web) has begun draining connections on 1 tasks.',
      `event (service web) deregistered 1 targets in (target-group ${TG})`,
      'retry +30000ms',
    ],
  },
  {
    name: 'load balancer: a draining task waits out the deregistration delay',
    input: {
      service: rolling({ ...withLb, desiredCount: 1 }),
      tasks: [task('o1'), task('n1', { deploymentId: D2, on: 'i2' })],
      targetHealth: {
        [taskArn('o1')]: target('draining', NOW - 10_000),
        [taskArn('n1')]: target('healthy'),
      },
      deregistrationDelayMs: 30_000,
    },
    want: ['retry +20000ms'],
  },
  {
    name: 'load balancer: after the delay the drained task stops',
    input: {
      service: rolling({ ...withLb, desiredCount: 1 }),
      tasks: [task('o1'), task('n1', { deploymentId: D2, on: 'i2' })],
      targetHealth: {
        [taskArn('o1')]: target('draining', NOW - 30_000),
        [taskArn('n1')]: target('healthy'),
      },
      deregistrationDelayMs: 30_000,
    },
    want: [
      `stop o1: ${stopReasons.scaling(D2)}`,
      'event (service web) has stopped 1 running tasks: (task o1).',
    ],
  },
  {
    name: 'load balancer: a new task in target state initial is not healthy yet (old ones stay)',
    input: {
      service: rolling({ ...withLb, desiredCount: 1 }),
      tasks: [task('o1'), task('n1', { deploymentId: D2, on: 'i2' })],
      targetHealth: { [taskArn('o1')]: target('healthy'), [taskArn('n1')]: target('initial') },
    },
    want: [],
  },
  {
    name: 'load balancer: a target unhealthy past the grace period is deregistered and replaced',
    input: {
      service: service({
        ...withLb,
        desiredCount: 1,
        healthCheckGracePeriodSeconds: 30,
        events: [steadyEvent],
      }),
      tasks: [task('t1')],
      targetHealth: { [taskArn('t1')]: target('unhealthy') },
      deregistrationDelayMs: 30_000,
    },
    // Issue 15: with minimumHealthyPercent 100 the replacement starts first; the unhealthy
    // target is deregistered once the replacement serves.
    want: [`start ${D1} x1 ${SPREAD}`],
  },
  {
    name: 'circuit breaker: the threshold (3 for 2 desired) fails the deployment and rolls back',
    input: {
      service: rolling({
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
        deployments: [
          dep(D2, { rolloutState: 'IN_PROGRESS', failedTasks: 2, lastFailureAt: NOW - 1000 }),
          dep(D1, { status: 'ACTIVE' }),
        ],
      }),
      tasks: [
        task('o1'),
        task('o2', { on: 'i2' }),
        task('n3', {
          deploymentId: D2,
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedAt: NOW - 1,
        }),
      ],
    },
    want: [
      'recordStop n3 failed=true failedToStart=false',
      `deployment ${D2} FAILED: ECS deployment circuit breaker: tasks failed to start.`,
      `rollback ${D2} -> ${D1}`,
      `event (service web) (deployment ${D2}) deployment failed: tasks failed to start.`,
      `event (service web) rolling back to deployment ${D1}.`,
    ],
  },
  {
    name: 'circuit breaker without rollback: the deployment fails and stays',
    input: {
      service: rolling({
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: true, rollback: false },
        },
        deployments: [
          dep(D2, { rolloutState: 'IN_PROGRESS', failedTasks: 3, lastFailureAt: NOW - 1000 }),
          dep(D1, { status: 'ACTIVE' }),
        ],
      }),
      tasks: [task('o1'), task('o2', { on: 'i2' })],
    },
    want: [
      `deployment ${D2} FAILED: ECS deployment circuit breaker: tasks failed to start.`,
      `event (service web) (deployment ${D2}) deployment failed: tasks failed to start.`,
    ],
  },
  {
    name: 'a FAILED deployment launches nothing and keeps the old tasks',
    input: {
      service: rolling({
        deployments: [dep(D2, { rolloutState: 'FAILED' }), dep(D1, { status: 'ACTIVE' })],
      }),
      tasks: [task('o1'), task('o2', { on: 'i2' })],
    },
    want: [],
  },
  {
    name: 'a healthy task of the deployment resets its consecutive failures',
    input: {
      service: rolling({
        deployments: [
          dep(D2, { rolloutState: 'IN_PROGRESS', failedTasks: 2, lastFailureAt: NOW - 20_000 }),
          dep(D1, { status: 'ACTIVE' }),
        ],
      }),
      tasks: [
        task('o1'),
        task('o2', { on: 'i2' }),
        task('n1', { deploymentId: D2, startedAt: NOW - 5000 }),
      ],
    },
    want: [
      `resetFailures ${D2}`,
      `stop o1: ${stopReasons.scaling(D2)}`,
      `start ${D2} x1 ${SPREAD}`,
      'event (service web) has stopped 1 running tasks: (task o1).',
    ],
  },
  {
    name: 'no instance at all: unable to place, said once',
    input: { service: service(), instances: [] },
    want: [`event ${serviceMessages.unableToPlace('web', [])}`],
  },
  {
    name: 'rebalance (berth): a steady, uneven service starts one task on the emptiest instance',
    input: {
      service: service({
        desiredCount: 4,
        rebalance: { enable: true, maxSkew: 1 },
        events: [steadyEvent],
      }),
      tasks: [task('t1'), task('t2'), task('t3'), task('t4', { on: 'i2' })],
    },
    want: [
      `start ${D1} x1 on i3`,
      `event ${serviceMessages.notBalanced('web', instArn('i1'), 3, instArn('i3'), 0)}`,
    ],
  },
  {
    name: 'rebalance (berth): with the extra task healthy, one stops on the busiest instance',
    input: {
      service: service({
        desiredCount: 4,
        rebalance: { enable: true, maxSkew: 1 },
        events: [steadyEvent],
      }),
      tasks: [
        task('t1'),
        task('t2', { createdAt: NOW - 70_000 }),
        task('t3', { createdAt: NOW - 80_000 }),
        task('t4', { on: 'i2' }),
        task('t5', { on: 'i3', createdAt: NOW - 1000 }),
      ],
    },
    want: [
      `stop t1: ${stopReasons.scaling(D1)}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
    ],
  },
  {
    name: 'rebalance (berth): an even service within maxSkew is left alone',
    input: {
      service: service({
        desiredCount: 4,
        rebalance: { enable: true, maxSkew: 1 },
        events: [steadyEvent],
      }),
      tasks: [task('t1'), task('t2'), task('t3', { on: 'i2' }), task('t4', { on: 'i3' })],
    },
    want: [],
  },
  {
    name: 'DeleteService: a DRAINING service stops its tasks',
    input: { service: service({ status: 'DRAINING', desiredCount: 0 }), tasks: [task('t1')] },
    want: [
      `stop t1: ${stopReasons.scaling(D1)}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
    ],
  },
  {
    name: 'DeleteService: a DRAINING service with no task left turns INACTIVE',
    input: { service: service({ status: 'DRAINING', desiredCount: 0 }), tasks: [] },
    want: ['serviceStatus INACTIVE'],
  },
];

const daemonService = (o: Partial<Service> = {}): Service =>
  service({
    schedulingStrategy: 'DAEMON',
    desiredCount: 3,
    deploymentConfiguration: {
      maximumPercent: 100,
      minimumHealthyPercent: 0,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    ...o,
  });

const daemon: Case[] = [
  {
    name: 'DAEMON: one task on every ACTIVE matching instance',
    input: { service: daemonService({ desiredCount: 0 }), instances: THREE },
    want: ['setDesiredCount 3', `start ${D1} x3 on i1,i2,i3`],
  },
  {
    name: 'DAEMON: an instance that joins gets its task',
    input: {
      service: daemonService({ events: [steadyEvent] }),
      instances: [...THREE, inst('i4')],
      tasks: [task('t1', { on: 'i1' }), task('t2', { on: 'i2' }), task('t3', { on: 'i3' })],
    },
    want: ['setDesiredCount 4', `start ${D1} x1 on i4`],
  },
  {
    name: 'DAEMON: the task on a DRAINING instance stops',
    input: {
      service: daemonService({ events: [steadyEvent] }),
      instances: [inst('i1', { status: 'DRAINING' }), ...THREE.slice(1)],
      tasks: [task('t1', { on: 'i1' }), task('t2', { on: 'i2' }), task('t3', { on: 'i3' })],
    },
    want: [
      'setDesiredCount 2',
      `stop t1: ${stopReasons.draining}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
    ],
  },
  {
    name: 'DAEMON: an instance that no longer meets the constraints loses its task, gets none',
    input: {
      service: daemonService({ desiredCount: 2, events: [steadyEvent] }),
      instances: [inst('i1', { matchesConstraints: false }), ...THREE.slice(1)],
      tasks: [task('t1', { on: 'i1' }), task('t2', { on: 'i2' }), task('t3', { on: 'i3' })],
    },
    want: [
      `stop t1: ${stopReasons.constraints}`,
      'event (service web) has stopped 1 running tasks: (task t1).',
    ],
  },
  {
    name: 'DAEMON: no start on an instance whose agent is disconnected',
    input: {
      service: daemonService({ events: [steadyEvent] }),
      instances: [inst('i1', { agentConnected: false }), ...THREE.slice(1)],
      tasks: [task('t2', { on: 'i2' }), task('t3', { on: 'i3' })],
    },
    want: [],
  },
  {
    name: 'DAEMON: a second task of the deployment on one instance stops',
    input: {
      service: daemonService({ desiredCount: 1, events: [steadyEvent] }),
      instances: [inst('i1')],
      tasks: [task('t1', { on: 'i1' }), task('t2', { on: 'i1', createdAt: NOW - 1000 })],
    },
    want: [
      `stop t2: ${stopReasons.duplicateDaemon}`,
      'event (service web) has stopped 1 running tasks: (task t2).',
    ],
  },
  {
    name: 'DAEMON deployment 100/50 on 4 instances: 2 old tasks stop first, none start yet',
    input: {
      service: rolling({
        schedulingStrategy: 'DAEMON',
        desiredCount: 4,
        deploymentConfiguration: {
          maximumPercent: 100,
          minimumHealthyPercent: 50,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
      }),
      instances: [...THREE, inst('i4')],
      tasks: [
        task('o1', { on: 'i1' }),
        task('o2', { on: 'i2' }),
        task('o3', { on: 'i3' }),
        task('o4', { on: 'i4' }),
      ],
    },
    want: [
      `stop o1: ${stopReasons.scaling(D2)}`,
      `stop o2: ${stopReasons.scaling(D2)}`,
      'event (service web) has stopped 2 running tasks: (task o1) (task o2).',
    ],
  },
  {
    name: 'DAEMON deployment: the freed instance gets the new task',
    input: {
      service: rolling({
        schedulingStrategy: 'DAEMON',
        desiredCount: 2,
        deploymentConfiguration: {
          maximumPercent: 100,
          minimumHealthyPercent: 50,
          deploymentCircuitBreaker: { enable: false, rollback: false },
        },
      }),
      instances: [inst('i1'), inst('i2')],
      tasks: [
        task('o1', {
          on: 'i1',
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'ServiceSchedulerInitiated',
          stoppedAt: NOW - 1,
        }),
        task('o2', { on: 'i2' }),
      ],
    },
    want: ['recordStop o1 failed=false failedToStart=false', `start ${D2} x1 on i1`],
  },
];

for (const c of [...replica, ...daemon]) {
  t.test(c.name, async (t) => {
    const state: ServiceState = { tasks: [], instances: THREE, ...c.input };
    const got = summary(reconcileService(state, NOW));
    t.same(got, c.want);
    t.same(summary(reconcileService(state, NOW)), got, 'the same state gives the same answer');
  });
}

t.test('a service without a PRIMARY deployment is refused with a stable code', async (t) => {
  t.throws(
    () =>
      reconcileService({ service: service({ deployments: [] }), tasks: [], instances: [] }, NOW),
    {
      code: 'BERTH_SCHEDULER_SERVICE_STATE',
    },
  );
});
