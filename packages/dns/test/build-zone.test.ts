import t from 'tap';
import {
  buildZone,
  isServed,
  serviceTtlFor,
  srvWeight,
  zoneLines,
  zoneDiff,
  type ZoneOptions,
} from '@berth/dns';
import type { ServiceInstance } from '@berth/consul';
import { snapshot, type Inst } from './fixtures.js';

const base: ZoneOptions = {
  domains: ['consul'],
  onlyPassing: false,
  serviceTtl: [],
  nodeTtl: 0,
  aRecordLimit: 0,
  nsAddresses: [],
};

/** Lines of the zone for the given names only (the table-driven cases stay short). */
function linesFor(
  instances: Inst[],
  opts: Partial<ZoneOptions>,
  names: string[],
  nodes?: Record<string, string>,
): string[] {
  const zone = buildZone(snapshot(instances, nodes), { ...base, ...opts });
  return zoneLines(zone).filter((l) => names.some((n) => l.startsWith(`${n}. `)));
}

const cases: {
  name: string;
  input: {
    instances: Inst[];
    opts?: Partial<ZoneOptions>;
    names: string[];
    nodes?: Record<string, string>;
    only?: string;
  };
  want: string[];
}[] = [
  {
    name: 'service A and SRV on the node address',
    input: { instances: [{ service: 'web', port: 8080 }], names: ['web.service.consul'] },
    want: [
      'web.service.consul. 0 IN A 127.0.0.1',
      'web.service.consul. 0 IN SRV 1 1 8080 node1.node.dc1.consul.',
      'web.service.consul. +extra node1.node.dc1.consul. 0 IN A 127.0.0.1',
    ],
  },
  {
    name: 'a service address differing from the node gives an addr target',
    input: {
      instances: [{ service: 'web', address: '127.0.0.7', port: 81 }],
      names: ['web.service.dc1.consul'],
    },
    want: [
      'web.service.dc1.consul. 0 IN A 127.0.0.7',
      'web.service.dc1.consul. 0 IN SRV 1 1 81 7f000007.addr.dc1.consul.',
      'web.service.dc1.consul. +extra 7f000007.addr.dc1.consul. 0 IN A 127.0.0.7',
    ],
  },
  {
    name: 'critical instances are left out; warning stays',
    input: {
      instances: [
        { service: 'web', address: '127.0.0.2', status: 'critical' },
        { service: 'web', address: '127.0.0.3', status: 'warning' },
        { service: 'web', address: '127.0.0.4' },
      ],
      names: ['web.service.consul'],
      only: ' IN A ',
    },
    want: ['web.service.consul. 0 IN A 127.0.0.3', 'web.service.consul. 0 IN A 127.0.0.4'],
  },
  {
    name: '--only-passing leaves out warning too',
    input: {
      instances: [
        { service: 'web', address: '127.0.0.3', status: 'warning' },
        { service: 'web', address: '127.0.0.4' },
      ],
      opts: { onlyPassing: true },
      names: ['web.service.consul'],
      only: ' IN A ',
    },
    want: ['web.service.consul. 0 IN A 127.0.0.4'],
  },
  {
    name: 'maintenance excludes',
    input: {
      instances: [
        { service: 'web', address: '127.0.0.3', maintenance: true },
        { service: 'web', address: '127.0.0.4' },
      ],
      names: ['web.service.consul'],
      only: ' IN A ',
    },
    want: ['web.service.consul. 0 IN A 127.0.0.4'],
  },
  {
    name: 'all instances unhealthy: NXDOMAIN like Consul',
    input: {
      instances: [{ service: 'db', status: 'critical' }],
      names: ['db.service.consul', '_db._tcp.service.consul'],
    },
    want: ['_db._tcp.service.consul. NXDOMAIN', 'db.service.consul. NXDOMAIN'],
  },
  {
    name: 'tag filter, case-insensitive, and RFC 2782 tag form',
    input: {
      instances: [
        { service: 'Web', address: '127.0.0.2', tags: ['V1'] },
        { service: 'web', address: '127.0.0.3', tags: ['v2'] },
      ],
      names: ['v1.web.service.consul', '_web._v1.service.consul'],
    },
    want: [
      '_web._v1.service.consul. 0 IN A 127.0.0.2',
      '_web._v1.service.consul. 0 IN SRV 1 1 8000 7f000002.addr.dc1.consul.',
      '_web._v1.service.consul. +extra 7f000002.addr.dc1.consul. 0 IN A 127.0.0.2',
      'v1.web.service.consul. 0 IN A 127.0.0.2',
      'v1.web.service.consul. 0 IN SRV 1 1 8000 7f000002.addr.dc1.consul.',
      'v1.web.service.consul. +extra 7f000002.addr.dc1.consul. 0 IN A 127.0.0.2',
    ],
  },
  {
    name: 'a tag only on unhealthy instances: NXDOMAIN',
    input: {
      instances: [{ service: 'web', tags: ['old'], status: 'critical' }, { service: 'web' }],
      names: ['old.web.service.consul'],
    },
    want: ['old.web.service.consul. NXDOMAIN'],
  },
  {
    name: 'A records are de-duplicated, SRV are not',
    input: {
      instances: [
        { service: 'api', port: 1 },
        { service: 'api', port: 2 },
      ],
      names: ['api.service.consul'],
    },
    want: [
      'api.service.consul. 0 IN A 127.0.0.1',
      'api.service.consul. 0 IN SRV 1 1 1 node1.node.dc1.consul.',
      'api.service.consul. 0 IN SRV 1 1 2 node1.node.dc1.consul.',
      'api.service.consul. +extra node1.node.dc1.consul. 0 IN A 127.0.0.1',
    ],
  },
  {
    name: 'IPv6 instance gives AAAA',
    input: { instances: [{ service: 'v6', address: '::1' }], names: ['v6.service.consul'] },
    want: [
      'v6.service.consul. 0 IN AAAA ::1',
      'v6.service.consul. 0 IN SRV 1 1 8000 00000000000000000000000000000001.addr.dc1.consul.',
      'v6.service.consul. +extra 00000000000000000000000000000001.addr.dc1.consul. 0 IN AAAA ::1',
    ],
  },
  {
    name: 'service TTL rules and node TTL',
    input: {
      instances: [{ service: 'web' }, { service: 'web-admin' }, { service: 'db' }],
      opts: {
        serviceTtl: [
          { pattern: 'web', ttl: 30 },
          { pattern: 'web*', ttl: 10 },
          { pattern: '*', ttl: 5 },
        ],
        nodeTtl: 60,
      },
      names: [
        'web.service.consul',
        'web-admin.service.consul',
        'db.service.consul',
        'node1.node.consul',
      ],
    },
    want: [
      'db.service.consul. 5 IN A 127.0.0.1',
      'db.service.consul. 5 IN SRV 1 1 8002 node1.node.dc1.consul.',
      'db.service.consul. +extra node1.node.dc1.consul. 5 IN A 127.0.0.1',
      'node1.node.consul. 60 IN A 127.0.0.1',
      'web-admin.service.consul. 10 IN A 127.0.0.1',
      'web-admin.service.consul. 10 IN SRV 1 1 8001 node1.node.dc1.consul.',
      'web-admin.service.consul. +extra node1.node.dc1.consul. 10 IN A 127.0.0.1',
      'web.service.consul. 30 IN A 127.0.0.1',
      'web.service.consul. 30 IN SRV 1 1 8000 node1.node.dc1.consul.',
      'web.service.consul. +extra node1.node.dc1.consul. 30 IN A 127.0.0.1',
    ],
  },
  {
    name: 'apex SOA and NS with glue, ns name, empty non-terminals',
    input: {
      instances: [],
      opts: { nsAddresses: ['127.0.0.53'] },
      names: ['consul', 'ns.consul', 'service.consul', 'node.dc1.consul', 'dc1.consul'],
    },
    want: [
      'consul. 0 IN SOA ns.consul. hostmaster.consul. 10 3600 600 86400 0',
      'consul. 0 IN NS ns.consul.',
      'consul. +extra ns.consul. 0 IN A 127.0.0.53',
      'dc1.consul. NODATA',
      'node.dc1.consul. NODATA',
      'ns.consul. 0 IN A 127.0.0.53',
      'service.consul. NODATA',
    ],
  },
  {
    name: 'PTR for node and service addresses',
    input: {
      instances: [{ service: 'web', address: '127.0.0.7' }],
      nodes: { node1: '127.0.0.1', 'Node-2': '127.0.0.9' },
      names: ['1.0.0.127.in-addr.arpa', '7.0.0.127.in-addr.arpa', '9.0.0.127.in-addr.arpa'],
    },
    want: [
      '1.0.0.127.in-addr.arpa. 0 IN PTR node1.node.dc1.consul.',
      '7.0.0.127.in-addr.arpa. 0 IN PTR web.service.dc1.consul.',
      '9.0.0.127.in-addr.arpa. 0 IN PTR node-2.node.dc1.consul.',
    ],
  },
  {
    name: 'alt domain gets the same names with its own targets',
    input: {
      instances: [{ service: 'web' }],
      opts: { domains: ['consul', 'berth.test'] },
      names: ['web.service.berth.test'],
    },
    want: [
      'web.service.berth.test. 0 IN A 127.0.0.1',
      'web.service.berth.test. 0 IN SRV 1 1 8000 node1.node.dc1.berth.test.',
      'web.service.berth.test. +extra node1.node.dc1.berth.test. 0 IN A 127.0.0.1',
    ],
  },
  {
    name: 'service names that cannot be one label are skipped; dotted tags are not',
    input: {
      instances: [{ service: 'a.b' }, { service: 'ok', tags: ['x.y', 'good', 'bad..tag'] }],
      names: [
        'a.b.service.consul',
        'x.y.ok.service.consul',
        'y.ok.service.consul',
        'good.ok.service.consul',
      ],
    },
    want: [
      'good.ok.service.consul. 0 IN A 127.0.0.1',
      'good.ok.service.consul. 0 IN SRV 1 1 8001 node1.node.dc1.consul.',
      'good.ok.service.consul. +extra node1.node.dc1.consul. 0 IN A 127.0.0.1',
      'x.y.ok.service.consul. 0 IN A 127.0.0.1',
      'x.y.ok.service.consul. 0 IN SRV 1 1 8001 node1.node.dc1.consul.',
      'x.y.ok.service.consul. +extra node1.node.dc1.consul. 0 IN A 127.0.0.1',
      'y.ok.service.consul. NODATA',
    ],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const lines = linesFor(c.input.instances, c.input.opts ?? {}, c.input.names, c.input.nodes);
    const only = c.input.only;
    t.strictSame(
      only ? lines.filter((l) => !l.includes('+extra') && l.includes(only)) : lines,
      c.want,
    );
  });
}

t.test('serviceTtlFor: exact beats prefix, longest prefix wins', async (t) => {
  const rules = [
    { pattern: '*', ttl: 1 },
    { pattern: 'web*', ttl: 2 },
    { pattern: 'web-a*', ttl: 3 },
    { pattern: 'web', ttl: 4 },
  ];
  const table = [
    { input: 'web', want: 4 },
    { input: 'web-api', want: 3 },
    { input: 'webx', want: 2 },
    { input: 'db', want: 1 },
  ];
  for (const c of table) t.equal(serviceTtlFor(rules, c.input), c.want, c.input);
  t.equal(serviceTtlFor([], 'x'), 0);
});

t.test('isServed on a node-level critical check (status already folds node checks)', async (t) => {
  const snap = snapshot([{ service: 'web', status: 'critical' }]);
  const inst = snap.services.get('web')?.[0];
  t.ok(inst);
  if (inst) t.equal(isServed(inst, false), false);
});

t.test('zoneDiff reports added and removed lines', async (t) => {
  const a = zoneLines(buildZone(snapshot([{ service: 'web', address: '127.0.0.2' }]), base));
  const b = zoneLines(buildZone(snapshot([{ service: 'web', address: '127.0.0.3' }]), base));
  const d = zoneDiff(a, b);
  t.ok(d.added.includes('web.service.consul. 0 IN A 127.0.0.3'));
  t.ok(d.removed.includes('web.service.consul. 0 IN A 127.0.0.2'));
});

t.test('SRV weights follow Consul: Weights.Passing, Weights.Warning, 1 without', async (t) => {
  const snap = snapshot([
    { service: 'web', address: '127.0.0.2', port: 1 },
    { service: 'web', address: '127.0.0.3', port: 2, status: 'warning' },
    { service: 'web', address: '127.0.0.4', port: 3 },
  ]);
  const weighted = (i: number, passing: number, warning: number): ServiceInstance => {
    const inst = snap.services.get('web')?.[i];
    if (!inst) throw new Error('fixture');
    const withWeights: ServiceInstance & { weights: { passing: number; warning: number } } = {
      ...inst,
      weights: { passing, warning },
    };
    return withWeights;
  };
  const list = snap.services.get('web') ?? [];
  const services = new Map([
    ['web', [weighted(0, 10, 1), weighted(1, 10, 2), list[2] as ServiceInstance]],
  ]);
  const lines = zoneLines(buildZone({ ...snap, services }, base)).filter((l) =>
    l.startsWith('web.service.consul. 0 IN SRV'),
  );
  const cases = [
    { name: 'passing instance: Passing weight', input: '127.0.0.2', want: '1 10 1 7f000002' },
    { name: 'warning instance: Warning weight', input: '127.0.0.3', want: '1 2 2 7f000003' },
    { name: 'no weights in the snapshot: 1', input: '127.0.0.4', want: '1 1 3 7f000004' },
  ];
  for (const c of cases) {
    t.ok(lines.includes(`web.service.consul. 0 IN SRV ${c.want}.addr.dc1.consul.`), c.name);
  }
  t.equal(lines.length, 3);
  t.equal(srvWeight(weighted(0, 0, 0)), 0, 'weight 0 is kept (Consul allows Warning 0)');
});
