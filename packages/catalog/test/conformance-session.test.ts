// Sessions, locks with lock-delay, and transactions, driven by the npm `consul` client:
// consul-api.md §5 and §6.
import t from 'tap';
import { eventually, stays } from '@berth/daemon/testing';
import { harness, statusOf } from './helpers.js';

interface Session {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: string;
  TTL: string;
  NodeChecks: string[];
  CreateIndex: number;
}

t.test('session create/info/list/node/renew/destroy', async (t) => {
  const { consul, http } = await harness(t);
  const { ID } = (await consul.session.create({ name: 'leader', ttl: '15s' } as never)) as {
    ID: string;
  };
  t.match(ID, /^[0-9a-f-]{36}$/);
  const info = (await consul.session.info(ID)) as Session;
  t.match(info, {
    ID,
    Name: 'leader',
    Node: 'node1',
    LockDelay: 15e9,
    Behavior: 'release',
    TTL: '15s',
    NodeChecks: ['serfHealth'],
  });
  t.ok(info.CreateIndex > 0);
  t.same(
    ((await consul.session.list()) as Session[]).map((s) => s.ID),
    [ID],
  );
  t.same(
    ((await consul.session.node('node1')) as Session[]).map((s) => s.ID),
    [ID],
  );
  t.same(await consul.session.node('ghost'), [], 'unknown node: []');
  const renewed = (await consul.session.renew(ID)) as Session[];
  t.equal(renewed[0]?.ID, ID);
  const missing = await consul.session
    .renew('00000000-0000-0000-0000-000000000000')
    .catch((e: unknown) => e);
  t.equal(statusOf(missing), 404);
  t.equal(await consul.session.destroy(ID), undefined, 'resolved (node-consul drops the body)');
  t.equal(await consul.session.info(ID), undefined);
  const again = await http(`/session/destroy/${ID}`, { method: 'PUT' });
  t.equal(await again.text(), 'true', 'destroy is idempotent');
  const cases = [
    { name: 'TTL too short', input: { TTL: '5s' }, want: 500 },
    { name: 'TTL too long', input: { TTL: '25h' }, want: 500 },
    { name: 'bad behavior', input: { Behavior: 'explode' }, want: 500 },
    { name: 'unknown node', input: { Node: 'ghost' }, want: 500 },
    { name: 'unknown check', input: { Checks: ['nope'] }, want: 500 },
    { name: 'empty checks replace the default', input: { Checks: [] }, want: 200 },
    { name: 'numeric lock delay in seconds', input: { LockDelay: 5 }, want: 200 },
    {
      name: 'python-style lowercase',
      input: { name: 'py', lockdelay: '15s', behavior: 'delete', ttl: '10s' },
      want: 200,
    },
  ];
  for (const c of cases) {
    const r = await http('/session/create', { method: 'PUT', body: JSON.stringify(c.input) });
    t.equal(r.status, c.want, c.name);
  }
  const empty = await http('/session/create', { method: 'PUT' });
  t.equal(empty.status, 200, 'empty body');
  const sessions = (await consul.session.list()) as Session[];
  t.ok(
    sessions.some((s) => s.NodeChecks.length === 0),
    'Checks: [] kept',
  );
  t.ok(
    sessions.some((s) => s.LockDelay === 5e9),
    'LockDelay 5 -> 5s',
  );
});

t.test('locks: acquire, release, LockIndex, lock-delay, behavior delete', async (t) => {
  const { consul, http } = await harness(t);
  const a = ((await consul.session.create({ lockdelay: '500ms' } as never)) as { ID: string }).ID;
  const b = ((await consul.session.create({})) as { ID: string }).ID;
  const put = async (q: string, body = 'v'): Promise<string> =>
    (await http(`/kv/service%2Fleader?${q}`, { method: 'PUT', body })).text();
  t.equal(await put(`acquire=${a}`, 'A'), 'true');
  t.equal(await put(`acquire=${b}`, 'B'), 'false', 'held by another session');
  let e = (await consul.kv.get('service/leader')) as {
    Session?: string;
    LockIndex: number;
    Value: string;
  };
  t.match(e, { Session: a, LockIndex: 1, Value: 'A' });
  const bad = await http('/kv/x?acquire=00000000-0000-0000-0000-000000000000', { method: 'PUT' });
  t.equal(bad.status, 500, 'acquire with an unknown session');
  await consul.session.destroy(a);
  e = (await consul.kv.get('service/leader')) as typeof e;
  t.notOk(e.Session, 'invalidation released the lock');
  t.equal(e.LockIndex, 1, 'LockIndex kept');
  t.equal(await put(`acquire=${b}`), 'false', 'lock-delay after invalidation');
  await eventually(
    'acquire after the lock-delay',
    async () => (await put(`acquire=${b}`, 'B')) === 'true',
  );
  e = (await consul.kv.get('service/leader')) as typeof e;
  t.equal(e.LockIndex, 2);
  t.equal(await put(`release=${b}`, 'bye'), 'true');
  e = (await consul.kv.get('service/leader')) as typeof e;
  t.equal(e.Value, 'bye', 'release writes the body');
  t.equal(await put(`acquire=${b}`), 'true', 'no lock-delay after an explicit release');
  const d = ((await consul.session.create({ behavior: 'delete' } as never)) as { ID: string }).ID;
  t.equal(
    await (await http(`/kv/ephemeral?acquire=${d}`, { method: 'PUT', body: 'x' })).text(),
    'true',
  );
  await consul.session.destroy(d);
  t.equal(await consul.kv.get('ephemeral'), undefined, 'behavior delete removes the key');
});

t.test('session TTL expiry invalidates (scaled multiplier)', async (t) => {
  // Consul's minimum TTL is 10 s and expiry is 2×TTL; the test scales the multiplier down.
  const { consul } = await harness(t, { sessionTtlMultiplier: 0.05 });
  const id = (
    (await consul.session.create({ ttl: '10s', lockdelay: '1ms' } as never)) as { ID: string }
  ).ID;
  await consul.kv.set({ key: 'held', value: 'x', acquire: id } as never);
  // Expiry comes 500 ms after creation or renewal (scaled): alive at 300 ms, renewed, alive
  // 350 ms later (650 ms after creation), then it lapses.
  const alive = async (): Promise<boolean> => (await consul.session.info(id)) !== undefined;
  await stays('alive before its TTL', alive, { periodMs: 300 });
  await consul.session.renew(id);
  await stays('renew restarted the timer', alive, { periodMs: 350 });
  await eventually('expired after TTL × multiplier', async () => !(await consul.session.info(id)), {
    timeoutMs: 5000,
  });
  t.notOk(((await consul.kv.get('held')) as { Session?: string }).Session, 'its lock released');
});

t.test('txn: results, 409 with every error and nothing applied, limits', async (t) => {
  const { consul, http } = await harness(t);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const ok = (await consul.transaction.create([
    { KV: { Verb: 'set', Key: 'tx/a', Value: b64('1') } },
    { KV: { Verb: 'set', Key: 'tx/b', Value: b64('2'), Flags: 7 } },
    { KV: { Verb: 'get', Key: 'tx/a' } },
    { KV: { Verb: 'delete', Key: 'tx/none' } },
  ] as never)) as unknown as { Results: { KV: Record<string, unknown> }[]; Errors: null };
  t.equal(ok.Errors, null);
  t.equal(ok.Results.length, 3, 'delete adds no result');
  t.match(ok.Results[0]?.KV, {
    Key: 'tx/a',
    Value: null,
    LockIndex: 0,
    Flags: 0,
    CreateIndex: Number,
    ModifyIndex: Number,
  });
  t.equal(ok.Results[2]?.KV.Value, b64('1'), 'get returns the value');
  t.equal(ok.Results[0]?.KV.ModifyIndex, ok.Results[1]?.KV.ModifyIndex, 'one index for all');
  const failed = await http('/txn', {
    method: 'PUT',
    body: JSON.stringify([
      { KV: { Verb: 'set', Key: 'tx/c', Value: b64('3') } },
      { KV: { Verb: 'cas', Key: 'tx/a', Value: b64('x'), Index: 1 } },
      { KV: { Verb: 'lock', Key: 'tx/a', Session: 'nope' } },
      { KV: { Verb: 'get', Key: 'tx/missing' } },
      { KV: { Verb: 'delete-cas', Key: 'tx/b', Index: 1 } },
    ]),
  });
  t.equal(failed.status, 409);
  t.equal(failed.headers.get('content-type'), 'application/json');
  const body = (await failed.json()) as {
    Results: null;
    Errors: { OpIndex: number; What: string }[];
  };
  t.equal(body.Results, null);
  t.same(
    body.Errors.map((e) => e.OpIndex),
    [1, 2, 3, 4],
  );
  t.equal(body.Errors[0]?.What, 'failed to set key "tx/a", index is stale');
  t.equal(body.Errors[2]?.What, 'key "tx/missing" doesn\'t exist');
  t.equal(body.Errors[3]?.What, 'failed to delete key "tx/b", index is stale');
  t.equal(await consul.kv.get('tx/c'), undefined, 'nothing applied');
  const tooMany = Array.from({ length: 129 }, (_, i) => ({
    KV: { Verb: 'set', Key: `k${i}`, Value: '' },
  }));
  const r413 = await http('/txn', { method: 'PUT', body: JSON.stringify(tooMany) });
  t.equal(r413.status, 413);
  t.equal(await r413.text(), 'Transaction contains too many operations (129 > 128)');
  const r128 = await http('/txn', { method: 'PUT', body: JSON.stringify(tooMany.slice(0, 128)) });
  t.equal(r128.status, 200, '128 operations accepted');
  const parse = await http('/txn', { method: 'PUT', body: '[{"KV":' });
  t.equal(parse.status, 400);
  t.match(await parse.text(), /^Failed to parse body: /);
  const unlock = await http('/txn', {
    method: 'PUT',
    body: JSON.stringify([{ KV: { Verb: 'unlock', Key: 'tx/a', Session: 'x' } }]),
  });
  t.same(
    ((await unlock.json()) as { Errors: { What: string }[] }).Errors[0]?.What,
    'failed to unlock key "tx/a", lock isn\'t held, or is held by another session',
  );
  const sid = ((await consul.session.create({})) as { ID: string }).ID;
  await http('/txn', {
    method: 'PUT',
    body: JSON.stringify([{ KV: { Verb: 'lock', Key: 'tx/l', Session: sid } }]),
  });
  const other = ((await consul.session.create({})) as { ID: string }).ID;
  const held = await http('/txn', {
    method: 'PUT',
    body: JSON.stringify([{ KV: { Verb: 'lock', Key: 'tx/l', Session: other } }]),
  });
  t.same(
    ((await held.json()) as { Errors: { What: string }[] }).Errors[0]?.What,
    'failed to lock key "tx/l", lock is already held',
  );
});
