// Issue 3 follow-up, point 2 (fan-out cost on the writer): WatchHub.notify only queues; the
// blocked queries are answered on later event-loop turns, in chunks, with no lost wake-up and
// answers that never go back. Unit tests of the hub, then the writer's latency over HTTP with
// thousands of blocked watchers.
import { Agent, request } from 'node:http';
import t from 'tap';
import type { Change, Table } from '../src/core/types.js';
import { WatchHub, type Waiter } from '../src/engine/watch-hub.js';
import { blockedQueries, harness } from './helpers.js';

function change(index: number, tables: Table[], kvKeys: string[] = []): Change {
  return {
    index,
    tables: new Set(tables),
    kvKeys,
    serviceNames: new Set(),
    sessionsDestroyed: [],
    sessionsCreated: [],
    checks: [],
  };
}

/** A waiter on `key` that answers once the "store" index passes `min`. */
function kvWaiter(
  store: { index: number },
  key: string,
  min: number,
  answers: { key: string; index: number }[],
): Waiter {
  return {
    tables: ['kv'],
    concerns: (c) => c.kvKeys.includes(key),
    wake: () => {
      if (store.index <= min) return false;
      answers.push({ key, index: store.index });
      return true;
    },
  };
}

t.test('notify never wakes synchronously; all concerned waiters answered later', async (t) => {
  const store = { index: 1 };
  const hub = new WatchHub({ chunk: 10 });
  const answers: { key: string; index: number }[] = [];
  for (let i = 0; i < 95; i++) hub.add(kvWaiter(store, i % 2 === 0 ? 'a' : 'b', 1, answers));
  store.index = 2;
  hub.notify(change(2, ['kv'], ['a']));
  t.equal(answers.length, 0, 'nothing answered inside notify (the writer goes first)');
  t.ok(hub.busy, 'a fan-out is pending');
  await hub.settled();
  t.equal(answers.length, 48, 'every waiter on the written key answered');
  t.ok(
    answers.every((a) => a.key === 'a' && a.index === 2),
    'only the concerned ones',
  );
  t.equal(hub.size, 47, 'the others still wait');
  t.notOk(hub.busy);
});

t.test('the fan-out is chunked: other I/O runs between chunks', async (t) => {
  const store = { index: 5 };
  const hub = new WatchHub({ chunk: 100 });
  const answers: { key: string; index: number }[] = [];
  for (let i = 0; i < 1000; i++) hub.add(kvWaiter(store, 'k', 4, answers));
  const progress: number[] = [];
  hub.notify(change(5, ['kv'], ['k']));
  // setImmediate callbacks queued now run between the hub's chunks.
  const probe = (): void => {
    progress.push(answers.length);
    if (answers.length < 1000 && progress.length < 50) setImmediate(probe);
  };
  setImmediate(probe);
  await hub.settled();
  t.equal(answers.length, 1000);
  const partial = progress.filter((n) => n > 0 && n < 1000);
  t.ok(partial.length >= 5, `observed ${partial.length} turns with a partial fan-out`);
});

t.test('no lost wake-up: a change during a pass is seen; answers follow the state', async (t) => {
  const cases = [
    {
      name: 'change notified while a pass is running',
      input: { waiters: 300, chunk: 16, bumpAt: 40 },
      want: { answered: 300 },
    },
    {
      name: 'change notified before the first pass ran (coalesced)',
      input: { waiters: 50, chunk: 16, bumpAt: 0 },
      want: { answered: 50 },
    },
  ];
  for (const c of cases) {
    const store = { index: 10 };
    const hub = new WatchHub({ chunk: c.input.chunk });
    const answers: { key: string; index: number }[] = [];
    // Half wait on x (changed first), half on y (changed by the second write, mid-pass).
    for (let i = 0; i < c.input.waiters; i++) {
      hub.add(kvWaiter(store, i % 2 === 0 ? 'x' : 'y', 10, answers));
    }
    store.index = 11;
    hub.notify(change(11, ['kv'], ['x']));
    if (c.input.bumpAt === 0) {
      store.index = 12;
      hub.notify(change(12, ['kv'], ['y']));
    } else {
      await new Promise<void>((resolve) => {
        const poll = (): void => {
          if (answers.length >= c.input.bumpAt) {
            store.index = 12;
            hub.notify(change(12, ['kv'], ['y']));
            resolve();
          } else setImmediate(poll);
        };
        poll();
      });
    }
    await hub.settled();
    t.equal(answers.length, c.want.answered, `${c.name}: every waiter answered`);
    t.ok(
      answers.filter((a) => a.key === 'y').every((a) => a.index === 12),
      `${c.name}: y waiters saw the second write`,
    );
    let last = 0;
    const monotonic = answers.every((a) => {
      const ok = a.index >= last;
      last = a.index;
      return ok;
    });
    t.ok(monotonic, `${c.name}: answers in order, never older than an earlier answer`);
  }
});

t.test('a waiter removed before its turn (timeout, client gone) is skipped', async (t) => {
  const store = { index: 1 };
  const hub = new WatchHub({ chunk: 1 });
  const answers: { key: string; index: number }[] = [];
  const ws = [0, 1, 2].map(() => kvWaiter(store, 'k', 1, answers));
  for (const w of ws) hub.add(w);
  store.index = 2;
  hub.notify(change(2, ['kv'], ['k']));
  hub.remove(ws[2] as Waiter);
  await hub.settled();
  t.equal(answers.length, 2);
  t.equal(hub.size, 0);
});

t.test('a write is acknowledged before thousands of blocked watchers are answered', async (t) => {
  const { http, running } = await harness(t);
  await http('/kv/hot', { method: 'PUT', body: '1' });
  const idx = Number((await http('/kv/hot')).headers.get('x-consul-index'));
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  t.teardown(() => agent.destroy());
  const N = 2000;
  let answered = 0;
  const done: Promise<number>[] = [];
  for (let i = 0; i < N; i++) {
    done.push(
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: running.address.port,
            path: `/v1/kv/hot?index=${idx}&wait=30s`,
            agent,
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              answered++;
              resolve(Number(res.headers['x-consul-index']));
            });
          },
        );
        req.on('error', reject);
        req.end();
      }),
    );
  }
  await blockedQueries(running, N);
  t.equal(running.catalog.hub.size, N, 'all watchers blocked');
  const put = await http('/kv/hot', { method: 'PUT', body: '2' });
  const answeredAtAck = answered;
  t.equal(await put.text(), 'true');
  t.ok(
    answeredAtAck < N / 4,
    `the PUT was acknowledged when ${answeredAtAck} of ${N} watchers had their answer`,
  );
  const indexes = await Promise.all(done);
  t.ok(
    indexes.every((i) => i > idx),
    'then every watcher got the new index',
  );
  t.equal(running.catalog.hub.size, 0);
});
