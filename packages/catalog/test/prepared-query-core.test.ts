// Issue 17: prepared-query resolution and execution over plain state: by ID, by name, by the
// longest name_prefix_match template with its variables filled in; healthy instances only,
// tags (with `!tag`), node meta, Near `_agent` first, limit.
import t from 'tap';
import { executeQuery, resolveQuery } from '../src/core/prepared-query/execute.js';
import { Store } from '../src/core/store.js';
import type { CheckInput, QueryInput, ServiceInput } from '../src/core/types.js';

const svc = (id: string, name: string, tags: string[] = []): ServiceInput => ({
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
});
const check = (id: string, serviceId: string, status: CheckInput['status']): CheckInput => ({
  checkId: id,
  name: id,
  status,
  statusGiven: true,
  notes: '',
  output: '',
  serviceId,
  type: 'ttl',
  definition: null,
});
const query = (over: Partial<QueryInput> & { id: string }): QueryInput => ({
  name: '',
  session: '',
  token: '',
  service: {
    service: 'web',
    failoverNearestN: 0,
    failoverDatacenters: null,
    onlyPassing: false,
    ignoreCheckIds: null,
    near: '',
    tags: null,
    nodeMeta: null,
    serviceMeta: null,
    connect: false,
    peer: '',
  },
  dnsTtl: '',
  templateType: '',
  templateRegexp: '',
  templateRemoveEmptyTags: false,
  ...over,
});

function store(): Store {
  const s = new Store();
  let now = 1;
  const apply = (op: Parameters<Store['apply']>[0]): void => void s.apply(op, now++);
  for (const [node, zone] of [
    ['a', 'z1'],
    ['b', 'z2'],
    ['c', 'z1'],
  ] as const) {
    apply({
      t: 'node-register',
      node: {
        id: node,
        node,
        address: `127.0.0.${node.charCodeAt(0) - 96}`,
        taggedAddresses: {},
        meta: { zone },
      },
    });
  }
  apply({
    t: 'service-register',
    node: 'a',
    service: svc('w1', 'web', ['v1']),
    checks: [check('c1', 'w1', 'passing')],
    replaceChecks: false,
  });
  apply({
    t: 'service-register',
    node: 'b',
    service: svc('w2', 'web', ['v2']),
    checks: [check('c2', 'w2', 'warning')],
    replaceChecks: false,
  });
  apply({
    t: 'service-register',
    node: 'c',
    service: svc('w3', 'web', ['v1', 'canary']),
    checks: [check('c3', 'w3', 'passing')],
    replaceChecks: false,
  });
  apply({
    t: 'service-register',
    node: 'c',
    service: svc('w4', 'web'),
    checks: [check('c4', 'w4', 'critical')],
    replaceChecks: false,
  });
  apply({
    t: 'service-register',
    node: 'a',
    service: svc('api1', 'api-eu'),
    checks: [],
    replaceChecks: false,
  });
  apply({ t: 'query-set', create: true, query: query({ id: 'q1', name: 'web-q', dnsTtl: '10s' }) });
  apply({
    t: 'query-set',
    create: true,
    query: query({
      id: 'q2',
      name: 'api-',
      templateType: 'name_prefix_match',
      templateRegexp: '^api-(.+)$',
      service: {
        ...query({ id: 'x' }).service,
        service: 'api-${match(1)}',
        tags: ['${name.suffix}', ''],
      },
      templateRemoveEmptyTags: true,
    }),
  });
  apply({
    t: 'query-set',
    create: true,
    query: query({
      id: 'q3',
      name: '',
      templateType: 'name_prefix_match',
      service: { ...query({ id: 'x' }).service, service: '${name.full}' },
    }),
  });
  return s;
}

t.test('resolution: ID, exact name, longest template, catch-all template', async (t) => {
  const s = store().state;
  const cases = [
    { name: 'by ID', input: 'q1', want: ['q1', 'web'] },
    { name: 'by name', input: 'web-q', want: ['q1', 'web'] },
    { name: 'by name in another case (as Consul)', input: 'WEB-Q', want: ['q1', 'web'] },
    { name: 'prefix template with match()', input: 'api-eu', want: ['q2', 'api-eu'] },
    { name: 'catch-all template', input: 'anything', want: ['q3', 'anything'] },
  ];
  for (const c of cases) {
    const r = resolveQuery(s, c.input);
    t.same([r?.query.id, r?.service.service], c.want, c.name);
  }
  t.same(resolveQuery(s, 'api-eu')?.service.tags, ['eu'], 'RemoveEmptyTags, ${name.suffix}');
});

t.test('execution: health, tags, meta, near, limit', async (t) => {
  const s = store().state;
  const base = query({ id: 'x' }).service;
  const ids = (over: Partial<typeof base>, near = '', limit = 0): string[] =>
    executeQuery(s, { ...base, ...over }, { near, limit, agentNode: 'c', random: () => 0.5 })
      .value.map((i) => i.service.id)
      .sort();
  const cases = [
    { name: 'never critical', input: () => ids({}), want: ['w1', 'w2', 'w3'] },
    { name: 'OnlyPassing', input: () => ids({ onlyPassing: true }), want: ['w1', 'w3'] },
    {
      name: 'IgnoreCheckIDs',
      input: () => ids({ ignoreCheckIds: ['c4'] }),
      want: ['w1', 'w2', 'w3', 'w4'],
    },
    { name: 'tags', input: () => ids({ tags: ['v1'] }), want: ['w1', 'w3'] },
    { name: '!tag', input: () => ids({ tags: ['v1', '!canary'] }), want: ['w1'] },
    { name: 'node meta', input: () => ids({ nodeMeta: { zone: 'z1' } }), want: ['w1', 'w3'] },
    { name: 'peer: nothing here', input: () => ids({ peer: 'p' }), want: [] },
    { name: 'limit', input: () => ids({}, '', 2).length, want: 2 },
  ];
  for (const c of cases) t.same(c.input(), c.want, c.name);
  const near = executeQuery(s, base, {
    near: '_agent',
    limit: 0,
    agentNode: 'c',
    random: Math.random,
  });
  t.equal(near.value[0]?.node.node, 'c', 'Near _agent: the agent node first');
});
