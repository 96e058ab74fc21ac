import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  buildSnapshot,
  buildIncremental,
  registrationsFromHealth,
  registrationsFromNode,
  snapshotToLines,
  nodeLines,
  type Registration,
} from '../src/index.js';
import type { ConsulHealthCheck, ConsulNodeServices, ConsulServiceEntry } from '@berth/protocol';

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const checks = fixture<ConsulHealthCheck[]>('health-state-any.json');
const web = registrationsFromHealth(fixture<ConsulServiceEntry[]>('health-service-web.json'));
const n2 = registrationsFromNode(fixture<ConsulNodeServices>('catalog-node-n2.json'));
const n1db = registrationsFromNode(fixture<ConsulNodeServices>('catalog-node-n1-db.json'));

function group(...lists: Registration[][]): Map<string, Registration[]> {
  const m = new Map<string, Registration[]>();
  for (const r of lists.flat()) m.set(r.service, [...(m.get(r.service) ?? []), r]);
  return m;
}

const snap = buildSnapshot({
  registrations: group(web.instances, n2.instances, n1db.instances).values(),
  checks,
  nodes: [...web.nodes, ...n2.nodes, ...n1db.nodes],
  index: 45n,
  datacenter: 'dc1',
  fetchedAt: 1700000000000,
});

t.test('golden lines from recorded Consul JSON', async (t) => {
  const want = readFileSync(new URL('./fixtures/golden-snapshot.txt', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  t.strictSame(snapshotToLines(snap), want);
  t.strictSame(nodeLines(snap), [
    'node n1 addr=127.0.0.2 dc=dc1 meta={"consul-network-segment":""}',
    'node n2 addr=127.0.0.3 dc=dc1 meta={"rack":"r2"}',
  ]);
});

t.test('instance fields', async (t) => {
  const cases: {
    name: string;
    input: [string, number];
    want: Partial<Record<'address' | 'nodeAddress' | 'status' | 'maintenance' | 'port', unknown>>;
  }[] = [
    {
      name: 'service address wins over node address',
      input: ['web', 0],
      want: { address: '127.0.0.20', nodeAddress: '127.0.0.2', port: 31001, status: 'passing' },
    },
    {
      name: 'no service address: node address',
      input: ['web', 1],
      want: { address: '127.0.0.2', status: 'warning', maintenance: false },
    },
    {
      name: 'node maintenance marks instance',
      input: ['api', 0],
      want: { status: 'critical', maintenance: true },
    },
    {
      name: 'service maintenance',
      input: ['db', 0],
      want: { status: 'critical', maintenance: true },
    },
  ];
  for (const c of cases) {
    const inst = snap.services.get(c.input[0])?.[c.input[1]];
    t.ok(inst, c.name);
    t.match(inst, c.want, c.name);
  }
  const w2 = snap.services.get('web')?.[1];
  t.strictSame(
    w2?.checks.map((c) => c.id),
    ['serfHealth', 'service:web-2'],
    'node checks first',
  );
  t.equal(w2?.modifyIndex, 21);
  t.strictSame(w2?.meta, { version: '1.2', team: 'edge' });
  t.equal(snap.index, 45n);
  t.equal(snap.datacenter, 'dc1');
});

t.test('deeply frozen', async (t) => {
  const inst = snap.services.get('web')?.[0];
  t.ok(Object.isFrozen(snap));
  t.ok(Object.isFrozen(snap.services.get('web')));
  t.ok(Object.isFrozen(inst));
  t.ok(Object.isFrozen(inst?.tags));
  t.ok(Object.isFrozen(inst?.meta));
  t.ok(Object.isFrozen(inst?.checks[0]));
  t.ok(Object.isFrozen(snap.nodes.get('n1')?.meta));
  t.throws(() => (inst?.tags as string[]).push('x'), TypeError);
  t.throws(() => {
    (inst as { port: number }).port = 1;
  }, TypeError);
  const services = snap.services as unknown as { set?: unknown; delete?: unknown; clear?: unknown };
  t.equal(services.set, undefined, 'services map has no set()');
  t.equal(services.delete, undefined);
  t.equal(services.clear, undefined);
  t.equal([...snap.services.keys()].join(','), 'api,cache,db,web', 'services sorted by name');
});

t.test('inputs are not mutated and unknown status counts as critical', async (t) => {
  const raw: ConsulHealthCheck[] = [
    {
      Node: 'n9',
      CheckID: 'c',
      Name: 'c',
      Status: 'maintenance',
      ServiceID: 's',
      ServiceName: 's',
    },
  ];
  const reg: Registration = {
    id: 's',
    service: 's',
    node: 'n9',
    serviceAddress: '',
    port: 1,
    tags: ['a'],
    meta: {},
    modifyIndex: 1,
    weights: { passing: 1, warning: 1 },
  };
  const s = buildSnapshot({
    registrations: [[reg]],
    checks: raw,
    nodes: [],
    index: 1n,
    datacenter: '',
    fetchedAt: 0,
  });
  t.equal(s.services.get('s')?.[0]?.status, 'critical');
  t.equal(s.services.get('s')?.[0]?.address, '', 'unknown node: empty address');
  t.notOk(Object.isFrozen(reg.tags), 'input registration not frozen');
  t.notOk(Object.isFrozen(raw[0]), 'input check not frozen');
});

t.test('empty and unknown inputs', async (t) => {
  t.strictSame(registrationsFromHealth(null), { instances: [], nodes: [] });
  t.strictSame(registrationsFromNode(null), { instances: [], nodes: [] });
  const s = buildSnapshot({
    registrations: [],
    checks: [],
    nodes: [],
    index: 1n,
    datacenter: '',
    fetchedAt: 0,
  });
  t.equal(s.services.size, 0);
  t.strictSame(snapshotToLines(s), []);
});

t.test('buildIncremental reuses unchanged services and reports the line diff', async (t) => {
  const regs = group(web.instances, n2.instances, n1db.instances);
  const nodes = [...web.nodes, ...n2.nodes, ...n1db.nodes];
  const input = {
    registrations: regs.values(),
    checks,
    nodes,
    index: 45n,
    datacenter: 'dc1',
    fetchedAt: 0,
  };
  const first = buildIncremental(input, undefined);
  t.ok(first.changed, 'first build is a change');
  t.strictSame(
    snapshotToLines(first.snapshot),
    snapshotToLines(snap),
    'same result as buildSnapshot',
  );

  const flipped = checks.map((c) =>
    c.CheckID === 'service:web-1' ? { ...c, Status: 'critical' } : c,
  );
  const outputOnly = checks.map((c) =>
    c.CheckID === 'service:api 1' ? { ...c, Output: 'new output' } : c,
  );
  const cases: {
    name: string;
    input: { checks: ConsulHealthCheck[]; regs: Map<string, Registration[]> };
    want: { changed: boolean; reused: string[]; added: number; removed: number };
  }[] = [
    {
      name: 'nothing changed',
      input: { checks, regs },
      want: { changed: false, reused: ['api', 'cache', 'db', 'web'], added: 0, removed: 0 },
    },
    {
      name: 'one check flipped: only that service rebuilt',
      input: { checks: flipped, regs },
      want: { changed: true, reused: ['api', 'cache', 'db'], added: 1, removed: 1 },
    },
    {
      name: 'output only: rebuilt but no change in canonical form',
      input: { checks: outputOnly, regs },
      want: { changed: false, reused: ['cache', 'db', 'web'], added: 0, removed: 0 },
    },
    {
      name: 'service removed',
      input: { checks, regs: new Map([...regs].filter(([k]) => k !== 'cache')) },
      want: { changed: true, reused: ['api', 'db', 'web'], added: 0, removed: 1 },
    },
  ];
  for (const c of cases) {
    const got = buildIncremental(
      { ...input, checks: c.input.checks, registrations: c.input.regs.values() },
      first.state,
    );
    t.equal(got.changed, c.want.changed, `${c.name}: changed`);
    const reused = [...got.snapshot.services.keys()].filter(
      (k) => got.snapshot.services.get(k) === first.snapshot.services.get(k),
    );
    t.strictSame(reused, c.want.reused, `${c.name}: reused frozen lists`);
    t.equal(got.diff.added.length, c.want.added, `${c.name}: added lines`);
    t.equal(got.diff.removed.length, c.want.removed, `${c.name}: removed lines`);
  }
});
