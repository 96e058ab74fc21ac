// Unit tests of transactions with catalog operations in the pure store (issue 3 follow-up,
// points 4 and 5): a failing transaction or catalog/register leaves every record as
// it was (sessions invalidated, keys deleted and tombstones included), and the logged
// operations replay to the same state.
import t from 'tap';
import { stateToJson } from '../src/core/state.js';
import { Store } from '../src/core/store.js';
import type { CheckInput, NodeInput, Op, ServiceInput, TxnOp } from '../src/core/types.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * The state's snapshot JSON with its lists in key order: a rollback restores every entry but
 * may restore a deleted key at the end of its map's iteration order, which no query depends on.
 */
function canonical(s: Store): string {
  const j = JSON.parse(stateToJson(s.state)) as Record<string, unknown>;
  const by = (f: (x: never) => string) => (a: never, b: never) => (f(a) < f(b) ? -1 : 1);
  (j.kv as never[]).sort(by((e: { key: string }) => e.key));
  (j.tombstones as never[]).sort(by((e: [string, number]) => e[0]));
  (j.serviceIndex as never[]).sort(by((e: [string, number]) => e[0]));
  (j.sessions as never[]).sort(by((e: { id: string }) => e.id));
  (j.nodes as never[]).sort(by((e: { node: string }) => e.node));
  return JSON.stringify(j);
}

const node = (name: string): NodeInput => ({
  id: `id-${name}`,
  node: name,
  address: '127.0.0.1',
  taggedAddresses: {},
  meta: {},
});

const service = (id: string): ServiceInput => ({
  id,
  service: 'web',
  tags: [],
  address: '',
  port: 80,
  meta: {},
  taggedAddresses: null,
  weights: { passing: 1, warning: 1 },
  enableTagOverride: false,
  kind: '',
  proxy: null,
  connect: null,
});

const check = (id: string, serviceId: string): CheckInput => ({
  checkId: id,
  name: id,
  status: 'passing',
  statusGiven: true,
  notes: '',
  output: '',
  serviceId,
  type: '',
  definition: null,
});

/** A store with node n1 (serfHealth) and n2 holding a session that locks key `lock`. */
function fixture(): Store {
  const s = new Store();
  const ops: Op[] = [
    { t: 'node-register', node: node('n1') },
    { t: 'check-register', node: 'n1', check: check('serfHealth', '') },
    { t: 'node-register', node: node('n2') },
    {
      t: 'session-create',
      session: {
        id: 'sess',
        name: '',
        node: 'n2',
        lockDelayNs: 15e9,
        behavior: 'delete',
        ttl: '',
        nodeChecks: [],
        serviceChecks: null,
      },
    },
    { t: 'kv-set', key: 'lock', value: b64('held'), flags: '0', acquire: 'sess' },
    { t: 'kv-set', key: 'other', value: b64('x'), flags: '0' },
  ];
  for (const op of ops) s.apply(op, 1000);
  return s;
}

t.test('a failing transaction rolls back every mutation, whatever the kinds', async (t) => {
  const cases: { name: string; input: TxnOp[]; want: string }[] = [
    {
      name: 'node delete (invalidates a session, deletes its key) then a failed get',
      input: [
        { kind: 'node', verb: 'delete', node: node('n2'), fallbackId: 'f', index: 0 },
        { verb: 'get', key: 'missing', value: null, flags: '0', index: 0, session: '' },
      ],
      want: 'key "missing" doesn\'t exist',
    },
    {
      name: 'KV writes and a service, then a check on an unknown service',
      input: [
        { verb: 'set', key: 'other', value: b64('y'), flags: '0', index: 0, session: '' },
        { verb: 'delete-tree', key: '', value: null, flags: '0', index: 0, session: '' },
        { kind: 'service', verb: 'set', node: 'n1', service: service('w1'), index: 0 },
        { kind: 'check', verb: 'set', node: 'n1', check: check('c', 'nope'), index: 0 },
      ],
      want: 'ServiceID "nope" does not exist',
    },
    {
      name: 'a new node, then a stale node cas',
      input: [
        { kind: 'node', verb: 'set', node: node('n9'), fallbackId: 'f', index: 0 },
        { kind: 'node', verb: 'cas', node: node('n1'), fallbackId: 'f', index: 99 },
      ],
      want: 'failed to set node "n1", index is stale',
    },
  ];
  for (const c of cases) {
    const s = fixture();
    const before = canonical(s);
    const out = s.apply({ t: 'txn', ops: c.input }, 2000);
    t.equal(out.change, null, `${c.name}: no change`);
    t.equal(out.result.errors.at(-1)?.What, c.want, `${c.name}: error`);
    t.equal(canonical(s), before, `${c.name}: state unchanged`);
    t.equal(s.state.lockDelays.size, 0, `${c.name}: no lock-delay left behind`);
  }
});

t.test('catalog-register: all or nothing', async (t) => {
  const s = fixture();
  const before = canonical(s);
  t.throws(
    () =>
      s.apply(
        {
          t: 'catalog-register',
          node: node('n5'),
          nodeName: 'n5',
          service: service('w5'),
          checks: [check('ok', 'w5'), check('bad', 'ghost')],
        },
        2000,
      ),
    { code: 'BERTH_CATALOG_NOT_FOUND' },
  );
  t.equal(canonical(s), before, 'nothing applied');
  const ok = s.apply(
    {
      t: 'catalog-register',
      node: node('n5'),
      nodeName: 'n5',
      service: service('w5'),
      checks: [check('ok', 'w5')],
    },
    2000,
  );
  t.same([...(ok.change?.tables ?? [])].sort(), ['checks', 'nodes', 'services']);
  t.equal(s.state.nodes.get('n5')?.createIndex, ok.change?.index);
  t.equal(s.state.checks.get('n5')?.get('ok')?.createIndex, ok.change?.index);
});

t.test('logged catalog transactions replay to the same state', async (t) => {
  const live = fixture();
  const replayed = fixture();
  const ops: Op[] = [
    {
      t: 'txn',
      ops: [
        {
          kind: 'node',
          verb: 'set',
          node: { ...node('n7'), id: '' },
          fallbackId: 'gen-7',
          index: 0,
        },
        { kind: 'service', verb: 'set', node: 'n7', service: service('w7'), index: 0 },
        { kind: 'check', verb: 'set', node: 'n7', check: check('c7', 'w7'), index: 0 },
        { verb: 'set', key: 'k7', value: b64('v'), flags: '0', index: 0, session: '' },
      ],
    },
    {
      t: 'catalog-register',
      node: node('n8'),
      nodeName: 'n8',
      service: service('w8'),
      checks: [check('c8', 'w8')],
    },
    {
      t: 'txn',
      ops: [{ kind: 'node', verb: 'delete', node: node('n2'), fallbackId: '', index: 0 }],
    },
  ];
  for (const op of ops) {
    const { change } = live.apply(op, 3000);
    // The log stores JSON; replay pins the index.
    replayed.apply(JSON.parse(JSON.stringify(op)) as Op, 3000, { index: change?.index ?? 0 });
  }
  t.equal(stateToJson(replayed.state), stateToJson(live.state));
  t.equal(live.state.nodes.get('n7')?.id, 'gen-7', 'a node without ID gets the logged one');
  t.notOk(live.state.kv.has('lock'), 'deleting n2 invalidated its session (behavior delete)');
});
