/**
 * CreateService / UpdateService validation, table-driven with ECS request bodies: defaults
 * and normalization, and every refusal as ECS's exception type naming the field.
 */
import t from 'tap';
import {
  createServiceRecord,
  validateServiceRequest,
  type Service,
} from '../src/core/service-model/index.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
const base = { serviceName: 'web', taskDefinition: 'web:1', desiredCount: 2 };

interface Ok {
  name: string;
  input: Record<string, unknown>;
  want: Record<string, unknown>;
}

const accepted: Ok[] = [
  {
    name: 'REPLICA defaults: 200 / 100, no circuit breaker, EC2, no rebalancing',
    input: base,
    want: {
      serviceName: 'web',
      taskDefinition: 'web:1',
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
      tags: [],
      rebalance: { enable: false, maxSkew: 1 },
    },
  },
  {
    name: 'DAEMON defaults: 100 / 0 and no desired count',
    input: { serviceName: 'logs', taskDefinition: 'logs', schedulingStrategy: 'DAEMON' },
    want: {
      schedulingStrategy: 'DAEMON',
      desiredCount: 0,
      deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
    },
  },
  {
    name: 'a partial deploymentConfiguration keeps the other defaults',
    input: {
      ...base,
      deploymentConfiguration: {
        maximumPercent: 150,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    },
    want: {
      deploymentConfiguration: {
        maximumPercent: 150,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    },
  },
  {
    name: 'placement, load balancers, grace period, tags and a client token are kept',
    input: {
      ...base,
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      placementConstraints: [
        { type: 'memberOf', expression: 'attribute:stack == prod' },
        { type: 'distinctInstance' },
      ],
      loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }],
      healthCheckGracePeriodSeconds: 30,
      tags: [{ key: 'team', value: 'a' }],
      clientToken: 'token-1',
      role: 'ignored',
      propagateTags: 'NONE',
    },
    want: {
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      placementConstraints: [
        { type: 'memberOf', expression: 'attribute:stack == prod' },
        { type: 'distinctInstance' },
      ],
      loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }],
      healthCheckGracePeriodSeconds: 30,
      tags: [{ key: 'team', value: 'a' }],
      clientToken: 'token-1',
    },
  },
  {
    name: "berth's rebalance option",
    input: { ...base, rebalance: { enable: true, maxSkew: 2 } },
    want: { rebalance: { enable: true, maxSkew: 2 } },
  },
  {
    name: 'JSON nulls count as absent (some SDKs send them)',
    input: { ...base, placementStrategy: null, tags: null, launchType: 'EC2' },
    want: { placementStrategy: [], tags: [] },
  },
];

for (const c of accepted) {
  t.test(`CreateService accepts: ${c.name}`, async (t) => {
    t.match(validateServiceRequest('create', c.input), c.want);
  });
}

interface Bad {
  name: string;
  input: unknown;
  want: { ecsType: string; field: string; message: RegExp };
}

const IPE = 'InvalidParameterException';
const refused: Bad[] = [
  {
    name: 'a body that is not an object',
    input: [1],
    want: { ecsType: 'ClientException', field: '', message: /JSON object/ },
  },
  {
    name: 'no serviceName',
    input: { taskDefinition: 'web', desiredCount: 1 },
    want: { ecsType: IPE, field: 'serviceName', message: /serviceName can not be blank/ },
  },
  {
    name: 'a serviceName with a space',
    input: { ...base, serviceName: 'web app' },
    want: { ecsType: IPE, field: 'serviceName', message: /Up to 255 letters/ },
  },
  {
    name: 'a serviceName of 256 characters',
    input: { ...base, serviceName: 'a'.repeat(256) },
    want: { ecsType: IPE, field: 'serviceName', message: /Up to 255 letters/ },
  },
  {
    name: 'no taskDefinition',
    input: { serviceName: 'web', desiredCount: 1 },
    want: { ecsType: IPE, field: 'taskDefinition', message: /taskDefinition can not be blank/ },
  },
  {
    name: 'a negative desiredCount',
    input: { ...base, desiredCount: -1 },
    want: { ecsType: IPE, field: 'desiredCount', message: /desiredCount must be between 0 and/ },
  },
  {
    name: 'a desiredCount given as a string',
    input: { ...base, desiredCount: '3' },
    want: { ecsType: IPE, field: 'desiredCount', message: /desiredCount must be an integer/ },
  },
  {
    name: 'REPLICA without desiredCount',
    input: { serviceName: 'web', taskDefinition: 'web' },
    want: { ecsType: IPE, field: 'desiredCount', message: /required for the REPLICA/ },
  },
  {
    name: 'DAEMON with a desiredCount',
    input: { ...base, schedulingStrategy: 'DAEMON' },
    want: {
      ecsType: IPE,
      field: 'desiredCount',
      message: /daemon scheduling strategy does not support a desiredCount/,
    },
  },
  {
    name: 'DAEMON with a placement strategy',
    input: {
      serviceName: 'logs',
      taskDefinition: 'logs',
      schedulingStrategy: 'DAEMON',
      placementStrategy: [{ type: 'random' }],
    },
    want: {
      ecsType: IPE,
      field: 'placementStrategy',
      message: /does not support placement strategies/,
    },
  },
  {
    name: 'an unknown schedulingStrategy',
    input: { ...base, schedulingStrategy: 'BATCH' },
    want: {
      ecsType: IPE,
      field: 'schedulingStrategy',
      message:
        /Value 'BATCH' at 'schedulingStrategy' failed to satisfy constraint: Member must satisfy enum value set: \[REPLICA, DAEMON\]/,
    },
  },
  {
    name: 'maximumPercent below 100',
    input: { ...base, deploymentConfiguration: { maximumPercent: 99 } },
    want: {
      ecsType: IPE,
      field: 'deploymentConfiguration.maximumPercent',
      message: /between 100 and/,
    },
  },
  {
    name: 'minimumHealthyPercent above 100',
    input: { ...base, deploymentConfiguration: { minimumHealthyPercent: 101 } },
    want: {
      ecsType: IPE,
      field: 'deploymentConfiguration.minimumHealthyPercent',
      message: /between 0 and 100\. Value: 101/,
    },
  },
  {
    name: 'a circuit breaker without rollback',
    input: { ...base, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } } },
    want: {
      ecsType: IPE,
      field: 'deploymentConfiguration.deploymentCircuitBreaker.rollback',
      message: /is required/,
    },
  },
  {
    name: 'six placement strategies',
    input: { ...base, placementStrategy: Array.from({ length: 6 }, () => ({ type: 'random' })) },
    want: { ecsType: IPE, field: 'placementStrategy', message: /at most 5 entries/ },
  },
  {
    name: 'an unknown placement strategy type',
    input: { ...base, placementStrategy: [{ type: 'pack' }] },
    want: {
      ecsType: IPE,
      field: 'placementStrategy[0].type',
      message: /enum value set: \[binpack, spread, random\]/,
    },
  },
  {
    name: 'memberOf without an expression',
    input: { ...base, placementConstraints: [{ type: 'memberOf' }] },
    want: {
      ecsType: IPE,
      field: 'placementConstraints[0].expression',
      message: /requires an expression/,
    },
  },
  {
    name: 'a classic load balancer',
    input: {
      ...base,
      loadBalancers: [{ loadBalancerName: 'elb', containerName: 'web', containerPort: 80 }],
    },
    want: {
      ecsType: IPE,
      field: 'loadBalancers[0].loadBalancerName',
      message: /Classic Load Balancers/,
    },
  },
  {
    name: 'a target group ARN that is not one',
    input: {
      ...base,
      loadBalancers: [{ targetGroupArn: 'tg-1', containerName: 'web', containerPort: 80 }],
    },
    want: {
      ecsType: IPE,
      field: 'loadBalancers[0].targetGroupArn',
      message: /Invalid target group ARN/,
    },
  },
  {
    name: 'a load balancer without containerPort',
    input: { ...base, loadBalancers: [{ targetGroupArn: TG, containerName: 'web' }] },
    want: { ecsType: IPE, field: 'loadBalancers[0].containerPort', message: /is required/ },
  },
  {
    name: 'a negative health check grace period',
    input: { ...base, healthCheckGracePeriodSeconds: -1 },
    want: { ecsType: IPE, field: 'healthCheckGracePeriodSeconds', message: /between 0 and/ },
  },
  {
    name: 'a tag key in the aws: namespace',
    input: { ...base, tags: [{ key: 'aws:x', value: '1' }] },
    want: { ecsType: IPE, field: 'tags[0].key', message: /reserved/ },
  },
  {
    name: 'fifty-one tags',
    input: { ...base, tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: '' })) },
    want: { ecsType: IPE, field: 'tags', message: /at most 50 entries/ },
  },
  {
    name: 'the FARGATE launch type',
    input: { ...base, launchType: 'FARGATE' },
    want: { ecsType: IPE, field: 'launchType', message: /EC2 launch type only/ },
  },
  {
    name: 'awsvpc networking',
    input: { ...base, networkConfiguration: { awsvpcConfiguration: { subnets: ['s'] } } },
    want: { ecsType: IPE, field: 'networkConfiguration', message: /not supported/ },
  },
  {
    name: 'rebalancing with binpack',
    input: {
      ...base,
      placementStrategy: [{ type: 'binpack', field: 'cpu' }],
      rebalance: { enable: true },
    },
    want: { ecsType: IPE, field: 'rebalance', message: /binpack/ },
  },
  {
    name: 'rebalancing a DAEMON service',
    input: {
      serviceName: 'l',
      taskDefinition: 'l',
      schedulingStrategy: 'DAEMON',
      rebalance: { enable: true },
    },
    want: { ecsType: IPE, field: 'rebalance', message: /REPLICA scheduling strategy only/ },
  },
];

for (const c of refused) {
  t.test(`CreateService refuses ${c.name}`, async (t) => {
    t.throws(() => validateServiceRequest('create', c.input), {
      code: 'BERTH_SCHEDULER_SERVICE_REQUEST',
      ecsType: c.want.ecsType,
      field: c.want.field,
      message: c.want.message,
    });
  });
}

t.test('loadBalancers are checked against the task definition ports when given', async (t) => {
  const ctx = { containerPorts: [{ containerName: 'web', containerPort: 80 }] };
  const lb = (port: number) => ({
    ...base,
    loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: port }],
  });
  t.match(validateServiceRequest('create', lb(80), ctx), {
    loadBalancers: [{ containerPort: 80 }],
  });
  t.throws(() => validateServiceRequest('create', lb(8080), ctx), {
    ecsType: IPE,
    field: 'loadBalancers[0]',
    message: 'The container web does not have a container port 8080 defined.',
  });
});

t.test(
  'the placement hook sees the strategies and constraints, and its error passes',
  async (t) => {
    const seen: unknown[] = [];
    const boom = new Error('placementConstraints[0].expression: bad');
    const input = {
      ...base,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }],
    };
    t.throws(
      () =>
        validateServiceRequest('create', input, {
          validatePlacement: (s, c) => {
            seen.push(s, c);
            throw boom;
          },
        }),
      boom,
    );
    t.same(seen, [[], [{ type: 'memberOf', expression: 'attribute:x ==' }]]);
  },
);

const current: Service = createServiceRecord(validateServiceRequest('create', base), {
  now: 0,
  serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
  deploymentId: 'ecs-svc/1000000000000000001',
});
const daemonCurrent: Service = { ...current, schedulingStrategy: 'DAEMON' };

const updates = [
  {
    name: 'a new desired count only',
    input: { service: 'web', desiredCount: 3 },
    current,
    want: {
      service: 'web',
      desiredCount: 3,
      forceNewDeployment: false,
      deploymentConfiguration: undefined,
    },
  },
  {
    name: 'a partial deploymentConfiguration merges with the current one',
    input: { service: 'web', deploymentConfiguration: { maximumPercent: 150 } },
    current,
    want: {
      deploymentConfiguration: {
        maximumPercent: 150,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: false, rollback: false },
      },
    },
  },
  {
    name: 'forceNewDeployment and a new task definition',
    input: { service: 'web', taskDefinition: 'web:2', forceNewDeployment: true },
    current,
    want: { taskDefinition: 'web:2', forceNewDeployment: true },
  },
];

for (const c of updates) {
  t.test(`UpdateService accepts ${c.name}`, async (t) => {
    t.match(validateServiceRequest('update', c.input, { current: c.current }), c.want);
  });
}

const badUpdates: (Bad & { current: Service | undefined })[] = [
  {
    name: 'a desired count for a DAEMON service',
    input: { service: 'web', desiredCount: 1 },
    current: daemonCurrent,
    want: { ecsType: IPE, field: 'desiredCount', message: /daemon scheduling strategy/ },
  },
  {
    name: 'placement strategies for a DAEMON service',
    input: { service: 'web', placementStrategy: [{ type: 'random' }] },
    current: daemonCurrent,
    want: {
      ecsType: IPE,
      field: 'placementStrategy',
      message: /does not support placement strategies/,
    },
  },
  {
    name: 'forceNewDeployment that is not a boolean',
    input: { service: 'web', forceNewDeployment: 'yes' },
    current,
    want: { ecsType: IPE, field: 'forceNewDeployment', message: /must be a boolean/ },
  },
  {
    name: 'no service',
    input: { desiredCount: 1 },
    current,
    want: { ecsType: IPE, field: 'service', message: /service can not be blank/ },
  },
  {
    name: 'binpack on a rebalancing service',
    input: { service: 'web', placementStrategy: [{ type: 'binpack', field: 'memory' }] },
    current: { ...current, rebalance: { enable: true, maxSkew: 1 } },
    want: { ecsType: IPE, field: 'placementStrategy', message: /binpack/ },
  },
  {
    name: 'a service that does not exist',
    input: { service: 'nope' },
    current: undefined,
    want: { ecsType: 'ServiceNotFoundException', field: 'service', message: /Service not found/ },
  },
];

for (const c of badUpdates) {
  t.test(`UpdateService refuses ${c.name}`, async (t) => {
    t.throws(
      () =>
        validateServiceRequest('update', c.input, {
          current: c.current as Service,
        }),
      { ecsType: c.want.ecsType, field: c.want.field, message: c.want.message },
    );
  });
}
