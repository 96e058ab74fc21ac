/**
 * Property test of the reconciler: a tiny deterministic cluster simulator (tasks start after a
 * few steps, some fail to start, some crash, ELB targets turn healthy, an instance drains)
 * runs rolling deployments step by step through reconcileService and applyServiceActions and
 * checks at every step that the reconciler never starts above maxTasks nor retires a healthy
 * task below minHealthy, and that deployments that can progress complete.
 */
import t from 'tap';
import {
  applyServiceActions,
  createServiceRecord,
  deploymentBounds,
  reconcileService,
  updateServiceRecord,
  validateServiceRequest,
  type Action,
  type Service,
  type ServiceInstanceView,
  type ServiceTask,
  type TargetHealth,
} from '../src/core/service-model/index.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
const TD1 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const TD2 = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';
const STEP_MS = 1000;
const DRAIN_DELAY_MS = 3000;

/** mulberry32: a small seeded PRNG, so every run of a seed is the same. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  seed: number;
  strategy: 'REPLICA' | 'DAEMON';
  desired: number;
  maximumPercent: number;
  minimumHealthyPercent: number;
  loadBalanced: boolean;
  healthChecked: boolean;
  /** Probability that a task of each task definition fails to start. */
  failToStart: Record<string, number>;
  crash: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** Step at which instance i1 turns DRAINING (REPLICA) / i5 joins (DAEMON). */
  eventAt: number | undefined;
  steps: number;
}

interface SimTask extends ServiceTask {
  readyAt: number;
  healthyAt: number;
  failsToStart: boolean;
  stopAt: number | undefined;
}

interface Violation {
  step: number;
  what: string;
}

/** Runs one scenario; returns the violations and the final state. */
function simulate(sc: Scenario): {
  violations: Violation[];
  service: Service;
  tasks: SimTask[];
  instances: ServiceInstanceView[];
  targets: Record<string, Record<string, TargetHealth>>;
} {
  const rng = prng(sc.seed);
  let now = 1_700_000_000_000;
  let ids = 0;
  const instances: ServiceInstanceView[] = [1, 2, 3, 4].map((n) => ({
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/i${n}`,
    ec2InstanceId: `i-${n}`,
    status: 'ACTIVE',
    agentConnected: true,
    availabilityZone: `us-east-1${'abcd'[n % 2]}`,
    matchesConstraints: true,
  }));
  const body = {
    serviceName: 'web',
    taskDefinition: 'web:1',
    schedulingStrategy: sc.strategy,
    ...(sc.strategy === 'REPLICA' ? { desiredCount: sc.desired } : {}),
    deploymentConfiguration: {
      maximumPercent: sc.maximumPercent,
      minimumHealthyPercent: sc.minimumHealthyPercent,
      deploymentCircuitBreaker: sc.circuitBreaker,
    },
    ...(sc.loadBalanced
      ? { loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }] }
      : {}),
  };
  let service = createServiceRecord(validateServiceRequest('create', body), {
    now,
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    taskDefinitionArn: TD1,
    deploymentId: 'ecs-svc/1000000000000000001',
  });
  let tasks: SimTask[] = [];
  const targets: Record<string, Record<string, TargetHealth>> = {};
  const violations: Violation[] = [];
  const deployed = new Set<string>();

  const healthy = (x: SimTask): boolean =>
    x.lastStatus === 'RUNNING' &&
    x.desiredStatus === 'RUNNING' &&
    (!x.healthChecked || x.healthStatus === 'HEALTHY') &&
    (!sc.loadBalanced || targets[x.taskArn]?.[TG]?.state === 'healthy');
  const occupying = (): number => tasks.filter((x) => x.lastStatus !== 'STOPPED').length;
  const desiredNow = (): number =>
    sc.strategy === 'DAEMON'
      ? instances.filter((i) => i.status === 'ACTIVE' && i.matchesConstraints).length
      : service.desiredCount;

  const startTask = (deploymentId: string, td: string, instanceArn: string): void => {
    const n = ++ids;
    tasks.push({
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/t${n}`,
      deploymentId,
      instanceArn,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthChecked: sc.healthChecked,
      healthStatus: 'UNKNOWN',
      createdAt: now,
      bindings: [{ containerName: 'web', containerPort: 80, hostPort: 32768 + n }],
      readyAt: now + (1 + Math.floor(rng() * 3)) * STEP_MS,
      healthyAt: 0,
      // A broken task definition (probability 1) keeps failing in the quiet steps too.
      failsToStart:
        rng() < (sc.failToStart[td] ?? 0) && ((sc.failToStart[td] ?? 0) >= 1 || quiet > 0),
      stopAt: undefined,
    });
  };

  const leastLoaded = (): string | undefined => {
    const usable = instances.filter((i) => i.status === 'ACTIVE' && i.agentConnected);
    const load = (arn: string): number =>
      tasks.filter((x) => x.instanceArn === arn && x.lastStatus !== 'STOPPED').length;
    usable.sort((a, b) => load(a.arn) - load(b.arn) || rng() - 0.5);
    return usable[0]?.arn;
  };

  // The last 150 steps are quiet (no crash, no start failure of the good task definition), so
  // that every run can be judged by its final state.
  let quiet = 1;
  for (let step = 0; step < sc.steps; step++) {
    now += STEP_MS;
    quiet = sc.steps - step > 150 ? 1 : 0;
    // The world moves: instances change, tasks start, fail, crash, stop; targets turn healthy.
    if (step === sc.eventAt) {
      if (sc.strategy === 'REPLICA') instances[0] = { ...instances[0]!, status: 'DRAINING' };
      else
        instances.push({
          ...instances[0]!,
          arn: instances[0]!.arn.replace('i1', 'i5'),
          ec2InstanceId: 'i-5',
        });
    }
    for (const x of tasks) {
      if (x.lastStatus === 'STOPPED') continue;
      if (x.desiredStatus === 'STOPPED') {
        if (x.stopAt !== undefined && now >= x.stopAt) {
          Object.assign(x, { lastStatus: 'STOPPED', stoppedAt: now });
        }
      } else if (x.lastStatus !== 'RUNNING') {
        if (now < x.readyAt) x.lastStatus = 'PENDING';
        else if (x.failsToStart) {
          Object.assign(x, {
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stopCode: 'TaskFailedToStart',
            stoppedAt: now,
          });
        } else {
          Object.assign(x, { lastStatus: 'RUNNING', startedAt: now, healthyAt: now + 2 * STEP_MS });
        }
      } else if (rng() < sc.crash * quiet) {
        Object.assign(x, {
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedAt: now,
        });
      } else if (x.healthChecked && x.healthStatus === 'UNKNOWN' && now >= x.healthyAt) {
        x.healthStatus = 'HEALTHY';
      }
    }
    for (const byTg of Object.values(targets)) {
      const h = byTg[TG];
      if (h?.state === 'initial' && now >= h.since + 2 * STEP_MS)
        byTg[TG] = { state: 'healthy', since: now };
    }
    tasks = tasks.filter(
      (x) => x.lastStatus !== 'STOPPED' || now - (x.stoppedAt ?? now) < 30 * STEP_MS,
    );

    // The deployment starts once the first one is steady (or after 40 steps regardless).
    if (
      !deployed.has('d2') &&
      (service.deployments[0]?.rolloutState === 'COMPLETED' || step === 40)
    ) {
      deployed.add('d2');
      const update = validateServiceRequest(
        'update',
        { service: 'web', taskDefinition: 'web:2' },
        { current: service },
      );
      service = updateServiceRecord(service, update, {
        now,
        taskDefinitionArn: TD2,
        deploymentId: 'ecs-svc/2000000000000000002',
      }).service;
    }

    const actions: Action[] = reconcileService(
      {
        service,
        tasks,
        instances,
        targetHealth: targets,
        deregistrationDelayMs: DRAIN_DELAY_MS,
      },
      now,
    );

    // The checks: starts within maxTasks, retirements never below minHealthy.
    const bounds = deploymentBounds(desiredNow(), service.deploymentConfiguration);
    const occBefore = occupying();
    const healthyBefore = tasks.filter(healthy).length;
    for (const a of actions) {
      if (a.type === 'start') {
        for (let i = 0; i < a.count; i++) {
          const where = a.instanceArns?.[i] ?? leastLoaded();
          if (where) startTask(a.deploymentId, a.taskDefinition, where);
        }
      } else if (a.type === 'stop') {
        const x = tasks.find((y) => y.taskArn === a.taskArn);
        if (!x) violations.push({ step, what: `stop of unknown task ${a.taskArn}` });
        else {
          if (targets[x.taskArn]?.[TG] && targets[x.taskArn]?.[TG]?.state !== 'draining') {
            violations.push({ step, what: `stopped ${x.taskArn} while registered` });
          }
          Object.assign(x, {
            desiredStatus: 'STOPPED',
            stopCode: 'ServiceSchedulerInitiated',
            stoppedReason: a.reason,
            stopAt: now + Math.floor(rng() * 3) * STEP_MS,
          });
        }
      } else if (a.type === 'registerTarget') {
        targets[a.taskArn] = { [TG]: { state: 'initial', since: now } };
      } else if (a.type === 'deregisterTarget') {
        targets[a.taskArn] = { [TG]: { state: 'draining', since: now } };
      }
    }
    const occAfter = occupying();
    const healthyAfter = tasks.filter(healthy).length;
    if (occAfter > Math.max(bounds.maxTasks, occBefore)) {
      violations.push({
        step,
        what: `occupying ${occBefore} -> ${occAfter} > maxTasks ${bounds.maxTasks}`,
      });
    }
    if (healthyAfter < Math.min(bounds.minHealthy, healthyBefore)) {
      violations.push({
        step,
        what: `healthy ${healthyBefore} -> ${healthyAfter} < minHealthy ${bounds.minHealthy}`,
      });
    }
    service = applyServiceActions(service, actions, {
      now,
      newEventId: () => `e${++ids}`,
      knownTaskArns: new Set(tasks.map((x) => x.taskArn)),
    });
  }
  return { violations, service, tasks, instances, targets };
}

function scenario(seed: number): Scenario {
  const rng = prng(seed * 7919);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const strategy = rng() < 0.75 ? 'REPLICA' : 'DAEMON';
  return {
    seed,
    strategy,
    desired: 1 + Math.floor(rng() * 6),
    maximumPercent: strategy === 'DAEMON' ? pick([100, 150, 200]) : pick([100, 125, 150, 200, 300]),
    minimumHealthyPercent: pick([0, 25, 50, 75, 100]),
    loadBalanced: rng() < 0.5,
    healthChecked: rng() < 0.5,
    failToStart: { [TD1]: 0.05, [TD2]: 0.1 },
    crash: 0.005,
    circuitBreaker: { enable: false, rollback: false },
    eventAt: rng() < 0.4 ? 10 + Math.floor(rng() * 50) : undefined,
    steps: 500,
  };
}

/** Whether the bounds leave a deployment any room (else it is stuck by configuration). */
function canProgress(desired: number, max: number, min: number): boolean {
  const b = deploymentBounds(desired, {
    maximumPercent: max,
    minimumHealthyPercent: min,
    deploymentCircuitBreaker: { enable: false, rollback: false },
  });
  return b.maxTasks > desired || b.minHealthy < desired;
}

t.test(
  'rolling deployments stay within maximumPercent / minimumHealthyPercent at every step',
  async (t) => {
    const SEEDS = 120;
    let completed = 0;
    let checked = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const sc = scenario(seed);
      const run = simulate(sc);
      const label = `seed ${seed} ${sc.strategy} d=${sc.desired} ${sc.maximumPercent}/${sc.minimumHealthyPercent} lb=${sc.loadBalanced} hc=${sc.healthChecked} event=${sc.eventAt}`;
      t.same(run.violations.slice(0, 3), [], `${label}: no bound violated`);
      const desired =
        sc.strategy === 'DAEMON'
          ? run.instances.filter((i) => i.status === 'ACTIVE').length
          : sc.desired;
      if (!canProgress(desired, sc.maximumPercent, sc.minimumHealthyPercent)) continue;
      checked++;
      const primary = run.service.deployments[0];
      const live = run.tasks.filter((x) => x.lastStatus !== 'STOPPED');
      const done =
        primary?.id === 'ecs-svc/2000000000000000002' &&
        primary.rolloutState === 'COMPLETED' &&
        run.service.deployments.length === 1 &&
        live.length === desired &&
        live.every((x) => x.deploymentId === primary.id);
      if (done) completed++;
      else
        t.fail(
          `${label}: deployment did not complete: ${JSON.stringify(primary)} live=${live.length}`,
        );
    }
    t.ok(checked > SEEDS / 2, `most scenarios can progress (${checked})`);
    t.equal(completed, checked, 'every deployment that can progress completes');
  },
);

const cbCases = [
  {
    name: 'circuit breaker with rollback: a task definition that never starts rolls back to the last completed deployment',
    input: { rollback: true, minimumHealthyPercent: 50 },
    want: {
      primary: 'ecs-svc/1000000000000000001',
      rolloutState: 'COMPLETED',
      deployments: 1,
      runningFrom: TD1,
    },
  },
  {
    name: 'circuit breaker without rollback: the deployment fails and stalls; old tasks keep running',
    input: { rollback: false, minimumHealthyPercent: 100 },
    want: {
      primary: 'ecs-svc/2000000000000000002',
      rolloutState: 'FAILED',
      deployments: 2,
      runningFrom: TD1,
    },
  },
];

for (const c of cbCases) {
  t.test(c.name, async (t) => {
    const run = simulate({
      seed: 42,
      strategy: 'REPLICA',
      desired: 4,
      maximumPercent: 200,
      minimumHealthyPercent: c.input.minimumHealthyPercent,
      loadBalanced: false,
      healthChecked: false,
      failToStart: { [TD2]: 1 },
      crash: 0,
      circuitBreaker: { enable: true, rollback: c.input.rollback },
      eventAt: undefined,
      steps: 200,
    });
    t.same(run.violations, [], 'no bound violated');
    const primary = run.service.deployments[0];
    const live = run.tasks.filter(
      (x) => x.lastStatus === 'RUNNING' && x.desiredStatus === 'RUNNING',
    );
    const tdOf = (id: string): string | undefined =>
      run.service.deployments.find((d) => d.id === id)?.taskDefinition ?? TD1;
    t.same(
      {
        primary: primary?.id,
        rolloutState: primary?.rolloutState,
        deployments: run.service.deployments.length,
        runningFrom: [...new Set(live.map((x) => tdOf(x.deploymentId)))].join(','),
      },
      c.want,
    );
    t.equal(live.length, 4, 'the service runs its desired count');
    t.ok(
      run.service.events.some((e) =>
        e.message.includes('deployment failed: tasks failed to start.'),
      ),
      'the failure is in the events',
    );
  });
}
