// Issue 17, point 2: Consul's ACL system. Bootstrap (once, again with the reset file), tokens
// and policies durable like KV, rules with exact/prefix/longest match, lists filtered (200 with
// X-Consul-Results-Filtered-By-ACLs) where the old single shared token answered 403, single
// reads and writes 403, the anonymous token, token/self, agent tokens persisted, /metrics
// behind --metrics-token. Driven with node-consul, python3-consul 0.7.1 and curl.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Consul from 'consul';
import t from 'tap';
import { startCatalog, type RunningCatalog } from '../src/index.js';
import { curl, harness, python, statusOf } from './helpers.js';

const ROOT = 'root-secret';

async function api(
  running: RunningCatalog,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const r = await fetch(`${running.url}/v1${path}`, {
    method,
    headers: token ? { 'X-Consul-Token': token } : {},
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text, headers: r.headers };
}

function client(running: RunningCatalog, token?: string): Consul {
  return new Consul({
    host: '127.0.0.1',
    port: running.address.port,
    ...(token ? { defaults: { token } } : {}),
  });
}

async function rejected(p: Promise<unknown>): Promise<{ status?: number; message: string }> {
  return p.then(
    () => ({ message: 'resolved' }),
    (e: Error) => ({ status: statusOf(e), message: e.message }),
  );
}

t.test('bootstrap once with node-consul; again only with the reset file; durable', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-acl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const opts = { listen: '127.0.0.1:0', node: 'node1', dataDir: dir, aclEnabled: true };
  let running = await startCatalog({ ...opts, aclDefaultPolicy: 'deny' });
  let consul = client(running);
  const boot = (await consul.acl.bootstrap()) as {
    SecretID: string;
    AccessorID: string;
    Policies: { Name: string }[];
  };
  t.match(boot, { Policies: [{ Name: 'global-management' }] }, 'a management token');
  const again = await rejected(consul.acl.bootstrap());
  t.equal(again.status, 403);
  t.match(again.message, /ACL bootstrap no longer allowed \(reset index: \d+\)/);
  const policy = await api(running, 'PUT', '/acl/policy', boot.SecretID, {
    Name: 'kv-read',
    Rules: 'key_prefix "" { policy = "read" }',
  });
  t.equal(policy.status, 200);
  consul.destroy();
  await running.close();

  running = await startCatalog({ ...opts, aclDefaultPolicy: 'deny' });
  t.teardown(() => running.close());
  consul = client(running);
  t.teardown(() => consul.destroy());
  const self = await api(running, 'GET', '/acl/token/self', boot.SecretID);
  t.equal(self.status, 200, 'the bootstrap token survived the restart');
  const policies = (await api(running, 'GET', '/acl/policies', boot.SecretID)).json as {
    Name: string;
  }[];
  t.ok(
    policies.some((p) => p.Name === 'kv-read'),
    'the policy survived the restart',
  );
  const index = /reset index: (\d+)/.exec(again.message)?.[1] ?? '';
  await writeFile(join(dir, 'acl-bootstrap-reset'), index);
  const reset = (await consul.acl.bootstrap()) as { SecretID: string };
  t.not(reset.SecretID, boot.SecretID, 'the reset file allows one more bootstrap');
  t.equal((await rejected(consul.acl.bootstrap())).status, 403, 'and only one');
});

t.test('BootstrapSecret chooses the secret (the flow `berth dev` uses)', async (t) => {
  const { running } = await harness(t, { aclEnabled: true, aclDefaultPolicy: 'deny' });
  const r = await api(running, 'PUT', '/acl/bootstrap', undefined, {
    BootstrapSecret: '2b778dd9-f5f1-6f29-b4b4-9a5fa948757a',
  });
  t.equal(r.status, 200);
  t.match(r.json, { SecretID: '2b778dd9-f5f1-6f29-b4b4-9a5fa948757a' });
});

t.test('default deny: lists filtered, single reads and writes 403', async (t) => {
  const { running, consul: root } = await harness(t, { aclToken: ROOT }, ROOT);
  await root.kv.set('pub/a', '1');
  await root.kv.set('pub/rw/b', '2');
  await root.kv.set('priv/c', '3');
  await root.agent.service.register({ name: 'web', port: 80 } as never);
  await root.agent.service.register({ name: 'db', port: 5432 } as never);
  const p = await api(running, 'PUT', '/acl/policy', ROOT, {
    Name: 'reader',
    Rules: [
      'key_prefix "pub/" { policy = "read" }',
      'key_prefix "pub/rw/" { policy = "write" }',
      'service "web" { policy = "read" }',
      'node_prefix "" { policy = "read" }',
    ].join('\n'),
  });
  const tok = await api(running, 'PUT', '/acl/token', ROOT, {
    Description: 'reader',
    Policies: [{ ID: (p.json as { ID: string }).ID }],
  });
  const secret = (tok.json as { SecretID: string }).SecretID;
  const c = client(running, secret);
  t.teardown(() => c.destroy());

  t.equal(((await c.kv.get('pub/a')) as { Value: string }).Value, '1', 'readable key');
  t.equal((await rejected(c.kv.get('priv/c'))).status, 403, 'single read denied');
  const list = await api(running, 'GET', '/kv/?recurse', secret);
  t.same(
    (list.json as { Key: string }[]).map((e) => e.Key),
    ['pub/a', 'pub/rw/b'],
    'recursive read filtered',
  );
  t.equal(list.headers.get('x-consul-results-filtered-by-acls'), 'true');
  t.equal((await rejected(c.kv.set('pub/a', 'x'))).status, 403, 'read-only prefix');
  t.equal(await c.kv.set('pub/rw/b', 'x'), true, 'longer write prefix');
  t.same(Object.keys((await c.catalog.service.list()) as object), ['web'], 'services filtered');
  t.equal(((await c.health.service('db')) as unknown[]).length, 0, 'db instances hidden');
  t.equal(((await c.health.service('web')) as unknown[]).length, 1, 'web instances shown');

  const anon = client(running);
  t.teardown(() => anon.destroy());
  const services = await api(running, 'GET', '/catalog/services', undefined);
  t.equal(services.status, 200, 'anonymous lists: 200, not 403');
  t.same(services.json, {}, 'everything filtered for anonymous');
  t.equal(
    services.headers.get('x-consul-results-filtered-by-acls'),
    null,
    'never told to the anonymous token',
  );
  t.equal(services.headers.get('x-consul-default-acl-policy'), 'deny');
  t.equal((await rejected(anon.kv.set('x', 'y'))).status, 403, 'anonymous write');
  const unknown = await api(running, 'GET', '/kv/pub/a', 'no-such-token');
  t.same([unknown.status, unknown.text], [403, 'ACL not found']);

  // python3-consul 0.7.1 sends its token as ?token=.
  const py = await python(
    running,
    [
      'r = {}',
      "r['read'] = c.kv.get('pub/a')[1]['Value']",
      'try:',
      "    c.kv.put('pub/a', 'nope')",
      "    r['put'] = 'allowed'",
      'except consul.ACLPermissionDenied:',
      "    r['put'] = 'denied'",
      "r['keys'] = c.kv.get('', keys=True)[1]",
      'out = r',
    ].join('\n'),
    { CONSUL_HTTP_TOKEN: secret },
  );
  t.same(py, { read: '1', put: 'denied', keys: ['pub/a', 'pub/rw/b'] }, 'python3-consul');
});

t.test('tokens and policies: create, read, update, clone, delete, list, self', async (t) => {
  const { running } = await harness(t, { aclEnabled: true, aclInitialManagement: ROOT });
  const list = (await api(running, 'GET', '/acl/tokens', ROOT)).json as Record<string, unknown>[];
  t.match(list, [
    { AccessorID: '00000000-0000-0000-0000-000000000002', SecretID: 'anonymous' },
    {
      Description: 'Initial Management Token',
      SecretID: ROOT,
      Policies: [{ ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' }],
    },
  ]);
  const created = await api(running, 'PUT', '/acl/token', ROOT, {
    AccessorID: '00000000-dead-beef-0000-000000000000',
    Description: 'original',
    ServiceIdentities: [{ ServiceName: 'api' }],
  });
  t.equal(created.status, 200, created.text);
  const id = '00000000-dead-beef-0000-000000000000';
  const upd = await api(running, 'PUT', `/acl/token/${id}`, ROOT, { Description: 'updated' });
  t.match(upd.json, { AccessorID: id, Description: 'updated' });
  const clone = await api(running, 'PUT', `/acl/token/${id}/clone`, ROOT, { Description: 'c' });
  t.match(clone.json, { Description: 'c' });
  t.not((clone.json as { AccessorID: string }).AccessorID, id);
  t.equal(((await api(running, 'GET', '/acl/tokens', ROOT)).json as unknown[]).length, 4);
  t.equal((await api(running, 'DELETE', `/acl/token/${id}`, ROOT)).status, 200);
  const gone = await api(running, 'GET', `/acl/token/${id}`, ROOT);
  t.same([gone.status, gone.text], [403, 'ACL not found']);
  const anonDelete = await api(
    running,
    'DELETE',
    '/acl/token/00000000-0000-0000-0000-000000000002',
    ROOT,
  );
  t.equal(anonDelete.status, 400, 'the anonymous token stays');
  const dup = await api(running, 'PUT', '/acl/policy', ROOT, { Name: 'global-management' });
  t.equal(dup.status, 400, 'policy names are unique');
  const bad = await api(running, 'PUT', '/acl/policy', ROOT, { Name: 'x', Rules: 'key {' });
  t.equal(bad.status, 400, 'rules must parse');
  t.match(bad.text, /Failed to parse policy/);
  const read = await api(running, 'GET', '/acl/policy/00000000-0000-0000-0000-000000000001', ROOT);
  t.match(read.json, { Name: 'global-management' });
  const byName = await api(running, 'GET', '/acl/policy/name/global-management', ROOT);
  t.match(byName.json, { ID: '00000000-0000-0000-0000-000000000001' });
  const denied = await api(running, 'GET', '/acl/tokens', 'anonymous');
  t.equal(denied.status, 403, 'acl:read needed');
  const self = await api(running, 'GET', '/acl/token/self', undefined);
  t.match(self.json, { AccessorID: '00000000-0000-0000-0000-000000000002' }, 'anonymous self');
});

t.test('a service identity registers its service and nothing else', async (t) => {
  const { running } = await harness(t, { aclToken: ROOT });
  const tok = await api(running, 'PUT', '/acl/token', ROOT, {
    ServiceIdentities: [{ ServiceName: 'api' }],
  });
  const c = client(running, (tok.json as { SecretID: string }).SecretID);
  t.teardown(() => c.destroy());
  await c.agent.service.register({ name: 'api', port: 1 } as never);
  t.equal((await rejected(c.agent.service.register({ name: 'db', port: 2 } as never))).status, 403);
  t.same(Object.keys((await c.catalog.service.list()) as object).sort(), ['api', 'consul']);
});

t.test('ACLs off: /v1/acl/* is 401, every token accepted', async (t) => {
  const { running, consul } = await harness(t, {}, 'whatever');
  const r = await api(running, 'GET', '/acl/tokens', 'whatever');
  t.same([r.status, r.text], [401, 'ACL support disabled']);
  t.equal(await consul.kv.set('k', 'v'), true);
});

t.test('agent tokens: the default token persists with enable_token_persistence', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-acl-persist-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const opts = {
    listen: '127.0.0.1:0',
    node: 'node1',
    dataDir: dir,
    aclToken: ROOT,
    aclEnableTokenPersistence: true,
  };
  let running = await startCatalog(opts);
  const p = await api(running, 'PUT', '/acl/policy', ROOT, {
    Name: 'kv',
    Rules: 'key_prefix "" { policy = "write" }',
  });
  const tok = await api(running, 'PUT', '/acl/token', ROOT, {
    Policies: [{ ID: (p.json as { ID: string }).ID }],
  });
  const set = await api(running, 'PUT', '/agent/token/default', ROOT, {
    Token: (tok.json as { SecretID: string }).SecretID,
  });
  t.equal(set.status, 200);
  await running.close();
  running = await startCatalog(opts);
  t.teardown(() => running.close());
  const r = await api(running, 'PUT', '/kv/k', undefined, 'v');
  t.equal(r.status, 200, 'a request without a token acts as the persisted default token');
});

t.test('/metrics: --metrics-token required when set', async (t) => {
  const { running } = await harness(t, { aclToken: ROOT, metricsToken: 'scrape' });
  t.equal((await curl(`${running.url}/metrics`)).status, 403);
  t.equal((await curl(`${running.url}/metrics`, ['-H', `X-Consul-Token: ${ROOT}`])).status, 403);
  const ok = await curl(`${running.url}/metrics`, ['-H', 'Authorization: Bearer scrape']);
  t.equal(ok.status, 200);
  t.match(ok.body, /berth_catalog_index/);
  t.equal((await curl(`${running.url}/health`)).status, 200, '/health stays open');
});
