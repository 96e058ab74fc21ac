// Cross-cutting HTTP rules (consul-api.md §1): verbs and 405/Allow, OPTIONS, error codes, ACL
// on and off with the three token forms, ?dc, consistency flags, /health and /metrics, and
// malformed input that must never crash the server.
import { connect } from 'node:net';
import Consul from 'consul';
import t from 'tap';
import { harness, rawRequest, statusOf } from './helpers.js';

t.test('verbs: 405 with Allow, OPTIONS 200, unknown routes 404', async (t) => {
  const { http } = await harness(t);
  const cases = [
    {
      name: 'GET on register',
      input: ['GET', '/agent/service/register'],
      want: 405,
      allow: 'OPTIONS,PUT',
    },
    {
      name: 'GET on deregister (python 0.7.1 style)',
      input: ['GET', '/agent/service/deregister/x'],
      want: 405,
      allow: 'OPTIONS,PUT',
    },
    {
      name: 'GET on check pass',
      input: ['GET', '/agent/check/pass/x'],
      want: 405,
      allow: 'OPTIONS,PUT',
    },
    { name: 'POST on kv', input: ['POST', '/kv/a'], want: 405, allow: 'OPTIONS,GET,PUT,DELETE' },
    {
      name: 'PUT on catalog services',
      input: ['PUT', '/catalog/services'],
      want: 405,
      allow: 'OPTIONS,GET',
    },
    { name: 'DELETE on txn', input: ['DELETE', '/txn'], want: 405, allow: 'OPTIONS,PUT' },
    {
      name: 'OPTIONS on kv',
      input: ['OPTIONS', '/kv/a'],
      want: 200,
      allow: 'OPTIONS,GET,PUT,DELETE',
    },
    { name: 'unknown route', input: ['GET', '/nope'], want: 404, allow: null },
  ];
  for (const c of cases) {
    const r = await http(c.input[1] as string, { method: c.input[0] as string });
    t.equal(r.status, c.want, c.name);
    t.equal(r.headers.get('allow'), c.allow, `${c.name}: Allow`);
    if (c.want === 405)
      t.equal(await r.text(), `method ${c.input[0]} not allowed`, `${c.name}: body`);
  }
});

t.test('legacy clients flag accepts python-consul 0.7.1 GET writes', async (t) => {
  const { http } = await harness(t, { legacyClients: true });
  const r = await http('/agent/service/deregister/x');
  t.equal(r.status, 200);
  t.equal((await http('/agent/service/register')).status, 405, 'only the listed legacy writes');
});

t.test('parameters: dc, consistency, max_stale, passing, state', async (t) => {
  const { http, consul } = await harness(t);
  const cases = [
    { name: 'local dc', input: '/catalog/services?dc=dc1', want: 200, text: undefined },
    {
      name: 'other dc',
      input: '/catalog/services?dc=dc2',
      want: 500,
      text: 'No path to datacenter',
    },
    {
      name: 'stale+consistent',
      input: '/catalog/services?stale&consistent',
      want: 400,
      text: 'Cannot specify ?stale with ?consistent, conflicting semantics.',
    },
    {
      name: 'cached+consistent',
      input: '/catalog/services?cached&consistent=1',
      want: 400,
      text: undefined,
    },
    {
      name: 'bad max_stale',
      input: '/catalog/services?max_stale=soon',
      want: 400,
      text: 'Invalid max_stale value "soon"',
    },
    { name: 'passing=1', input: '/health/service/consul?passing=1', want: 200, text: undefined },
    { name: 'passing empty', input: '/health/service/consul?passing', want: 200, text: undefined },
    {
      name: 'passing junk',
      input: '/health/service/consul?passing=yes',
      want: 400,
      text: 'Invalid value for ?passing',
    },
    { name: 'bad state', input: '/health/state/sick', want: 400, text: undefined },
    { name: 'bad escape in path', input: '/kv/%E0%A4%A', want: 400, text: undefined },
  ];
  for (const c of cases) {
    const r = await http(c.input);
    t.equal(r.status, c.want, c.name);
    if (c.text !== undefined) t.equal(await r.text(), c.text, `${c.name}: body`);
  }
  const stale = await http('/kv/x?stale');
  t.equal(stale.headers.get('x-consul-effective-consistency'), 'stale');
  const e = await consul.kv.get({ key: 'x', dc: 'dc2' } as never).catch((err: unknown) => err);
  t.equal(statusOf(e), 500, 'node client sees the dc error');
  const pretty = await (await http('/catalog/services?pretty')).text();
  t.match(pretty, /\n {4}"consul"/, '?pretty indents');
  t.equal((await http('/acl/token/self')).status, 401, 'ACL endpoints while ACLs are off');
});

t.test('ACL on: the three token forms, 403 otherwise, status open', async (t) => {
  const token = 'sekret-token';
  const { http, consul, running } = await harness(t, { aclToken: token }, token);
  const cases = [
    { name: 'no token', input: {}, path: '/kv/a', want: 403 },
    { name: 'wrong token', input: { 'X-Consul-Token': 'nope' }, path: '/kv/a', want: 403 },
    { name: 'X-Consul-Token', input: { 'X-Consul-Token': token }, path: '/kv/a', want: 404 },
    { name: 'Bearer', input: { Authorization: `Bearer ${token}` }, path: '/kv/a', want: 404 },
    {
      name: 'bearer lower-case scheme',
      input: { Authorization: `bearer ${token}` },
      path: '/kv/a',
      want: 404,
    },
    { name: '?token=', input: {}, path: `/kv/a?token=${token}`, want: 404 },
    {
      name: '?token= wins over a wrong header',
      input: { 'X-Consul-Token': 'nope' },
      path: `/kv/a?token=${token}`,
      want: 404,
    },
    { name: 'status/leader needs no token', input: {}, path: '/status/leader', want: 200 },
    { name: 'agent self needs it', input: {}, path: '/agent/self', want: 403 },
  ];
  for (const c of cases) {
    const r = await http(c.path, { headers: c.input as Record<string, string> });
    t.equal(r.status, c.want, c.name);
  }
  const denied = await http('/kv/a');
  t.equal(denied.headers.get('x-consul-default-acl-policy'), 'deny');
  t.equal(await consul.kv.set('with-token', 'v'), true, 'node client with defaults.token');
  const noToken = new Consul({ host: '127.0.0.1', port: running.address.port });
  t.teardown(() => noToken.destroy());
  const err = await noToken.kv.get('with-token').catch((e: unknown) => e);
  t.equal(statusOf(err), 403, 'node client without a token');
});

t.test('ACL off: any token accepted and ignored', async (t) => {
  const { http } = await harness(t, {}, 'root');
  for (const tok of ['root', 'agent_master', 'anything']) {
    t.equal((await http(`/kv/a?token=${tok}`)).status, 404, `?token=${tok}`);
    t.equal(
      (await http('/kv/a', { headers: { 'X-Consul-Token': tok } })).status,
      404,
      `header ${tok}`,
    );
  }
});

t.test('/health and /metrics beside /v1', async (t) => {
  const { running } = await harness(t);
  const h = await fetch(`${running.url}/health`);
  t.equal(h.status, 200);
  t.match(await h.json(), { status: 'ok' });
  await fetch(`${running.url}/v1/kv/m`, { method: 'PUT', body: 'x' });
  await fetch(`${running.url}/v1/nope`);
  const m = await (await fetch(`${running.url}/metrics`)).text();
  t.match(m, /berth_catalog_http_requests_total\{route="\/v1\/kv\/",method="PUT",code="200"/);
  t.match(m, /berth_catalog_http_requests_total\{route="unknown",method="GET",code="404"/);
  t.match(m, /berth_catalog_kv_writes_total\{[^}]*\} 1/);
  t.match(m, /berth_catalog_index\{[^}]*\} \d+/);
  t.match(m, /berth_catalog_blocking_queries/);
  t.match(m, /berth_catalog_fsync_seconds_bucket/);
});

t.test('malformed input never crashes the server', async (t) => {
  const { running, http } = await harness(t);
  const port = running.address.port;
  const bodies = [
    '',
    'null',
    '[]',
    '"str"',
    '{"Name":{}}',
    '{"Name":"x","Check":[]}',
    '{"Name":"x","Checks":{}}',
    '\u0000\u0001',
    '{"Name":"x","Port":"80"}',
    '{"Name":"x","Weights":{"Passing":0}}',
    '{"Name":"x","Meta":{"consul-x":"y"}}',
    '{"Name":"x","Check":{"HTTP":"http://127.0.0.1:1","Interval":"1s","Header":{"a":"b"}}}',
  ];
  const paths = [
    '/v1/agent/service/register',
    '/v1/agent/check/register',
    '/v1/session/create',
    '/v1/txn',
    '/v1/catalog/register',
    '/v1/catalog/deregister',
    '/v1/agent/check/update/x',
  ];
  for (const p of paths) {
    for (const b of bodies) {
      const r = await rawRequest(port, 'PUT', p, b);
      t.ok(
        (r.status >= 200 && r.status < 600 && r.status !== 500) ||
          p.includes('update') ||
          p.includes('session'),
        `${p} ${JSON.stringify(b)} -> ${r.status}`,
      );
    }
  }
  const weird = [
    '/v1/kv/%',
    '/v1/kv/a?index=-1',
    '/v1/kv/a?index=99999999999999999999999',
    '/v1/health/service/?passing',
    '/v1/catalog/service/',
    '/v1/kv/a?wait=-5s',
    '/v1/kv/a?flags=x',
    '/v1//',
    '/v1/agent/service/%ZZ',
  ];
  for (const p of weird) {
    const r = await rawRequest(port, 'GET', p);
    t.ok(r.status >= 200 && r.status < 500, `${p} -> ${r.status}`);
  }
  // A garbage request line gets a 400 from the HTTP parser, and the server keeps serving.
  await new Promise<void>((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.end('NOT HTTP AT ALL\r\n\r\n'));
    s.on('data', () => {});
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
  const big = await rawRequest(
    port,
    'PUT',
    '/v1/agent/service/register',
    Buffer.alloc(2 * 1024 * 1024, 32),
  );
  t.equal(big.status, 413, 'oversize JSON body');
  t.equal((await http('/status/leader')).status, 200, 'still serving');
});
