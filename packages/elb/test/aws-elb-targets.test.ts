// The ELB adapter against a local ELBv2 endpoint (Query protocol, loopback): retries are the
// SDK's own (standard mode: a 500 or a throttle is retried, a ValidationError is not, and no
// call is made more than maxAttempts times), a hung attempt is cut by the request timeout and
// retried, target health and the deregistration delay are read, and targetGroupOf binds a
// group for the router.
import { AwsElbTargets, ElbError, targetGroupOf } from '@berth/elb';
import { type FakeElbAnswer, startFakeElb } from '@berth/elb/testing';
import t from 'tap';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth/0123456789abcdef';
const CREDENTIALS = { accessKeyId: 'AKIDBERTHTEST', secretAccessKey: 'secret' };

/** The fake answering the nth call of an action as `script` says. */
const fakeElb = (script: (action: string, n: number) => FakeElbAnswer) =>
  startFakeElb({
    answer: script,
    deregistrationDelaySeconds: 7,
    targetState: (x) => (x.startsWith('i-2:') ? 'unhealthy.draining' : 'healthy'),
  });

function client(endpoint: string, more: { maxAttempts?: number; requestTimeoutMs?: number } = {}) {
  return new AwsElbTargets({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...more });
}

t.test('a server fault and a throttle are retried by the SDK', async (t) => {
  const elb = await fakeElb((_a, n) => (n === 1 ? 'fault' : n === 2 ? 'throttle' : 'ok'));
  t.teardown(elb.close);
  const c = client(elb.url);
  t.teardown(() => c.close());
  await c.register(TG, 'i-1', 32768);
  t.strictSame(
    elb.calls.map((x) => x.action),
    ['RegisterTargets', 'RegisterTargets', 'RegisterTargets'],
  );
  const p = elb.calls[2]!.params;
  t.equal(p.get('TargetGroupArn'), TG);
  t.equal(p.get('Targets.member.1.Id'), 'i-1');
  t.equal(p.get('Targets.member.1.Port'), '32768');
});

t.test('a request AWS calls wrong fails at once, not retryable', async (t) => {
  const elb = await fakeElb(() => 'invalid');
  t.teardown(elb.close);
  const c = client(elb.url);
  t.teardown(() => c.close());
  const err = await c.deregister(TG, 'i-1', 1).catch((e: unknown) => e);
  t.ok(err instanceof ElbError);
  t.match(err, { code: 'BERTH_ELB', operation: 'DeregisterTargets', retryable: false });
  t.equal((err as ElbError).awsCode, 'ValidationError');
  t.equal(elb.calls.length, 1);
});

t.test('never more than maxAttempts calls; then a retryable ElbError', async (t) => {
  const elb = await fakeElb(() => 'fault');
  t.teardown(elb.close);
  const c = client(elb.url, { maxAttempts: 3 });
  t.teardown(() => c.close());
  const err = await c.register(TG, 'i-1', 1).catch((e: unknown) => e);
  t.match(err, { operation: 'RegisterTargets', retryable: true });
  t.equal(elb.calls.length, 3);
});

t.test('a hung attempt is cut by the request timeout and retried', async (t) => {
  const elb = await fakeElb((_a, n) => (n === 1 ? 'hang' : 'ok'));
  t.teardown(elb.close);
  const c = client(elb.url, { requestTimeoutMs: 300 });
  t.teardown(() => c.close());
  await c.register(TG, 'i-1', 1);
  t.equal(elb.calls.length, 2);
});

t.test('target health and the deregistration delay (read once per group)', async (t) => {
  const elb = await fakeElb(() => 'ok');
  t.teardown(elb.close);
  const c = client(elb.url);
  t.teardown(() => c.close());
  await c.register(TG, 'i-1', 32768);
  await c.register(TG, 'i-2', 32769);
  t.strictSame(
    [...(await c.health(TG))],
    [
      ['i-1:32768', 'healthy'],
      ['i-2:32769', 'draining'],
    ],
  );
  t.equal(await c.deregistrationDelayMs(TG), 7000);
  t.equal(await c.deregistrationDelayMs(TG), 7000);
  t.equal(elb.calls.filter((x) => x.action === 'DescribeTargetGroupAttributes').length, 1);
});

t.test('targetGroupOf binds one group (the router registers itself)', async (t) => {
  const elb = await fakeElb(() => 'ok');
  t.teardown(elb.close);
  const c = client(elb.url);
  t.teardown(() => c.close());
  const group = targetGroupOf(c, TG);
  t.equal(group.arn, TG);
  await group.register({ id: '127.0.0.2', port: 9999 });
  await group.deregister({ id: '127.0.0.2', port: 9999 });
  t.strictSame(
    elb.calls.map((x) => [
      x.action,
      x.params.get('TargetGroupArn'),
      x.params.get('Targets.member.1.Id'),
    ]),
    [
      ['RegisterTargets', TG, '127.0.0.2'],
      ['DeregisterTargets', TG, '127.0.0.2'],
    ],
  );
});
