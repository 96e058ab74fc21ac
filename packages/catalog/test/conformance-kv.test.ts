// KV conformance driven by the npm `consul` client (and fetch for wire details):
// consul-api.md §1.2-1.5, §1.10 and §4.
import t from 'tap';
import { harness, rawRequest, statusOf } from './helpers.js';

t.test('kv get/set/del with the node client', async (t) => {
  const { consul, http } = await harness(t);
  t.equal(await consul.kv.set('a/x/1', 'one'), true);
  await consul.kv.set('a/y/2', 'two');
  await consul.kv.set('a/z/3', 'three');
  const one = await consul.kv.get('a/x/1');
  t.equal(one?.Value, 'one', 'percent-encoded key decoded; value base64-decoded');
  t.equal(one?.Key, 'a/x/1');
  t.match(one, { LockIndex: 0, Flags: 0, CreateIndex: Number, ModifyIndex: Number });
  t.notOk('Session' in (one ?? {}), 'Session omitted when empty');
  t.equal(await consul.kv.get('missing'), undefined, '404 -> undefined');
  const all = await consul.kv.get({ key: 'a/', recurse: true });
  t.same(
    (all as { Key: string }[]).map((e) => e.Key),
    ['a/x/1', 'a/y/2', 'a/z/3'],
  );
  t.same(await consul.kv.keys('a'), ['a/x/1', 'a/y/2', 'a/z/3']);
  t.same(await consul.kv.keys({ key: 'a/', separator: '/' }), ['a/x/', 'a/y/', 'a/z/']);
  await consul.kv.set('n', null as unknown as string);
  t.equal((await consul.kv.get('n'))?.Value, null, 'empty value reads back null');
  // node-consul turns a `false` body into undefined: read the wire for the false cases.
  const cas0 = await http('/kv/a%2Fx%2F1?cas=0', { method: 'PUT', body: 'x' });
  t.equal(await cas0.text(), 'false', 'cas=0 on existing');
  const idx = String(one?.ModifyIndex);
  t.equal(await consul.kv.set({ key: 'a/x/1', value: 'x', cas: Number(idx) }), true, 'cas=N');
  const stale = await http(`/kv/a%2Fx%2F1?cas=${idx}`, { method: 'PUT', body: 'y' });
  t.equal(await stale.text(), 'false', 'stale cas');
  t.equal(await consul.kv.del('a/x/1'), true);
  t.equal(await consul.kv.get('a/x/1'), undefined);
  await consul.kv.del({ key: '', recurse: true });
  const root = await http('/kv/?keys');
  t.equal(root.status, 200, 'root keys of an empty store');
  t.same(await root.json(), []);
});

t.test('kv wire details: flags uint64, raw, binary, content types', async (t) => {
  const { http } = await harness(t);
  const put = await http('/kv/lock?flags=3304740253564472344', { method: 'PUT', body: 'v' });
  t.equal(put.headers.get('content-type'), 'application/json');
  t.equal(await put.text(), 'true');
  const got = await (await http('/kv/lock')).text();
  t.match(got, /"Flags":3304740253564472344,/, 'uint64 flags written as exact digits');
  await http('/kv/max?flags=18446744073709551615', { method: 'PUT', body: 'v' });
  t.match(await (await http('/kv/max')).text(), /"Flags":18446744073709551615,/);
  // Consul returns strconv.ParseUint's error as is: a 500 (issue 17).
  const over = await http('/kv/bad?flags=18446744073709551616', { method: 'PUT' });
  t.equal(over.status, 500);
  t.equal(
    await over.text(),
    'strconv.ParseUint: parsing "18446744073709551616": value out of range',
  );
  const junk = await http('/kv/bad?flags=abc', { method: 'PUT' });
  t.equal(junk.status, 500);
  t.equal(await junk.text(), 'strconv.ParseUint: parsing "abc": invalid syntax');
  const bin = Buffer.from([0, 255, 1, 2, 128]);
  await http('/kv/bin', {
    method: 'PUT',
    body: bin,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const raw = await http('/kv/bin?raw');
  t.equal(raw.headers.get('x-content-type-options'), 'nosniff');
  t.equal(raw.headers.get('content-security-policy'), 'sandbox');
  t.same(
    Buffer.from(await raw.arrayBuffer()),
    bin,
    'raw bytes round-trip whatever the content type',
  );
  const missing = await http('/kv/nothing');
  t.equal(missing.status, 404);
  t.ok(Number(missing.headers.get('x-consul-index')) >= 1, 'X-Consul-Index on 404, never 0');
  t.equal(
    (await http('/kv/x?cas=1&acquire=abc', { method: 'PUT' })).status,
    400,
    'cas with acquire conflicts',
  );
  const big = Buffer.alloc(512 * 1024 + 1, 97);
  const tooBig = await http('/kv/big', { method: 'PUT', body: big });
  t.equal(tooBig.status, 413);
  t.equal((await http('/kv/big')).status, 404, 'nothing stored');
});

t.test('kv key validation (consul 1.22 rules)', async (t) => {
  const { http, consul, running } = await harness(t);
  const port = running.address.port;
  const cases = [
    { name: 'dot-dot segment', input: '/kv/a/../b', want: 400 },
    { name: 'encoded dot-dot', input: '/kv/a/%2e%2e/b', want: 400 },
    { name: 'double-encoded dot-dot', input: '/kv/a/%252e%252e/b', want: 400 },
    { name: 'encoded slash then dot-dot', input: '/kv/a%2F..%2Fb', want: 400 },
    { name: 'leading slash', input: '/kv//a', want: 400 },
    { name: 'leading space', input: '/kv/%20a', want: 400 },
    { name: 'trailing space', input: '/kv/a%20', want: 400 },
    { name: 'dots inside a name are fine', input: '/kv/a/..b/c..', want: 200 },
    { name: 'colons, hashes, unicode are fine', input: '/kv/svc%3Aweb%23%C3%A9', want: 200 },
  ];
  for (const c of cases) {
    const r = await rawRequest(port, 'PUT', `/v1${c.input}`, 'x');
    t.equal(r.status, c.want, c.name);
  }
  t.equal((await http('/kv/')).status, 400, 'GET /v1/kv/ without recurse: Missing key name');
  t.equal(await (await http('/kv/')).text(), 'Missing key name');
  await t.rejects(consul.kv.get('/leading'), { message: /key must not begin/ });
  const e = await consul.kv.set('../escape', 'x').catch((err: unknown) => err);
  t.equal(statusOf(e), 400);
});
