// Issue 21: the Application Auto Scaling API with the real AWS CLI v2
// (/usr/bin/aws application-autoscaling --endpoint-url): register / describe / deregister a
// scalable target for an ECS service, put / describe / delete target-tracking policies,
// describe-scaling-activities, AWS's errors; SigV4 service `application-autoscaling`.
import t from 'tap';
import { cliErrorType as errType, type CliResult } from '../../../test/helpers/aws-cli.js';
import { cliOf, createWeb, WEB_TARGET_ARGS as TARGET } from './autoscaling-fixtures.js';
import { startStack } from './fixtures.js';

const s = await startStack();
t.teardown(() => s.close());

/** `aws application-autoscaling <args>` against the stack (empty output reads as `{}`). */
const cli = cliOf(s);
const aas = (args: string[]): Promise<CliResult> => cli('application-autoscaling', args);

await createWeb(s);

t.test('a target for a service that does not exist is refused', async (t) => {
  const r = await aas([
    'register-scalable-target',
    ...TARGET,
    '--min-capacity',
    '1',
    '--max-capacity',
    '4',
  ]);
  t.equal(r.code, 254, r.stderr);
  t.equal(errType(r), 'ValidationException');
  t.match(r.stderr, /ECS service doesn't exist: service\/default\/web/);
});

t.test('register, describe, update, policies, activities, deregister', async (t) => {
  await s.json.ecs('CreateService', {
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount: 1,
  });
  let r = await aas(['register-scalable-target', ...TARGET]);
  t.equal(errType(r), 'ValidationException', 'a new target needs min and max');
  r = await aas([
    'register-scalable-target',
    ...TARGET,
    '--min-capacity',
    '3',
    '--max-capacity',
    '2',
  ]);
  t.equal(errType(r), 'ValidationException', 'min > max');
  r = await aas([
    'register-scalable-target',
    ...TARGET,
    '--min-capacity',
    '1',
    '--max-capacity',
    '4',
  ]);
  t.equal(r.code, 0, r.stderr);
  // ScalableTargetARN postdates the CLI's model (awscli 2.x in Debian): it drops it.

  r = await aas([
    'register-scalable-target',
    ...TARGET,
    '--max-capacity',
    '5',
    '--suspended-state',
    'DynamicScalingInSuspended=true',
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await aas(['describe-scalable-targets', '--service-namespace', 'ecs']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.out.ScalableTargets.length, 1);
  t.match(r.out.ScalableTargets[0], {
    ServiceNamespace: 'ecs',
    ResourceId: 'service/default/web',
    ScalableDimension: 'ecs:service:DesiredCount',
    MinCapacity: 1,
    MaxCapacity: 5,
    SuspendedState: {
      DynamicScalingInSuspended: true,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: false,
    },
  });
  t.match(r.out.ScalableTargets[0].CreationTime, /^\d{4}-\d\d-\d\dT/, 'a timestamp the CLI parsed');
  r = await aas([
    'describe-scalable-targets',
    '--service-namespace',
    'ecs',
    '--resource-ids',
    'service/default/other',
  ]);
  t.same(r.out.ScalableTargets, []);

  r = await aas([
    'put-scaling-policy',
    ...TARGET,
    '--policy-name',
    'cpu50',
    '--policy-type',
    'TargetTrackingScaling',
    '--target-tracking-scaling-policy-configuration',
    JSON.stringify({
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ScaleOutCooldown: 10,
      ScaleInCooldown: 60,
    }),
  ]);
  t.equal(r.code, 0, r.stderr);
  t.match(
    r.out.PolicyARN,
    /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]+:resource\/ecs\/service\/default\/web:policyName\/cpu50$/,
  );
  t.equal(r.out.Alarms.length, 2);
  r = await aas([
    'put-scaling-policy',
    ...TARGET,
    '--policy-name',
    'req',
    '--policy-type',
    'TargetTrackingScaling',
    '--target-tracking-scaling-policy-configuration',
    JSON.stringify({
      TargetValue: 100,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
      DisableScaleIn: true,
    }),
  ]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.out.Alarms.length, 1, 'no low alarm when scale-in is disabled');
  r = await aas([
    'put-scaling-policy',
    ...TARGET,
    '--policy-name',
    'bad',
    '--policy-type',
    'TargetTrackingScaling',
    '--target-tracking-scaling-policy-configuration',
    JSON.stringify({
      TargetValue: 50,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'EC2SpotFleetRequestAverageCPUUtilization',
      },
    }),
  ]);
  t.equal(errType(r), 'ValidationException', r.stderr);
  r = await aas([
    'put-scaling-policy',
    '--service-namespace',
    'ecs',
    '--scalable-dimension',
    'ecs:service:DesiredCount',
    '--resource-id',
    'service/default/nope',
    '--policy-name',
    'x',
    '--policy-type',
    'TargetTrackingScaling',
    '--target-tracking-scaling-policy-configuration',
    JSON.stringify({
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
    }),
  ]);
  t.equal(errType(r), 'ObjectNotFoundException', 'no policy without a registered target');

  r = await aas(['describe-scaling-policies', '--service-namespace', 'ecs']);
  t.equal(r.code, 0, r.stderr);
  t.same(r.out.ScalingPolicies.map((p: { PolicyName: string }) => p.PolicyName).sort(), [
    'cpu50',
    'req',
  ]);
  const cpu = r.out.ScalingPolicies.find((p: { PolicyName: string }) => p.PolicyName === 'cpu50');
  t.match(cpu.TargetTrackingScalingPolicyConfiguration, {
    TargetValue: 50,
    PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
    ScaleOutCooldown: 10,
    ScaleInCooldown: 60,
    DisableScaleIn: false,
  });
  r = await aas([
    'describe-scaling-policies',
    '--service-namespace',
    'ecs',
    '--policy-names',
    'req',
    '--max-items',
    '1',
  ]);
  t.same(
    r.out.ScalingPolicies.map((p: { PolicyName: string }) => p.PolicyName),
    ['req'],
  );

  r = await aas(['delete-scaling-policy', ...TARGET, '--policy-name', 'req']);
  t.equal(r.code, 0, r.stderr);
  r = await aas(['delete-scaling-policy', ...TARGET, '--policy-name', 'req']);
  t.equal(errType(r), 'ObjectNotFoundException');

  r = await aas([
    'describe-scaling-activities',
    '--service-namespace',
    'ecs',
    '--resource-id',
    'service/default/web',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.same(r.out.ScalingActivities, [], 'nothing scaled yet');

  // Scheduled actions: at / rate / cron (UTC), min and/or max.
  r = await aas([
    'put-scheduled-action',
    ...TARGET,
    '--scheduled-action-name',
    'workday',
    '--schedule',
    'cron(0 8 ? * MON-FRI *)',
    '--scalable-target-action',
    'MinCapacity=2,MaxCapacity=4',
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await aas([
    'put-scheduled-action',
    ...TARGET,
    '--scheduled-action-name',
    'later',
    '--schedule',
    'at(2030-01-01T00:00:00)',
    '--scalable-target-action',
    'MaxCapacity=8',
  ]);
  t.equal(r.code, 0, r.stderr);
  for (const [schedule, why] of [
    ['cron(0 8 * *)', 'a cron needs 6 fields'],
    ['rate(5 fortnights)', 'unknown unit'],
  ] as const) {
    r = await aas([
      'put-scheduled-action',
      ...TARGET,
      '--scheduled-action-name',
      'bad',
      '--schedule',
      schedule!,
    ]);
    t.equal(errType(r), 'ValidationException', why);
  }
  r = await aas([
    'put-scheduled-action',
    ...TARGET,
    '--scheduled-action-name',
    'tz',
    '--schedule',
    'cron(0 9 * * ? *)',
    '--timezone',
    'Mars/Olympus_Mons',
  ]);
  t.equal(errType(r), 'ValidationException', 'an unknown zone');
  t.match(r.stderr, /Mars\/Olympus_Mons/, 'the error names the zone');
  r = await aas([
    'put-scheduled-action',
    ...TARGET,
    '--scheduled-action-name',
    'tz',
    '--schedule',
    'cron(0 9 * * ? *)',
    '--timezone',
    'Europe/Paris',
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await aas(['describe-scheduled-actions', '--service-namespace', 'ecs']);
  t.equal(r.code, 0, r.stderr);
  t.same(
    r.out.ScheduledActions.map(
      (a: { ScheduledActionName: string }) => a.ScheduledActionName,
    ).sort(),
    ['later', 'tz', 'workday'],
  );
  const zoneOf = (name: string): unknown =>
    r.out.ScheduledActions.find(
      (a: { ScheduledActionName: string }) => a.ScheduledActionName === name,
    )?.Timezone;
  t.equal(zoneOf('tz'), 'Europe/Paris', 'the zone is kept');
  t.equal(zoneOf('workday'), 'UTC', 'UTC by default');
  t.match(
    r.out.ScheduledActions.find(
      (a: { ScheduledActionName: string }) => a.ScheduledActionName === 'workday',
    ),
    {
      Schedule: 'cron(0 8 ? * MON-FRI *)',
      ResourceId: 'service/default/web',
      ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 4 },
      ScheduledActionARN:
        /^arn:aws:autoscaling:us-east-1:000000000000:scheduledAction:[0-9a-f-]+:resource\/ecs\/service\/default\/web:scheduledActionName\/workday$/,
    },
  );
  r = await aas(['delete-scheduled-action', ...TARGET, '--scheduled-action-name', 'later']);
  t.equal(r.code, 0, r.stderr);
  r = await aas(['delete-scheduled-action', ...TARGET, '--scheduled-action-name', 'later']);
  t.equal(errType(r), 'ObjectNotFoundException');
  r = await aas([
    'describe-scheduled-actions',
    '--service-namespace',
    'ecs',
    '--scheduled-action-names',
    'later',
  ]);
  t.same(r.out.ScheduledActions, []);

  r = await aas(['deregister-scalable-target', ...TARGET]);
  t.equal(r.code, 0, r.stderr);
  r = await aas(['deregister-scalable-target', ...TARGET]);
  t.equal(errType(r), 'ObjectNotFoundException');
  r = await aas(['describe-scaling-policies', '--service-namespace', 'ecs']);
  t.same(r.out.ScalingPolicies, [], "a target's policies go with it");
});

t.test('other namespaces, dimensions and unknown actions', async (t) => {
  let r = await aas(['describe-scalable-targets', '--service-namespace', 'dynamodb']);
  t.equal(errType(r), 'ValidationException');
  r = await aas([
    'register-scalable-target',
    '--service-namespace',
    'ecs',
    '--scalable-dimension',
    'ecs:service:Nope',
    '--resource-id',
    'service/default/web',
    '--min-capacity',
    '1',
    '--max-capacity',
    '2',
  ]);
  t.equal(errType(r), 'ValidationException');
  r = await aas([
    'describe-scaling-activities',
    '--service-namespace',
    'ecs',
    '--max-results',
    '51',
  ]);
  t.equal(errType(r), 'ValidationException', 'MaxResults above 50');
});
