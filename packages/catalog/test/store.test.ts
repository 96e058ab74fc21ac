// Unit tests of the pure state store: KV semantics, txn atomicity, sessions, checks, indexes.
import t from 'tap';
import { Store } from '../src/core/store.js';
import { kvGet, kvKeys, kvList, healthService, catalogServices } from '../src/core/queries.js';
import type { CheckInput, Op, ServiceInput } from '../src/core/types.js';
import { StateError, NotFoundError } from '../src/errors.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const set = (key: string, v: string, extra: Partial<Extract<Op, { t: 'kv-set' }>> = {}): Op => ({
  t: 'kv-set',
  key,
  value: b64(v),
  flags: '0',
  ...extra,
});

function withNode(): Store {
  const s = new Store();
  s.apply(
    {
      t: 'node-register',
      node: { id: 'id1', node: 'n1', address: '127.0.0.1', taggedAddresses: {}, meta: {} },
    },
    0,
  );
  s.apply({ t: 'check-register', node: 'n1', check: check('serfHealth', '', 'passing') }, 0);
  return s;
}

function check(
  id: string,
  serviceId: string,
  status: CheckInput['status'],
  kind: 'ttl' | 'none' = 'none',
): CheckInput {
  return {
    checkId: id,
    name: id,
    status,
    statusGiven: true,
    notes: '',
    output: '',
    serviceId,
    type: kind === 'ttl' ? 'ttl' : '',
    definition:
      kind === 'ttl'
        ? {
            kind: 'ttl',
            http: '',
            method: '',
            header: null,
            body: '',
            tlsSkipVerify: false,
            tlsServerName: '',
            tcp: '',
            intervalNs: 0,
            timeoutNs: 0,
            ttlNs: 10e9,
            deregisterCriticalServiceAfterNs: 0,
          }
        : null,
  };
}

function service(id: string, name: string, tags: string[] = []): ServiceInput {
  return {
    id,
    service: name,
    tags,
    address: '',
    port: 80,
    meta: {},
    taggedAddresses: null,
    weights: { passing: 1, warning: 1 },
    enableTagOverride: false,
    kind: '',
    proxy: null,
    connect: null,
  };
}

t.test('kv set: cas, acquire, release, flags (table)', async (t) => {
  const cases: {
    name: string;
    setup: (s: Store) => void;
    input: Op;
    want: boolean;
    check?: (s: Store) => void;
  }[] = [
    { name: 'plain set on missing key', setup: () => {}, input: set('k', 'v'), want: true },
    {
      name: 'cas=0 creates a missing key',
      setup: () => {},
      input: set('k', 'v', { cas: 0 }),
      want: true,
    },
    {
      name: 'cas=0 refuses an existing key',
      setup: (s) => s.apply(set('k', 'a'), 0),
      input: set('k', 'v', { cas: 0 }),
      want: false,
    },
    {
      name: 'cas=N matches ModifyIndex',
      setup: (s) => s.apply(set('k', 'a'), 0),
      input: set('k', 'v', { cas: 1 }),
      want: true,
    },
    {
      name: 'cas=N stale',
      setup: (s) => {
        s.apply(set('k', 'a'), 0);
        s.apply(set('k', 'b'), 0);
      },
      input: set('k', 'v', { cas: 1 }),
      want: false,
    },
    {
      name: 'cas=N on a missing key',
      setup: () => {},
      input: set('k', 'v', { cas: 7 }),
      want: false,
    },
    {
      name: 'uint64 flags kept exactly',
      setup: () => {},
      input: set('k', 'v', { flags: '18446744073709551615' }),
      want: true,
      check: (s) => t.equal(kvGet(s.state, 'k').value?.flags, '18446744073709551615'),
    },
    {
      name: 'release by a non-holder is false',
      setup: () => {},
      input: set('k', 'v', { release: 'nobody' }),
      want: false,
    },
  ];
  for (const c of cases) {
    const s = new Store();
    c.setup(s);
    const before = s.state.index;
    const { result, change } = s.apply(c.input, 0);
    t.equal(result, c.want, c.name);
    if (!c.want) t.equal(s.state.index, before, `${c.name}: a failed write raises no index`);
    if (c.want) t.ok(change, `${c.name}: change reported`);
    c.check?.(s);
  }
});

t.test('acquire/release and lock-delay', async (t) => {
  const s = withNode();
  s.apply({ t: 'session-create', session: sess('s1', 15e9) }, 1000);
  s.apply({ t: 'session-create', session: sess('s2', 15e9) }, 1000);
  t.throws(
    () => s.apply(set('lock', 'x', { acquire: 'nope' }), 1000),
    StateError,
    'unknown session',
  );
  t.equal(s.apply(set('lock', 'a', { acquire: 's1' }), 1000).result, true);
  t.equal(kvGet(s.state, 'lock').value?.lockIndex, 1);
  t.equal(s.apply(set('lock', 'b', { acquire: 's1' }), 1000).result, true, 'same holder');
  t.equal(kvGet(s.state, 'lock').value?.lockIndex, 1, 'LockIndex unchanged for the holder');
  t.equal(s.apply(set('lock', 'c', { acquire: 's2' }), 1000).result, false, 'held by another');
  t.equal(s.apply(set('lock', 'plain'), 1000).result, true, 'plain set on a locked key');
  t.equal(kvGet(s.state, 'lock').value?.session, 's1', 'plain set keeps the session');
  t.equal(s.apply(set('lock', 'r', { release: 's1' }), 1000).result, true);
  t.equal(kvGet(s.state, 'lock').value?.session, '', 'released');
  t.equal(kvGet(s.state, 'lock').value?.value, b64('r'), 'release writes the body');
  t.equal(
    s.apply(set('lock', 'd', { acquire: 's2' }), 1000).result,
    true,
    'no delay after release',
  );
  t.equal(kvGet(s.state, 'lock').value?.lockIndex, 2);
  s.apply({ t: 'session-destroy', id: 's2' }, 2000);
  t.equal(kvGet(s.state, 'lock').value?.session, '', 'invalidation releases');
  t.equal(s.apply(set('lock', 'e', { acquire: 's1' }), 2000 + 14_999).result, false, 'lock-delay');
  t.equal(s.apply(set('lock', 'e', { acquire: 's1' }), 2000 + 15_001).result, true, 'delay over');
});

function sess(id: string, lockDelayNs: number, behavior: 'release' | 'delete' = 'release') {
  return {
    id,
    name: id,
    node: 'n1',
    lockDelayNs,
    behavior,
    ttl: '',
    nodeChecks: ['serfHealth'],
    serviceChecks: null,
  };
}

t.test(
  'session behavior delete, critical check invalidation, node checks validation',
  async (t) => {
    const s = withNode();
    s.apply({ t: 'session-create', session: sess('d', 0, 'delete') }, 0);
    s.apply(set('x', '1', { acquire: 'd' }), 0);
    s.apply({ t: 'session-destroy', id: 'd' }, 0);
    t.equal(kvGet(s.state, 'x').value, undefined, 'delete behavior removes held keys');
    t.throws(
      () => s.apply({ t: 'session-create', session: { ...sess('z', 0), node: 'ghost' } }, 0),
      StateError,
      'unknown node',
    );
    s.apply({ t: 'check-register', node: 'n1', check: check('c1', '', 'passing') }, 0);
    s.apply(
      { t: 'session-create', session: { ...sess('w', 0), nodeChecks: ['serfHealth', 'c1'] } },
      0,
    );
    s.apply({ t: 'check-status', node: 'n1', id: 'c1', status: 'critical', output: 'x' }, 0);
    t.notOk(s.state.sessions.has('w'), 'a critical check invalidates its sessions');
    t.throws(
      () => s.apply({ t: 'session-create', session: { ...sess('v', 0), nodeChecks: ['c1'] } }, 0),
      StateError,
      'a critical check refuses session creation',
    );
  },
);

t.test('kv delete and prefix indexes (deletes raise the index)', async (t) => {
  const s = new Store();
  s.apply(set('a/1', 'x'), 0);
  s.apply(set('a/2', 'x'), 0);
  s.apply(set('b/1', 'x'), 0);
  t.equal(kvList(s.state, 'a/').index, 2);
  const del = s.apply({ t: 'kv-delete', key: 'a/2', recurse: false }, 0);
  t.equal(del.result, true);
  t.equal(kvList(s.state, 'a/').index, 4, 'prefix index includes the delete');
  t.equal(kvGet(s.state, 'a/2').index, 4, 'missing key reports the KV table index');
  t.equal(s.apply({ t: 'kv-delete', key: 'nope', recurse: false }, 0).change, null, 'no-op delete');
  t.equal(s.apply({ t: 'kv-delete', key: 'a/1', recurse: false, cas: 99 }, 0).result, false);
  t.equal(s.apply({ t: 'kv-delete', key: 'missing', recurse: false, cas: 99 }, 0).result, true);
  s.apply({ t: 'kv-delete', key: '', recurse: true }, 0);
  t.same(kvList(s.state, '').value, [], 'recurse from the root deletes all');
  t.equal(s.state.index, 5, 'a recursive delete is one write');
});

t.test('kv keys with separator (table)', async (t) => {
  const s = new Store();
  for (const k of ['base/base/a', 'base/base/b', 'base/foo', 'a/x/1', 'a/y/2', 'a/z/3'])
    s.apply(set(k, 'v'), 0);
  const cases = [
    { name: 'python: base/ with /', input: ['base/', '/'], want: ['base/base/', 'base/foo'] },
    { name: 'node: a without sep', input: ['a', ''], want: ['a/x/1', 'a/y/2', 'a/z/3'] },
    { name: 'node: a/ with /', input: ['a/', '/'], want: ['a/x/', 'a/y/', 'a/z/'] },
    { name: 'root with /', input: ['', '/'], want: ['a/', 'base/'] },
  ];
  for (const c of cases)
    t.same(kvKeys(s.state, c.input[0] as string, c.input[1] as string).value, c.want, c.name);
});

t.test('txn: atomic, all errors reported, one index', async (t) => {
  const s = withNode();
  s.apply(set('t/a', 'old'), 0);
  const idx = s.state.index;
  const bad = s.apply(
    {
      t: 'txn',
      ops: [
        { verb: 'set', key: 't/b', value: b64('new'), flags: '0', index: 0, session: '' },
        { verb: 'cas', key: 't/a', value: null, flags: '0', index: 1, session: '' },
        { verb: 'get', key: 't/none', value: null, flags: '0', index: 0, session: '' },
      ],
    },
    0,
  );
  t.same(bad.result.errors, [
    { OpIndex: 1, What: 'failed to set key "t/a", index is stale' },
    { OpIndex: 2, What: 'key "t/none" doesn\'t exist' },
  ]);
  t.equal(s.state.index, idx, 'nothing applied');
  t.equal(kvGet(s.state, 't/b').value, undefined);
  const good = s.apply(
    {
      t: 'txn',
      ops: [
        { verb: 'set', key: 't/b', value: b64('new'), flags: '0', index: 0, session: '' },
        { verb: 'cas', key: 't/a', value: b64('cas'), flags: '0', index: idx, session: '' },
        { verb: 'get', key: 't/b', value: null, flags: '0', index: 0, session: '' },
        { verb: 'delete', key: 't/zzz', value: null, flags: '0', index: 0, session: '' },
      ],
    },
    0,
  );
  t.same(good.result.errors, []);
  t.equal(good.result.results.length, 3, 'delete adds no result');
  t.equal(s.state.index, idx + 1, 'one index for the whole transaction');
  t.equal(kvGet(s.state, 't/b').value?.modifyIndex, idx + 1);
  t.equal(kvGet(s.state, 't/a').value?.modifyIndex, idx + 1);
});

t.test('checks: output-only change raises no index; status change does', async (t) => {
  const s = withNode();
  s.apply(
    {
      t: 'service-register',
      node: 'n1',
      service: service('web1', 'web'),
      checks: [check('c', 'web1', 'critical', 'ttl')],
      replaceChecks: false,
    },
    0,
  );
  const idx = healthService(s.state, 'web').index;
  const first = s.apply(
    { t: 'check-status', node: 'n1', id: 'c', status: 'passing', output: 'ok 1' },
    0,
  );
  t.ok(first.change, 'status change');
  t.ok(healthService(s.state, 'web').index > idx);
  const idx2 = s.state.index;
  const second = s.apply(
    { t: 'check-status', node: 'n1', id: 'c', status: 'passing', output: 'ok 2' },
    0,
  );
  t.equal(second.change, null, 'output-only: no change to log or wake');
  t.equal(s.state.index, idx2);
  t.equal(s.state.checks.get('n1')?.get('c')?.output, 'ok 2', 'output still stored');
  t.equal(healthService(s.state, 'web', { passing: true }).value.length, 1);
  s.apply({ t: 'check-status', node: 'n1', id: 'c', status: 'warning', output: '' }, 0);
  t.equal(
    healthService(s.state, 'web', { passing: true }).value.length,
    0,
    'warning excluded by passing',
  );
});

t.test('service registration: idempotent, unknown ServiceID, per-service index', async (t) => {
  const s = withNode();
  const reg: Op = {
    t: 'service-register',
    node: 'n1',
    service: service('a1', 'a', ['x']),
    checks: [],
    replaceChecks: false,
  };
  s.apply(reg, 0);
  const again = s.apply(reg, 0);
  t.equal(again.change, null, 'identical re-registration changes nothing');
  s.apply(
    {
      t: 'service-register',
      node: 'n1',
      service: service('b1', 'b', ['y', 'x']),
      checks: [],
      replaceChecks: false,
    },
    0,
  );
  const aIdx = healthService(s.state, 'a').index;
  t.ok(aIdx < healthService(s.state, 'b').index, 'per-service index');
  t.throws(
    () => s.apply({ t: 'check-register', node: 'n1', check: check('q', 'ghost', 'passing') }, 0),
    NotFoundError,
  );
  t.same(Object.fromEntries(catalogServices(s.state).value), { a: ['x'], b: ['y', 'x'] });
  s.apply({ t: 'service-deregister', node: 'n1', id: 'b1' }, 0);
  t.ok(healthService(s.state, 'b').index > aIdx, 'deregistration raises the service index');
});
