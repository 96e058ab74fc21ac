import t from 'tap';
import { ActionInputError, describeAction, parseAction } from '../../src/core/actions.js';
import { isScalingAction } from '../../src/core/scaling-actions.js';

const base = { cluster: 'default', service: 'web' };
const policy = {
  ...base,
  kind: 'put-scaling-policy',
  policyName: 'cpu50',
  metric: 'ECSServiceAverageCPUUtilization',
  targetValue: 50,
  scaleOutCooldown: 60,
  scaleInCooldown: 300,
};

t.test('scaling actions are checked for types only; the API judges the rest', async (t) => {
  const bounds = parseAction({ ...base, kind: 'register-scalable-target', min: 5, max: 2 });
  t.same(bounds, { ...base, kind: 'register-scalable-target', min: 5, max: 2, from: undefined });
  t.ok(isScalingAction(bounds));
  t.equal(
    (parseAction({ ...policy, policyName: 'bad:name' }) as { policyName: string }).policyName,
    'bad:name',
    'a name the API refuses is left for the API to refuse',
  );
  t.same(parseAction({ ...base, kind: 'delete-scaling-policy', policyName: ' cpu50 ' }), {
    ...base,
    kind: 'delete-scaling-policy',
    policyName: 'cpu50',
  });
  t.notOk(isScalingAction(parseAction({ ...base, kind: 'scale', desiredCount: 1 })));
  const bad: [string, Record<string, unknown>, string][] = [
    ['fractional min', { ...base, kind: 'register-scalable-target', min: 1.5, max: 2 }, 'min'],
    ['negative max', { ...base, kind: 'register-scalable-target', min: 1, max: -1 }, 'max'],
    ['odd service', { ...policy, service: '../x' }, 'service'],
    ['another metric', { ...policy, metric: 'ALBRequestCountPerTarget' }, 'metric'],
    ['target not a number', { ...policy, targetValue: '50' }, 'targetValue'],
    ['no name', { ...policy, policyName: '  ' }, 'policyName'],
    ['fractional cooldown', { ...policy, scaleInCooldown: 0.5 }, 'scaleInCooldown'],
  ];
  for (const [what, input, field] of bad) {
    let err: unknown;
    try {
      parseAction(input);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof ActionInputError, `${what}: refused`);
    t.equal((err as ActionInputError).field, field, `${what}: names ${field}`);
  }
});

t.test('each says what it will do', async (t) => {
  t.equal(
    describeAction({ ...base, kind: 'register-scalable-target', min: 1, max: 4 }),
    'Register service web (cluster default) for auto scaling with min 1 and max 4: auto scaling keeps the desired count between them.',
  );
  t.equal(
    describeAction({
      ...base,
      kind: 'register-scalable-target',
      min: 2,
      max: 6,
      from: { min: 1, max: 4 },
    }),
    'Set the auto scaling bounds of service web (cluster default) from min 1 / max 4 to min 2 / max 6: auto scaling keeps the desired count between them.',
  );
  t.equal(
    describeAction(parseAction(policy)),
    'Put target-tracking policy cpu50 on service web (cluster default): keep the average CPU utilisation at 50 %, scale-out cooldown 60 s, scale-in cooldown 300 s. A policy of the same name is replaced.',
  );
  t.equal(
    describeAction(parseAction({ ...policy, disableScaleIn: true })),
    'Put target-tracking policy cpu50 on service web (cluster default): keep the average CPU utilisation at 50 %, scale-out cooldown 60 s, never scaling in.',
  );
  t.equal(
    describeAction({ ...base, kind: 'delete-scaling-policy', policyName: 'cpu50' }),
    'Delete scaling policy cpu50 of service web (cluster default): it no longer scales the service.',
  );
});
