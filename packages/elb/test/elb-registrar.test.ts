// The registrar keeps one target registered while its owner serves: it retries a failing
// registration with backoff (emitting each failure with the delay before the next try),
// stops retrying at stop(), and deregisters at stop with a bounded number of attempts,
// reporting the give-up as delayMs -1.
import { eventually } from '@berth/daemon/testing';
import { ElbRegistrar, type ElbTarget, type TargetGroup } from '@berth/elb';
import t from 'tap';

const TARGET: ElbTarget = { id: 'i-0abc', port: 9999 };

/** A target group whose calls fail while `fail[op]` > 0 (each call uses one failure up). */
function memoryGroup(fail: { register?: number; deregister?: number }) {
  const calls: string[] = [];
  const group: TargetGroup = {
    arn: 'arn:tg',
    register: async () => {
      calls.push('register');
      if ((fail.register ?? 0) > 0) {
        fail.register!--;
        throw new Error('AWS down');
      }
    },
    deregister: async () => {
      calls.push('deregister');
      if ((fail.deregister ?? 0) > 0) {
        fail.deregister!--;
        throw new Error('AWS down');
      }
    },
  };
  return { group, calls };
}

const BACKOFF = { baseMs: 5, maxMs: 20, deregisterAttempts: 2, jitter: 'none' as const };

t.test('retries the registration until it succeeds, then deregisters at stop', async (t) => {
  const { group, calls } = memoryGroup({ register: 3 });
  const r = new ElbRegistrar(group, TARGET, BACKOFF);
  const errors: { op: string; attempt: number; delayMs: number }[] = [];
  const events: string[] = [];
  r.on('error', (e) => errors.push({ op: e.op, attempt: e.attempt, delayMs: e.delayMs }));
  r.on('registered', () => events.push('registered'));
  r.on('deregistered', () => events.push('deregistered'));
  r.start();
  r.start(); // a second start does nothing
  await eventually('registered', () => r.registered);
  t.strictSame(errors, [
    { op: 'RegisterTargets', attempt: 1, delayMs: 5 },
    { op: 'RegisterTargets', attempt: 2, delayMs: 10 },
    { op: 'RegisterTargets', attempt: 3, delayMs: 20 },
  ]);
  await r.stop();
  t.notOk(r.registered);
  t.strictSame(events, ['registered', 'deregistered']);
  t.strictSame(calls, ['register', 'register', 'register', 'register', 'deregister']);
});

t.test('stop() ends the retries; a failing deregistration is given up', async (t) => {
  const { group, calls } = memoryGroup({ register: 1000, deregister: 1000 });
  const r = new ElbRegistrar(group, TARGET, {
    ...BACKOFF,
    baseMs: 60_000,
    maxMs: 60_000,
    deregisterAttempts: 1,
  });
  const errors: { op: string; attempt: number; delayMs: number }[] = [];
  r.on('error', (e) => errors.push({ op: e.op, attempt: e.attempt, delayMs: e.delayMs }));
  r.start();
  await eventually('the first failure', () => errors.length === 1);
  const started = Date.now();
  await r.stop(); // must not wait out the 60 s back-off
  t.ok(Date.now() - started < 30_000, 'stop() aborted the 60 s wait');
  t.notOk(r.registered);
  t.strictSame(errors, [
    { op: 'RegisterTargets', attempt: 1, delayMs: 60_000 },
    { op: 'DeregisterTargets', attempt: 1, delayMs: -1 },
  ]);
  t.strictSame(calls, ['register', 'deregister']);
});
