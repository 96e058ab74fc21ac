import t from 'tap';
import { createConsul, LeaderLock, LockError, type ConsulClient } from '../src/index.js';
import { sleep } from '@berth/daemon';
import { eventually, stays } from '@berth/daemon/testing';
import { testCatalog, type TestCatalog } from './helpers/catalog.js';

let catalog: TestCatalog;
let consul: ConsulClient;

t.before(async () => {
  catalog = await testCatalog();
  consul = createConsul({ url: catalog.url });
});
t.teardown(async () => {
  consul.close();
  await catalog.close();
});

const opts = { ttlMs: 10_000, lockDelayMs: 300, waitMs: 5000, backoff: { baseMs: 20, maxMs: 100 } };

t.test('acquire, then handover to a waiting locker on release', async (t) => {
  const a = new LeaderLock(consul, { ...opts, key: 'locks/handover', value: 'a' });
  const b = new LeaderLock(consul, { ...opts, key: 'locks/handover', value: 'b' });
  const held = await a.acquire();
  t.ok(a.held && !held.aborted);
  const entry = await consul.kv.get('locks/handover');
  t.match(entry, { value: 'a', session: a.session, lockIndex: 1 });

  let bHeld = false;
  const bWaits = b.acquire().then((s) => {
    bHeld = true;
    return s;
  });
  await stays('b waits while a holds', () => !bHeld, { periodMs: 200 }).catch(() => {});
  t.notOk(bHeld, 'b waits while a holds');
  t.notOk(await b.tryAcquire(), 'tryAcquire fails while held');

  const t0 = Date.now();
  await a.release();
  t.ok(held.aborted, 'a hold signal aborted on release');
  t.match(held.reason, { code: 'LOCK_RELEASED' });
  const bSignal = await bWaits;
  t.comment(`b took over ${Date.now() - t0} ms after the release (release has no lock-delay)`);
  t.ok(b.held && !bSignal.aborted);
  t.match(await consul.kv.get('locks/handover'), { value: 'b', session: b.session });
  await b.close();
  t.equal((await consul.kv.get('locks/handover'))?.session, undefined, 'released on close');
  await t.rejects(b.acquire(), { code: 'CONSUL_ABORTED' }, 'closed lock refuses to acquire');
});

t.test(
  'lost promptly when the session is destroyed; the other locker takes over after lock-delay',
  async (t) => {
    const a = new LeaderLock(consul, { ...opts, key: 'locks/lost' });
    const b = new LeaderLock(consul, { ...opts, key: 'locks/lost' });
    const held = await a.acquire();
    const lost = new Promise<LockError>((resolve) => a.once('lost', resolve));
    const bAcquired = b.acquire();
    await sleep(100); // choreography: b is following the key with a blocking read
    const t0 = Date.now();
    await consul.sessionDestroy(a.session!);
    const err = await lost;
    const lostMs = Date.now() - t0;
    t.comment(`lost noticed ${lostMs} ms after the session was destroyed`);
    t.type(err, LockError);
    t.equal(err.code, 'LOCK_SESSION_INVALIDATED');
    t.ok(held.aborted && !a.held, 'hold signal aborted');
    await bAcquired;
    const tookMs = Date.now() - t0;
    t.ok(tookMs >= 250, `b waited for the lock-delay (${tookMs} ms)`);
    t.comment(`then acquired after ${tookMs} ms`);
    t.ok(b.held);
    await b.release();
    await a.close();
  },
);

t.test('lost when another writer takes or deletes the key', async (t) => {
  const cases: { name: string; input: (l: LeaderLock) => Promise<unknown>; want: string }[] = [
    { name: 'key deleted', input: () => consul.kv.delete('locks/taken'), want: 'LOCK_KEY_TAKEN' },
    {
      name: 'key released by someone else with our session',
      input: (l) => consul.kvPut('locks/taken', '', { release: l.session! }),
      want: 'LOCK_SESSION_INVALIDATED',
    },
  ];
  for (const c of cases) {
    const l = new LeaderLock(consul, { ...opts, key: 'locks/taken' });
    const held = await l.acquire();
    const lost = new Promise<LockError>((resolve) => l.once('lost', resolve));
    await c.input(l);
    t.equal((await lost).code, c.want, c.name);
    t.ok(held.aborted, `${c.name}: signal aborted`);
    await l.close();
  }
});

t.test('lost when Consul is unreachable past lostAfterMs', async (t) => {
  const local = await testCatalog();
  const c = createConsul({ url: local.url });
  t.teardown(() => c.close());
  const l = new LeaderLock(c, { ...opts, key: 'locks/unreachable', lostAfterMs: 400 });
  const held = await l.acquire();
  const lost = new Promise<LockError>((resolve) => l.once('lost', resolve));
  const t0 = Date.now();
  await local.close();
  const err = await lost;
  const ms = Date.now() - t0;
  t.equal(err.code, 'LOCK_CONSUL_UNREACHABLE');
  t.ok(ms >= 350, `not given up before lostAfterMs (after ${ms} ms)`);
  t.ok(held.aborted);
  await eventually('the lock no longer held', () => !l.held);
  await l.close().catch(() => undefined); // Consul is gone; close must not hang
});

t.test('options are validated', async (t) => {
  const cases: {
    name: string;
    input: ConstructorParameters<typeof LeaderLock>[1];
    want: RegExp;
  }[] = [
    { name: 'empty key', input: { key: '' }, want: /key/ },
    { name: 'leading slash', input: { key: '/x' }, want: /key/ },
    { name: 'ttl too short', input: { key: 'x', ttlMs: 5000 }, want: /ttlMs/ },
    { name: 'negative lock delay', input: { key: 'x', lockDelayMs: -1 }, want: /lockDelayMs/ },
  ];
  for (const c of cases) {
    t.throws(
      () => new LeaderLock(consul, c.input),
      { code: 'CONSUL_BAD_OPTION', message: c.want },
      c.name,
    );
  }
});
