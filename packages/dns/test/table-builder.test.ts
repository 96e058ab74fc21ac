/**
 * TableBuilder: after every kind of catalog change the incrementally built table holds
 * exactly the zone a full build gives; unchanged services are reused (by array identity,
 * as @berth/consul's watch shares them, or by equal fields); old tables never change; a
 * snapshot that cannot be built changes nothing.
 */
import t from 'tap';
import { buildIncremental, type Registration, type SnapshotInput } from '@berth/consul';
import {
  TableBuilder,
  buildZone,
  startDns,
  zoneLines,
  type DnsTable,
  type DnsTableError,
  type ZoneName,
  type ZoneOptions,
} from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { snapshot, type Inst, type NodeSpec } from './fixtures.js';

const opts: ZoneOptions = {
  domains: ['consul', 'berth.test'],
  onlyPassing: false,
  serviceTtl: [],
  nodeTtl: 0,
  aRecordLimit: 0,
  nsAddresses: ['127.0.0.53'],
};

function linesOf(table: DnsTable): string[] {
  const names = new Map<string, ZoneName>();
  for (const [name, w] of table.names.entries()) names.set(name, w.zone);
  return zoneLines({ names });
}

const nodes = { node1: '127.0.0.1', node2: '127.0.0.9' };
const web: Inst[] = [
  { service: 'web', id: 'w1', address: '127.0.0.2', port: 81, tags: ['v1'] },
  { service: 'web', id: 'w2', address: '127.0.0.3', port: 82 },
  { service: 'web', id: 'w3', address: '127.0.0.4', port: 83 },
];
const db: Inst = { service: 'db', id: 'd1', node: 'node2', port: 5432 };
const api: Inst = { service: 'api', id: 'a1', address: '127.0.0.7', port: 90, tags: ['v1'] };
const WEB: Inst = { service: 'WEB', id: 'W9', address: '127.0.0.6', port: 89 };
const critical = (i: Inst): Inst => ({ ...i, status: 'critical' });

const steps: {
  name: string;
  input: { instances: Inst[]; nodes?: Record<string, NodeSpec>; dc?: string };
  want: { servicesRebuilt: number; nodesRebuilt: boolean };
}[] = [
  {
    name: 'first build',
    input: { instances: [...web, db, api] },
    want: { servicesRebuilt: 3, nodesRebuilt: true },
  },
  {
    name: 'the same catalog again (new but equal arrays)',
    input: { instances: [...web, db, api] },
    want: { servicesRebuilt: 0, nodesRebuilt: false },
  },
  {
    name: 'one instance turns critical',
    input: { instances: [web[0] as Inst, critical(web[1] as Inst), web[2] as Inst, db, api] },
    want: { servicesRebuilt: 1, nodesRebuilt: false },
  },
  {
    name: 'one instance in maintenance',
    input: { instances: [...web, { ...db, maintenance: true }, api] },
    want: { servicesRebuilt: 2, nodesRebuilt: false },
  },
  {
    name: 'an instance is added',
    input: {
      instances: [...web, { service: 'web', id: 'w4', address: '127.0.0.5', port: 84 }, db, api],
    },
    want: { servicesRebuilt: 2, nodesRebuilt: false },
  },
  {
    name: 'a service goes: its PTR and addr names go, the shared _v1 empty stays',
    input: { instances: [...web, db] },
    want: { servicesRebuilt: 2, nodesRebuilt: false },
  },
  {
    name: 'the last v1 instance goes: _v1 empty goes too',
    input: { instances: [web[1] as Inst, web[2] as Inst, db] },
    want: { servicesRebuilt: 1, nodesRebuilt: false },
  },
  {
    name: 'a service spelled in another case answers with it',
    input: {
      instances: [...web, WEB, db],
    },
    want: { servicesRebuilt: 1, nodesRebuilt: false },
  },
  {
    name: 'a node address changes',
    input: { instances: [...web, WEB, db], nodes: { node1: '127.0.0.1', node2: '127.0.0.10' } },
    want: { servicesRebuilt: 1, nodesRebuilt: true },
  },
  {
    name: 'a node is added',
    input: { instances: [...web, WEB, db], nodes: { ...nodes, node3: '127.0.0.11' } },
    want: { servicesRebuilt: 1, nodesRebuilt: true },
  },
  {
    name: 'every instance of a service critical: NXDOMAIN',
    input: { instances: [...web.map(critical), db], nodes: { ...nodes, node3: '127.0.0.11' } },
    want: { servicesRebuilt: 1, nodesRebuilt: false },
  },
  {
    name: 'node metadata set: the services on that node are rebuilt (their SRV carry its TXT)',
    input: {
      instances: [...web.map(critical), db],
      nodes: { ...nodes, node3: '127.0.0.11', node2: { address: '127.0.0.9', meta: { a: '1' } } },
    },
    want: { servicesRebuilt: 1, nodesRebuilt: true },
  },
  {
    name: 'node metadata changes',
    input: {
      instances: [...web.map(critical), db],
      nodes: { ...nodes, node3: '127.0.0.11', node2: { address: '127.0.0.9', meta: { a: '2' } } },
    },
    want: { servicesRebuilt: 1, nodesRebuilt: true },
  },
  {
    name: 'the datacenter changes: a full build',
    input: { instances: [...web, db], nodes: { ...nodes, node3: '127.0.0.11' }, dc: 'dc2' },
    want: { servicesRebuilt: 2, nodesRebuilt: true },
  },
];

t.test('incremental builds equal full builds after every kind of change', async (t) => {
  const builder = new TableBuilder(opts);
  let index = 1n;
  for (const step of steps) {
    const snap = snapshot(step.input.instances, step.input.nodes ?? nodes, {
      index: index++,
      dc: step.input.dc,
    });
    const got = builder.build(snap);
    t.strictSame(linesOf(got.table), zoneLines(buildZone(snap, opts)), `${step.name}: zone`);
    t.strictSame(
      { servicesRebuilt: got.servicesRebuilt, nodesRebuilt: got.nodesRebuilt },
      step.want,
      `${step.name}: work done`,
    );
  }
});

/** A catalog as @berth/consul's watch builds it: unchanged services keep their arrays. */
function consulCatalog(services: number) {
  const regs: Registration[][] = [];
  const checks: SnapshotInput['checks'][number][] = [];
  for (let s = 0; s < services; s++) {
    regs.push(
      [0, 1, 2].map((k) => {
        const id = `svc${s}-${k}`;
        checks.push({
          Node: `h${k}`,
          CheckID: `c-${id}`,
          Name: `c-${id}`,
          Status: 'passing',
          ServiceID: id,
          ServiceName: `svc${s}`,
        });
        return {
          id,
          service: `svc${s}`,
          node: `h${k}`,
          serviceAddress: `127.${30 + k}.${s >> 8}.${s & 0xff}`,
          port: 1000 + k,
          tags: k === 0 ? ['primary'] : [],
          meta: {},
          modifyIndex: 1,
          weights: { passing: 1, warning: 1 },
        };
      }),
    );
  }
  const nodeInfo = [0, 1, 2].map((k) => ({
    name: `h${k}`,
    address: `127.31.0.${k + 1}`,
    datacenter: 'dc1',
    meta: {},
  }));
  let state: ReturnType<typeof buildIncremental>['state'] | undefined;
  let index = 1n;
  return (checkList: typeof checks) => {
    const b = buildIncremental(
      {
        registrations: regs,
        checks: checkList,
        nodes: nodeInfo,
        index: index++,
        datacenter: 'dc1',
        fetchedAt: 0,
      },
      state,
    );
    state = b.state;
    return { snapshot: b.snapshot, checks };
  };
}

t.test('a health flip in a shared-structure catalog rebuilds one service', async (t) => {
  const next = consulCatalog(300);
  const first = next([]);
  const checks = first.checks;
  const builder = new TableBuilder(opts);
  const a = builder.build(next(checks).snapshot);
  const flipped = checks.map((c) => (c.ServiceID === 'svc7-1' ? { ...c, Status: 'critical' } : c));
  const snap = next(flipped).snapshot;
  const b = builder.build(snap);

  t.equal(b.servicesRebuilt, 1, 'one service fragment rebuilt');
  t.equal(b.nodesRebuilt, false, 'nodes reused');
  // One service's ~45 names in 2 domains x 2 dc forms, plus the apex's ~20 (its serial moves).
  t.ok(b.touched.length < 100, `${b.touched.length} names touched of ${b.table.names.size}`);
  t.equal(a.table.names.get('svc7.service.consul')?.a?.count, 3, 'the old table is unchanged');
  t.equal(b.table.names.get('svc7.service.consul')?.a?.count, 2, 'the new one has the flip');
  t.equal(
    a.table.names.get('svc8.service.consul'),
    b.table.names.get('svc8.service.consul'),
    'an unchanged service keeps its compiled entry (and rotation)',
  );
  const shared = a.table.names.shards.filter((s, i) => s === b.table.names.shards[i]).length;
  t.ok(
    shared > a.table.names.shards.length * 0.5,
    `${shared} of ${a.table.names.shards.length} shards shared`,
  );
  t.strictSame(linesOf(b.table), zoneLines(buildZone(snap, opts)), 'same as a full build');
});

t.test('a snapshot that cannot be built changes nothing', async (t) => {
  const good = snapshot([...web, db], nodes, { index: 1n });
  // A malformed instance (tags missing) makes the fragment builder throw.
  const bad = snapshot([...web, db, api], nodes, { index: 2n });
  const apiList = bad.services.get('api') ?? [];
  const broken = new Map(bad.services);
  broken.set('api', [
    { ...(apiList[0] as NonNullable<(typeof apiList)[0]>), tags: null as unknown as string[] },
  ]);
  const badSnap = { ...bad, services: broken };

  const builder = new TableBuilder(opts);
  builder.build(good);
  t.throws(() => builder.build(badSnap), TypeError);
  const later = snapshot([...web, db, api], nodes, { index: 3n });
  const b = builder.build(later);
  t.equal(b.servicesRebuilt, 1, 'still incremental: only api is new');
  t.strictSame(linesOf(b.table), zoneLines(buildZone(later, opts)));

  const source = new MemoryCatalogSource(good);
  const server = await startDns({ listen: [{ host: '127.0.0.1', port: 0 }] }, source);
  t.teardown(() => server.close());
  const errors: DnsTableError[] = [];
  server.on('table-error', (e) => errors.push(e));
  const before = server.table;
  source.set(badSnap);
  t.equal(errors[0]?.code, 'ERR_DNS_TABLE', 'table-error emitted');
  t.equal(server.table, before, 'the previous table stays in use');
  source.set(later);
  t.equal(server.table?.index, 3n, 'the next good snapshot is served');
  t.equal(server.table?.names.get('api.service.consul')?.a?.count, 1);
});
