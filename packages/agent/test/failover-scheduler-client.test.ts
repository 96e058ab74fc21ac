// Issue 15: an agent that knows every scheduler replica fails over when the one it talks to
// dies, instead of stalling until it returns; a rejection is never retried elsewhere.
import t from 'tap';
import { AgentClosedError, SchedulerError } from '../src/errors.js';
import { FailoverSchedulerClient } from '../src/adapters/failover-scheduler-client.js';
import type { SchedulerClient } from '../src/adapters/scheduler-client.js';

/** A replica that answers `answer`, or fails as `fail` says; counts its calls. */
function replica(name: string, fail?: () => Error) {
  const calls: string[] = [];
  const client: SchedulerClient = {
    register: async () => {
      calls.push('register');
      if (fail) throw fail();
      return { containerInstanceArn: name };
    },
    poll: async () => {
      calls.push('poll');
      if (fail) throw fail();
      return { version: 1, tasks: [] };
    },
    reportTask: async () => {
      calls.push('reportTask');
      if (fail) throw fail();
    },
    reportContainer: async () => {
      calls.push('reportContainer');
      if (fail) throw fail();
    },
    deregister: async () => {
      calls.push('deregister');
      if (fail) throw fail();
    },
  };
  return { client, calls };
}

const registration = {} as Parameters<SchedulerClient['register']>[0];
const unreachable = () => new SchedulerError('scheduler unreachable', true);

t.test('a dead replica: the call moves on at once and stays there', async (t) => {
  const dead = replica('a', unreachable);
  const live = replica('b');
  const switches: string[] = [];
  const c = new FailoverSchedulerClient([dead.client, live.client], (from, to) =>
    switches.push(`${from}->${to}`),
  );
  t.same(await c.register(registration), { containerInstanceArn: 'b' });
  t.equal(c.current, 1, 'now on the live replica');
  await c.poll({ containerInstance: 'b', version: 0, waitSeconds: 1 });
  await c.reportTask({} as Parameters<SchedulerClient['reportTask']>[0]);
  t.same(dead.calls, ['register'], 'the dead one is not asked again while the live one answers');
  t.same(live.calls, ['register', 'poll', 'reportTask']);
  t.same(switches, ['0->1']);
});

t.test('every replica down: the last failure, for the caller to back off', async (t) => {
  const c = new FailoverSchedulerClient([
    replica('a', unreachable).client,
    replica('b', unreachable).client,
  ]);
  const err = await c.poll({ containerInstance: 'x', version: 0, waitSeconds: 1 }).catch((e) => e);
  t.ok(err instanceof SchedulerError && err.retryable, 'a retryable failure');
});

t.test('a rejection is the answer, not a reason to ask another replica', async (t) => {
  const rejecting = replica('a', () => new SchedulerError('ClientException', false));
  const other = replica('b');
  const c = new FailoverSchedulerClient([rejecting.client, other.client]);
  const err = await c.register(registration).catch((e: unknown) => e);
  t.ok(err instanceof SchedulerError && !err.retryable, 'the rejection');
  t.same(other.calls, [], 'not retried elsewhere');
  const closing = new FailoverSchedulerClient([
    replica('a', () => new AgentClosedError()).client,
    other.client,
  ]);
  await t.rejects(closing.deregister('x', false), AgentClosedError);
  t.same(other.calls, [], 'an agent closing does not fail over');
});
