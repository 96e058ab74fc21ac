/**
 * NameMap (sharded persistent map) and nameHash: a draft never changes the map it came
 * from, unchanged shards are shared, re-sharding keeps every entry, and the parser's
 * streaming hash equals nameHash on the lower-cased name.
 */
import t from 'tap';
import { NameMap, nameHash, parseQuery, TYPE } from '@berth/dns';
import { query } from './decode.js';

t.test('the parser hashes the question as nameHash does', async (t) => {
  const cases = [
    { input: 'web.service.consul', want: 'web.service.consul' },
    { input: 'WEB.Service.CONSUL', want: 'web.service.consul' },
    { input: '_Web._TCP.service.dc1.consul', want: '_web._tcp.service.dc1.consul' },
    { input: '1.0.0.127.in-addr.arpa', want: '1.0.0.127.in-addr.arpa' },
    { input: '', want: '' },
  ];
  for (const c of cases) {
    const q = parseQuery(query(c.input, TYPE.A));
    if (typeof q === 'number') throw new Error(`parse failed: ${q}`);
    t.equal(q.name, c.want, c.input);
    t.equal(q.hash, nameHash(c.want), `${c.input}: hash`);
  }
});

t.test('a draft derives a new map and leaves the old one as it was', async (t) => {
  const names = Array.from({ length: 5000 }, (_, i) => `svc${i}.service.consul`);
  const m1 = NameMap.of(names.map((n, i) => [n, i] as const));
  t.equal(m1.size, 5000);
  t.ok(m1.shards.length > 1, `${m1.shards.length} shards`);
  const d = m1.edit();
  d.set('svc1.service.consul', -1);
  d.set('new.service.consul', 42);
  d.delete('svc2.service.consul');
  d.delete('never.there');
  const m2 = d.finish();
  t.throws(() => d.set('late', 1), 'a finished draft refuses changes');

  const table = [
    { name: 'svc1.service.consul', want: [1, -1] },
    { name: 'svc2.service.consul', want: [2, undefined] },
    { name: 'new.service.consul', want: [undefined, 42] },
    { name: 'svc3.service.consul', want: [3, 3] },
  ];
  for (const c of table) t.strictSame([m1.get(c.name), m2.get(c.name)], c.want, c.name);
  t.equal(m2.size, 5000);
  const shared = m1.shards.filter((s, i) => s === m2.shards[i]).length;
  t.ok(shared >= m1.shards.length - 3, `${shared} of ${m1.shards.length} shards shared`);
  t.equal([...m2.entries()].length, 5000);
});

t.test('growing far past the shard count re-shards and keeps every entry', async (t) => {
  let m = NameMap.of<number>([]);
  t.equal(m.shards.length, 1);
  for (let round = 0; round < 4; round++) {
    const d = m.edit();
    for (let i = 0; i < 1000; i++) d.set(`n${round}-${i}`, i);
    m = d.finish();
  }
  t.equal(m.size, 4000);
  t.ok(m.shards.length >= 64, `${m.shards.length} shards`);
  for (let round = 0; round < 4; round++) t.equal(m.get(`n${round}-999`), 999);
  const d = m.edit();
  for (const [name] of [...m.entries()]) d.delete(name);
  const empty = d.finish();
  t.equal(empty.size, 0);
  t.equal(empty.shards.length, 1, 'shrinks back');
});

t.test('a map sized for a full build takes it without re-sharding', async (t) => {
  const m = NameMap.sized<number>(4000);
  t.equal(m.size, 0);
  const d = m.edit();
  for (let i = 0; i < 4000; i++) d.set(`n${i}`, i);
  const full = d.finish();
  t.equal(full.size, 4000);
  t.equal(full.shards.length, m.shards.length, 'the shards it was made with');
  t.equal(full.get('n3999'), 3999);
});
