import t from 'tap';
import {
  diffServices,
  dirtyFromChecks,
  overlayChecks,
  unknownNodes,
  type Registration,
} from '../src/index.js';
import type { ConsulHealthCheck } from '@berth/protocol';

t.test('diffServices', async (t) => {
  const cases: {
    name: string;
    input: [Record<string, string[] | null> | undefined, Record<string, string[] | null>];
    want: { added: string[]; removed: string[]; retagged: string[] };
  }[] = [
    {
      name: 'first answer: all added',
      input: [undefined, { web: [], consul: [] }],
      want: { added: ['consul', 'web'], removed: [], retagged: [] },
    },
    {
      name: 'unchanged (order and duplicates of tags ignored)',
      input: [{ web: ['a', 'b'] }, { web: ['b', 'a', 'a'] }],
      want: { added: [], removed: [], retagged: [] },
    },
    {
      name: 'null tags equal empty',
      input: [{ web: null }, { web: [] }],
      want: { added: [], removed: [], retagged: [] },
    },
    {
      name: 'tag added',
      input: [{ web: ['a'] }, { web: ['a', 'b'] }],
      want: { added: [], removed: [], retagged: ['web'] },
    },
    {
      name: 'service gone, one new',
      input: [
        { web: [], api: [] },
        { web: [], db: [] },
      ],
      want: { added: ['db'], removed: ['api'], retagged: [] },
    },
  ];
  for (const c of cases) t.strictSame(diffServices(...c.input), c.want, c.name);
});

const reg = (service: string, id: string, node = 'n1', tags: string[] = []): Registration => ({
  id,
  service,
  node,
  serviceAddress: '',
  port: 1,
  tags,
  meta: {},
  modifyIndex: 1,
  weights: { passing: 1, warning: 1 },
});
const chk = (
  service: string,
  id: string,
  node = 'n1',
  tags: string[] | null = [],
  status = 'passing',
): ConsulHealthCheck => ({
  Node: node,
  CheckID: `service:${id}`,
  Name: '',
  Status: status,
  ServiceID: id,
  ServiceName: service,
  ServiceTags: tags,
});
const serf = (node: string): ConsulHealthCheck => ({
  Node: node,
  CheckID: 'serfHealth',
  Name: '',
  Status: 'passing',
  ServiceID: '',
  ServiceName: '',
});

t.test('dirtyFromChecks', async (t) => {
  const held = new Map<string, Registration[]>([
    ['web', [reg('web', 'w1', 'n1', ['v1']), reg('web', 'w2', 'n1', ['v1'])]],
    ['api', [reg('api', 'a1')]],
  ]);
  const prev = [
    serf('n1'),
    chk('web', 'w1', 'n1', ['v1']),
    chk('web', 'w2', 'n1', ['v1']),
    chk('api', 'a1'),
  ];
  const cases: { name: string; input: ConsulHealthCheck[]; want: string[] }[] = [
    { name: 'nothing changed', input: prev, want: [] },
    {
      name: 'status flip only: no fetch (checks come from this list)',
      input: [
        serf('n1'),
        chk('web', 'w1', 'n1', ['v1'], 'critical'),
        chk('web', 'w2', 'n1', ['v1']),
        chk('api', 'a1'),
      ],
      want: [],
    },
    {
      name: 'node check change: no fetch',
      input: [{ ...serf('n1'), Status: 'critical' }, ...prev.slice(1)],
      want: [],
    },
    { name: 'new instance with a check', input: [...prev, chk('web', 'w3')], want: ['web'] },
    {
      name: 'instance lost its checks (deregistered)',
      input: [serf('n1'), chk('web', 'w1', 'n1', ['v1']), chk('api', 'a1')],
      want: ['web'],
    },
    {
      name: 'tags changed on re-register',
      input: [
        serf('n1'),
        chk('web', 'w1', 'n1', ['v2']),
        chk('web', 'w2', 'n1', ['v1']),
        chk('api', 'a1'),
      ],
      want: ['web'],
    },
    {
      name: 'same id on another node is another instance',
      input: [...prev, chk('api', 'a1', 'n2')],
      want: ['api'],
    },
    {
      name: 'null ServiceTags are not a tag change',
      input: [
        serf('n1'),
        chk('web', 'w1', 'n1', null),
        chk('web', 'w2', 'n1', ['v1']),
        chk('api', 'a1'),
      ],
      want: [],
    },
  ];
  for (const c of cases)
    t.strictSame([...dirtyFromChecks(prev, c.input, held)].sort(), c.want, c.name);
});

t.test('unknownNodes', async (t) => {
  t.strictSame(
    [...unknownNodes([serf('n1'), serf('n2'), chk('x', 'y', 'n3')], new Set(['n1']))].sort(),
    ['n2', 'n3'],
  );
});

t.test('overlayChecks', async (t) => {
  const entry = (node: string, id: string, status: string) => ({
    Node: { Node: node, Address: '127.0.0.2' },
    Service: { ID: id, Service: 'web' },
    Checks: [serf(node), { ...chk('web', id, node), Status: status }],
  });
  const base = [
    serf('n1'),
    serf('n2'),
    chk('web', 'w1', 'n1', [], 'critical'),
    chk('api', 'a1', 'n2'),
  ];
  const cases: { name: string; input: Parameters<typeof overlayChecks>[2]; want: string[] }[] = [
    {
      name: 'replaces the service checks and its nodes’ checks, keeps the rest',
      input: [entry('n1', 'w1', 'passing'), entry('n1', 'w2', 'warning')],
      want: [
        'n1/serfHealth/passing',
        'n1/service:w1/passing',
        'n1/service:w2/warning',
        'n2/serfHealth/passing',
        'n2/service:a1/passing',
      ],
    },
    {
      name: 'a service with no instances left drops its checks',
      input: [],
      want: ['n1/serfHealth/passing', 'n2/serfHealth/passing', 'n2/service:a1/passing'],
    },
  ];
  for (const c of cases) {
    const got = overlayChecks(base, 'web', c.input)
      .map((x) => `${x.Node}/${x.CheckID}/${x.Status}`)
      .sort();
    t.strictSame(got, c.want, c.name);
  }
});
