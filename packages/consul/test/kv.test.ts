import t from 'tap';
import {
  createConsul,
  TxnFailedError,
  TxnTooLargeError,
  type ConsulClient,
  type TxnOp,
} from '../src/index.js';
import { countingProxy, type CountingProxy } from './helpers/counting-proxy.js';
import { testCatalog, type TestCatalog } from './helpers/catalog.js';

let catalog: TestCatalog;
let proxy: CountingProxy;
let consul: ConsulClient;

t.before(async () => {
  catalog = await testCatalog();
  proxy = await countingProxy(catalog.url);
  consul = createConsul({ url: proxy.url });
});
t.teardown(async () => {
  consul.close();
  await proxy.close();
  await catalog.close();
});

t.test('get / set / keys / getTree / delete', async (t) => {
  const kv = consul.kv;
  t.equal(await kv.get('app/missing'), undefined, 'absent → undefined');
  t.strictSame(await kv.getTree('app/'), [], 'empty tree → []');
  t.strictSame(await kv.keys('app/'), [], 'no keys → []');
  t.equal(await kv.set('app/a', 'one'), true);
  t.equal(await kv.set('app/b/c', 'two', { flags: 42 }), true);
  t.equal(await kv.set('app/empty', ''), true);
  const a = await kv.get('app/a');
  t.match(a, { key: 'app/a', value: 'one', flags: 0, lockIndex: 0, session: undefined });
  t.ok(a && a.modifyIndex > 0 && a.createIndex > 0, 'indexes');
  t.match(await kv.get('app/b/c'), { value: 'two', flags: 42 });
  t.equal((await kv.get('app/empty'))?.value, null, 'empty value reads as null');
  t.strictSame(await kv.keys('app/'), ['app/a', 'app/b/c', 'app/empty']);
  t.strictSame(await kv.keys('app/', '/'), ['app/a', 'app/b/', 'app/empty'], 'separator rolls up');
  t.strictSame(
    (await kv.getTree('app/')).map((e) => [e.key, e.value]),
    [
      ['app/a', 'one'],
      ['app/b/c', 'two'],
      ['app/empty', null],
    ],
  );
  t.equal(await kv.delete('app/b', { recurse: true }), true);
  t.strictSame(await kv.keys('app/'), ['app/a', 'app/empty']);
  t.equal(await kv.delete('app/a'), true);
  t.equal(await kv.get('app/a'), undefined);
  t.equal(
    await kv.get(`app/${'weird key ?#%/x'}`),
    undefined,
    'keys with reserved characters are encoded',
  );
  t.equal(await kv.set('app/weird ?#%', 'w'), true);
  t.equal((await kv.get('app/weird ?#%'))?.value, 'w');
});

t.test('cas', async (t) => {
  const kv = consul.kv;
  const cases: { name: string; input: () => Promise<boolean>; want: boolean }[] = [
    { name: 'cas 0 creates when absent', input: () => kv.cas('cas/k', 'v1', 0), want: true },
    { name: 'cas 0 refuses when present', input: () => kv.cas('cas/k', 'v2', 0), want: false },
    {
      name: 'cas at the current index writes',
      input: async () => kv.cas('cas/k', 'v3', (await kv.get('cas/k'))!.modifyIndex),
      want: true,
    },
    {
      name: 'cas at a stale index fails',
      input: async () => kv.cas('cas/k', 'v4', (await kv.get('cas/k'))!.modifyIndex - 1),
      want: false,
    },
    {
      name: 'delete with a stale cas fails',
      input: async () => kv.delete('cas/k', { cas: (await kv.get('cas/k'))!.modifyIndex - 1 }),
      want: false,
    },
  ];
  for (const c of cases) t.equal(await c.input(), c.want, c.name);
  t.equal((await kv.get('cas/k'))?.value, 'v3', 'only the winning writes landed');

  // Two writers race from the same read: exactly one wins.
  const seen = (await kv.get('cas/k'))!.modifyIndex;
  const results = await Promise.all([kv.cas('cas/k', 'x', seen), kv.cas('cas/k', 'y', seen)]);
  t.strictSame(results.filter(Boolean).length, 1, 'one CAS winner');
});

t.test('json helpers', async (t) => {
  const kv = consul.kv;
  t.equal(await kv.setJson('json/a', { n: 1, list: ['x'] }), true);
  const got = await kv.getJson<{ n: number; list: string[] }>('json/a');
  t.strictSame(got?.value, { n: 1, list: ['x'] });
  t.equal(await kv.casJson('json/a', { n: 2 }, got!.entry.modifyIndex), true);
  t.equal(await kv.casJson('json/a', { n: 3 }, got!.entry.modifyIndex), false, 'stale');
  t.strictSame((await kv.getJson('json/a'))?.value, { n: 2 });
  t.equal(await kv.getJson('json/none'), undefined);
  await kv.set('json/bad', '{nope');
  await t.rejects(kv.getJson('json/bad'), { code: 'CONSUL_KV_BAD_JSON' });
});

t.test('txn: 150 ops go as 64 + 64 + 22', async (t) => {
  const ops: TxnOp[] = Array.from({ length: 150 }, (_, i) => ({
    verb: 'set',
    key: `txn/k${String(i).padStart(3, '0')}`,
    value: `v${i}`,
  }));
  proxy.reset();
  const results = await consul.kv.txn(ops);
  t.equal(proxy.count('/v1/txn'), 3, 'three transactions');
  t.equal(results.length, 150, 'one result per set');
  t.strictSame(
    await consul.kv.keys('txn/'),
    ops.map((o) => o.key),
  );
  t.equal((await consul.kv.get('txn/k149'))?.value, 'v149');
});

t.test('txnAtomic refuses more than 64 ops before sending anything', async (t) => {
  const ops: TxnOp[] = Array.from({ length: 65 }, (_, i) => ({
    verb: 'set',
    key: `big/${i}`,
    value: 'x',
  }));
  proxy.reset();
  await t.rejects(consul.kv.txnAtomic(ops), TxnTooLargeError);
  await t.rejects(consul.kv.txnAtomic(ops), { code: 'CONSUL_TXN_TOO_LARGE', ops: 65, max: 64 });
  t.equal(proxy.count('/v1/txn'), 0, 'nothing sent');
  const ok = await consul.kv.txnAtomic(ops.slice(0, 64));
  t.equal(ok.length, 64, '64 is fine');
});

t.test('txnAtomic rolls back as a whole', async (t) => {
  await consul.kv.set('atomic/x', 'old');
  const x = (await consul.kv.get('atomic/x'))!;
  const err = await consul.kv
    .txnAtomic([
      { verb: 'set', key: 'atomic/y', value: 'new' },
      { verb: 'cas', key: 'atomic/x', value: 'new', index: x.modifyIndex + 1000 },
    ])
    .catch((e: unknown) => e);
  t.type(err, TxnFailedError);
  t.match(err, { code: 'CONSUL_TXN_FAILED', committedBatches: 0, errors: [{ opIndex: 1 }] });
  t.equal(await consul.kv.get('atomic/y'), undefined, 'nothing applied');
  const got = await consul.kv.txnAtomic([
    { verb: 'get', key: 'atomic/x' },
    { verb: 'check-index', key: 'atomic/x', index: x.modifyIndex },
  ]);
  t.equal(got[0]?.value, 'old', 'get returns the value');
});

t.test(
  'txn: a failing batch leaves earlier batches committed and sends no later ones',
  async (t) => {
    const ops: TxnOp[] = Array.from({ length: 150 }, (_, i) => ({
      verb: 'set',
      key: `part/k${String(i).padStart(3, '0')}`,
      value: 'v',
    }));
    // op 70 (in batch 2) is a CAS that must fail.
    ops[70] = { verb: 'cas', key: 'part/never', value: 'v', index: 999999 };
    proxy.reset();
    const err = await consul.kv.txn(ops).catch((e: unknown) => e);
    t.type(err, TxnFailedError);
    t.match(err, { committedBatches: 1, committedOps: 64, errors: [{ opIndex: 70 }] });
    t.equal(proxy.count('/v1/txn'), 2, 'third batch not sent');
    const keys = await consul.kv.keys('part/');
    t.equal(keys.length, 64, 'first batch committed, second rolled back');
    t.equal(keys.at(-1), 'part/k063');
  },
);
