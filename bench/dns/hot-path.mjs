// Micro-benchmark of the per-query CPU cost: dns2's parser and encoder against berth's
// hand-written parser and precompiled writer, on the same query and answer (3 A records).
// Bounded: ITER iterations each (default 100000). Usage: node bench/dns/hot-path.mjs [ITER]
import { createRequire } from 'node:module';
import { buildZone, compileTable, parseQuery, resolve } from '@berth/dns';

const iter = Number(process.argv[2] ?? 100000);
// dns2 is a devDependency of @berth/dns (nested under packages/dns/node_modules).
const dns2 = createRequire(new URL('../../packages/dns/package.json', import.meta.url))('dns2');
const { Packet } = dns2;

const q = new Packet();
q.header.id = 0x1234;
q.header.rd = 1;
q.questions.push({ name: 'svc1.service.consul', type: Packet.TYPE.A, class: Packet.CLASS.IN });
const msg = q.toBuffer();

const inst = (address, port) => ({
  id: `${address}:${port}`,
  service: 'svc1',
  node: 'host',
  nodeAddress: address,
  address,
  port,
  tags: [],
  meta: {},
  checks: [],
  status: 'passing',
  maintenance: false,
  modifyIndex: 1,
});
const snapshot = {
  index: 1n,
  datacenter: 'dc1',
  services: new Map([
    ['svc1', [inst('127.10.0.1', 1), inst('127.10.0.2', 2), inst('127.10.0.3', 3)]],
  ]),
  nodes: new Map(),
  fetchedAt: Date.now(),
};
const table = compileTable(
  buildZone(snapshot, {
    domains: ['consul'],
    onlyPassing: false,
    serviceTtl: [],
    nodeTtl: 0,
    aRecordLimit: 0,
    nsAddresses: [],
  }),
  0,
);

function time(name, fn) {
  for (let i = 0; i < 2000; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iter; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0) / iter;
  console.log(`${name.padEnd(44)} ${(ns / 1000).toFixed(2)} µs/op`);
}

time('dns2 Packet.parse (query)', () => Packet.parse(msg));
time('berth parseQuery', () => parseQuery(msg));
time('dns2 parse + build + encode answer', () => {
  const req = Packet.parse(msg);
  const res = Packet.createResponseFromRequest(req);
  for (const a of ['127.10.0.1', '127.10.0.2', '127.10.0.3']) {
    res.answers.push({ name: 'svc1.service.consul', type: 1, class: 1, ttl: 0, address: a });
  }
  return res.toBuffer();
});
time('berth parseQuery + resolve (copy, rotate)', () => {
  const p = parseQuery(msg);
  return resolve(table, table.domains, p, msg, 512, false);
});
