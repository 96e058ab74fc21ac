/**
 * The console's auto scaling adapter against a real scheduler on loopback (no agent, no
 * Docker): Application Auto Scaling answers through the AWS SDK come out in the wire's shape
 * (the same objects a raw signed JSON 1.1 call returns, times in epoch seconds) so the views
 * render them the same; refusals, bad keys and an unreachable scheduler become the console's
 * EcsCallError with the API's type and status, for the SDK calls and for
 * DescribeServiceMetrics through the scheduler's EcsJsonClient.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { EcsJsonClient, signSigV4, startScheduler } from '@berth/scheduler';
import { EcsCallError } from '../src/adapters/ecs-api.js';
import { ScalingApi, wireShape } from '../src/adapters/scaling-api.js';
import { activityView, policyView, targetView } from '../src/core/scaling-view.js';

const KEYS = {
  accessKeyId: 'AKIDCONSOLEAASSDK01',
  secretAccessKey: 'console/aas/sdk/secret+key000000001',
};

t.setTimeout(60_000);

t.test('wireShape: Dates to epoch seconds, absent members left out', async (t) => {
  const cases: [unknown, unknown][] = [
    [new Date(1_700_000_000_500), 1_700_000_000.5],
    [{ a: undefined, b: 1 }, { b: 1 }],
    [
      { L: [{ T: new Date(2000), N: null }], S: 'x', F: false },
      { L: [{ T: 2, N: null }], S: 'x', F: false },
    ],
    [[], []],
    ['text', 'text'],
  ];
  for (const [input, want] of cases) t.same(wireShape(input), want, JSON.stringify(want));
});

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

t.test('against a scheduler', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-console-aas-'));
  const credentials = join(dir, 'credentials');
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`,
  );
  const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
  const scheduler = await startScheduler({
    consul: catalog.url,
    listen: '127.0.0.1:0',
    credentials,
    discoveryDrain: 0,
  });
  const api = new ScalingApi(scheduler.url, 'us-east-1', KEYS);
  const json = new EcsJsonClient({ endpoint: scheduler.url, credentials: KEYS });
  t.teardown(async () => {
    api.destroy();
    json.close();
    await scheduler.close();
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  });
  await eventually('the scheduler leads', () => scheduler.replica.isLeader, { timeoutMs: 10_000 });
  await json.ecs('CreateCluster', { clusterName: 'default' });
  await json.ecs('RegisterTaskDefinition', {
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'berth/busybox:test', cpu: 256, memory: 128 }],
  });
  await json.ecs('CreateService', { serviceName: 'web', taskDefinition: 'web', desiredCount: 0 });

  /** The same Describe* call signed by hand: the raw JSON the views were written against. */
  const raw = async (action: string, body: unknown): Promise<Record<string, unknown>> => {
    const url = new URL(scheduler.url);
    const text = JSON.stringify(body);
    const headers = signSigV4({
      method: 'POST',
      host: url.host,
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AnyScaleFrontendService.${action}`,
      },
      body: text,
      credentials: KEYS,
      region: 'us-east-1',
      service: 'application-autoscaling',
    });
    const res = await fetch(url, { method: 'POST', headers, body: text });
    t.equal(res.status, 200, `${action} answered`);
    return (await res.json()) as Record<string, unknown>;
  };
  const of = { ServiceNamespace: 'ecs', ResourceId: 'service/default/web' };

  await t.test('actions, and answers in the wire shape', async (t) => {
    t.equal(
      await api.perform({
        kind: 'register-scalable-target',
        cluster: 'default',
        service: 'web',
        min: 1,
        max: 3,
      }),
      'min 1, max 3',
    );
    t.equal(
      await api.perform({
        kind: 'put-scaling-policy',
        cluster: 'default',
        service: 'web',
        policyName: 'cpu50',
        metric: 'ECSServiceAverageCPUUtilization',
        targetValue: 50,
        scaleOutCooldown: 60,
        scaleInCooldown: 600,
        disableScaleIn: false,
      }),
      'policy cpu50 in place',
    );
    const target = await api.target('default', 'web');
    t.type(target?.['CreationTime'], 'number', 'CreationTime in epoch seconds');
    const rawTargets = await raw('DescribeScalableTargets', {
      ...of,
      ResourceIds: [of.ResourceId],
    });
    t.same(target, (rawTargets['ScalableTargets'] as unknown[])[0], 'the raw target');
    t.same(targetView(target!).min, 1);
    t.same(targetView(target!).max, 3);

    const policies = await api.policies('default', 'web');
    const rawPolicies = (await raw('DescribeScalingPolicies', of))['ScalingPolicies'] as Record<
      string,
      unknown
    >[];
    t.same(policies, rawPolicies, 'the raw policies');
    t.same(policies.map(policyView), rawPolicies.map(policyView), 'rendered the same');
    t.match(policyView(policies[0]!), {
      name: 'cpu50',
      target: '50 %',
      settings: [
        { label: 'Scale-out cooldown', value: '60 s' },
        { label: 'Scale-in cooldown', value: '600 s' },
        { label: 'Scale-in', value: 'enabled' },
      ],
    });

    const activities = await api.activities('default', 'web');
    const rawActivities = (await raw('DescribeScalingActivities', of))[
      'ScalingActivities'
    ] as Record<string, unknown>[];
    t.same(activities, rawActivities, 'the raw activities');
    t.same(activities.map(activityView), rawActivities.map(activityView));

    t.same(await api.scheduledActions('default', 'web'), [], 'no scheduled action');

    const metrics = await api.serviceMetrics('default', 'web');
    t.match(metrics, { cluster: 'default', service: 'web', runningTasks: 0 });

    t.equal(
      await api.perform({
        kind: 'delete-scaling-policy',
        cluster: 'default',
        service: 'web',
        policyName: 'cpu50',
      }),
      'policy cpu50 deleted',
    );
    t.same(await api.policies('default', 'web'), []);
  });

  await t.test('refusals keep the API type and status', async (t) => {
    const refused = await api
      .perform({
        kind: 'register-scalable-target',
        cluster: 'default',
        service: 'web',
        min: 5,
        max: 2,
      })
      .catch((e: unknown) => e);
    t.type(refused, EcsCallError);
    t.match(refused, { type: 'ValidationException', status: 400 });

    const stranger = new ScalingApi(scheduler.url, 'us-east-1', {
      accessKeyId: KEYS.accessKeyId,
      secretAccessKey: 'not/the/secret',
    });
    t.teardown(() => stranger.destroy());
    for (const call of [
      () => stranger.target('default', 'web'),
      () => stranger.serviceMetrics('default', 'web'),
    ]) {
      const e = await call().catch((x: unknown) => x);
      t.type(e, EcsCallError);
      const err = e as EcsCallError;
      t.ok(err.status >= 400 && err.status < 500, `a 4xx (${err.status})`);
      t.match(err.type, /Signature|Unrecognized/, err.type);
      t.notOk(err.message.startsWith(`${err.type}:`), 'the message without the type');
    }
  });

  await t.test('an unreachable scheduler', async (t) => {
    const away = new ScalingApi(`http://127.0.0.1:${await closedPort()}`, 'us-east-1', KEYS);
    t.teardown(() => away.destroy());
    for (const call of [
      () => away.activities('default', 'web'),
      () => away.serviceMetrics('default', 'web'),
    ]) {
      const e = await call().catch((x: unknown) => x);
      t.type(e, EcsCallError);
      t.match(e, { type: 'SchedulerUnreachable', status: 502 });
    }
  });
});
