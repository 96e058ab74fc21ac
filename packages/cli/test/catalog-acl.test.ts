/**
 * Issue 17 point 2, `berth dev`'s side: the catalog's ACLs bootstrapped by berth dev
 * (catalog-acl.ts) against a real in-process catalog with ACLs on and default deny. Each
 * daemon's token can make the calls its daemon makes and nothing more; the anonymous token is
 * refused or filtered; the bootstrap is idempotent (a second one is a 403 and the existing
 * tokens are read back), durable with a data dir, redone after a memory-only restart with the
 * same secrets, recovers a lost management secret through the data dir, and corrects a policy
 * that drifted. No Docker needed.
 */
import t, { type Test } from 'tap';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCatalog, type RunningCatalog } from '@berth/catalog';
import {
  DAEMON_POLICIES,
  type DaemonToken,
  aclDaemon,
  daemonToken,
} from '../src/dev/acl-policies.js';
import { CatalogAcl, ensureManagementSecret } from '../src/dev/catalog-acl.js';

const LABELS = [
  'catalog',
  'scheduler',
  'scheduler@2',
  'agent',
  'registrator',
  'dns',
  'router',
  'console',
  'agent@h2',
  'registrator@h2',
  'dns@h2',
  'router@h2',
];

async function aclCatalog(
  t: Test,
  dataDir?: string,
): Promise<RunningCatalog & { stop(): Promise<void> }> {
  const c = await startCatalog({
    listen: '127.0.0.1:0',
    node: 'node1',
    aclEnabled: true,
    aclDefaultPolicy: 'deny',
    ...(dataDir ? { dataDir, aclEnableTokenPersistence: true } : {}),
  });
  let closed = false;
  const stop = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await c.close();
  };
  t.teardown(stop);
  return Object.assign(c, { stop });
}

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

async function call(
  url: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const send = () =>
    fetch(`${url}${path}`, {
      method,
      headers: token ? { 'X-Consul-Token': token } : {},
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  // A keep-alive socket to a catalog that was restarted on the same port may be stale.
  const res = await send().catch(send);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

const tokenOf = (secret: string, label: string): DaemonToken => {
  const tok = daemonToken(secret, label);
  if (!tok) throw new Error(`no token for ${label}`);
  return tok;
};

t.test('which daemons get a token, and the tokens are stable and distinct', async (t) => {
  const cases = [
    { name: 'the catalog gets none', input: 'catalog', want: undefined },
    { name: 'the agent gets none', input: 'agent', want: undefined },
    { name: 'nor a host agent', input: 'agent@h3', want: undefined },
    { name: 'scheduler', input: 'scheduler', want: 'scheduler' },
    { name: 'a scheduler replica', input: 'scheduler@2', want: 'scheduler' },
    { name: 'a host registrator', input: 'registrator@h2', want: 'registrator' },
    { name: 'dns', input: 'dns', want: 'dns' },
    { name: 'router', input: 'router@h1', want: 'router' },
    { name: 'console', input: 'console', want: 'console' },
  ] as const;
  for (const c of cases) t.equal(aclDaemon(c.input), c.want, c.name);

  const a = 'c7d5bb1b-3c4e-4f8f-9f55-0d3a1f7e2b10';
  const b = '0b1e2d3c-4a5b-4c6d-8e7f-8091a2b3c4d5';
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const tokens = LABELS.map((l) => daemonToken(a, l)).filter((x) => x !== undefined);
  t.equal(tokens.length, 9, 'one token per daemon process but the catalog and the agents');
  const ids = tokens.flatMap((x) => [x.accessorId, x.secretId]);
  t.equal(new Set(ids).size, ids.length, 'every AccessorID and SecretID differs');
  for (const id of ids) t.match(id, uuid, 'a UUID');
  t.same(daemonToken(a, 'dns@h2'), daemonToken(a, 'dns@h2'), 'the same label, the same token');
  t.not(daemonToken(a, 'dns')?.secretId, daemonToken(b, 'dns')?.secretId, 'another secret');
  t.notOk(ids.includes(a), 'the management secret is not one of them');
});

t.test('the management secret file: 0600, kept across runs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-acl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'sub', 'catalog-token');
  const first = await ensureManagementSecret(file);
  t.match(first, /^[0-9a-f-]{36}$/);
  t.equal((await stat(file)).mode & 0o777, 0o600, 'mode 0600');
  t.equal(await ensureManagementSecret(file), first, 'the same secret next time');
  t.equal((await readFile(file, 'utf8')).trim(), first);
});

t.test('each daemon token can make its daemon’s calls and nothing more', async (t) => {
  const cat = await aclCatalog(t);
  const mgmt = 'f0e1d2c3-b4a5-4697-8889-7a6b5c4d3e2f';
  await new CatalogAcl({ url: cat.url, managementSecret: mgmt, labels: LABELS }).ensure();
  const m = (method: string, path: string, body?: unknown) =>
    call(cat.url, mgmt, method, path, body);
  // What the daemons would find: a registered service with a check, the scheduler's state,
  // the router's manual routes.
  t.equal(
    (
      await m('PUT', '/v1/agent/service/register', {
        ID: 'web-1',
        Name: 'web',
        Port: 8080,
        Check: { CheckID: 'web-1-ttl', TTL: '30s' },
      })
    ).status,
    200,
  );
  t.equal((await m('PUT', '/v1/kv/berth/scheduler/clusters/default', '{}')).status, 200);
  t.equal((await m('PUT', '/v1/kv/fabio/config', 'route add a /a http://x/')).status, 200);
  t.equal((await m('PUT', '/v1/kv/fabio/config/extra', 'route del a')).status, 200);
  t.equal((await m('PUT', '/v1/kv/fabio/configuration', 'not the router’s')).status, 200);
  t.equal((await m('PUT', '/v1/kv/other/key', 'x')).status, 200);

  const session = (await m('PUT', '/v1/session/create', {})).json as { ID: string };
  type Want = number | ((a: Answer) => boolean);
  const allowed: Want = 200;
  const denied: Want = 403;
  // A list filtered to nothing: `[]`/`{}`, or a 404 for KV.
  const none = (a: Answer): boolean => a.status === 404 || count(0)(a);
  const count =
    (n: number) =>
    (a: Answer): boolean =>
      a.status === 200 &&
      (Array.isArray(a.json) ? a.json.length : Object.keys(a.json as object).length) === n;
  const probes: Record<string, [string, string, unknown?][]> = {
    // watchCatalog (dns, router, console, and the scheduler's drain)
    health: [['GET', '/v1/health/service/web']],
    healthState: [['GET', '/v1/health/state/any']],
    services: [['GET', '/v1/catalog/services']],
    nodes: [['GET', '/v1/catalog/nodes']],
    node: [['GET', '/v1/catalog/node/node1']],
    // the scheduler
    kvState: [['GET', '/v1/kv/berth/scheduler/?recurse']],
    kvStateWrite: [['PUT', '/v1/kv/berth/scheduler/clusters/default?cas=0', '{}']],
    txn: [['PUT', '/v1/txn', [{ KV: { Verb: 'set', Key: 'berth/scheduler/x', Value: 'eA==' } }]]],
    session: [['PUT', '/v1/session/create', { Name: 'probe', TTL: '15s' }]],
    sessionRenew: [['PUT', `/v1/session/renew/${session.ID}`]],
    agentServices: [['GET', '/v1/agent/services']],
    maintenance: [['PUT', '/v1/agent/service/maintenance/web-1?enable=true&reason=drain']],
    // the registrator
    register: [
      [
        'PUT',
        '/v1/agent/service/register?replace-existing-checks',
        { ID: 'probe-1', Name: 'probe', Port: 1, Check: { CheckID: 'probe-1-ttl', TTL: '30s' } },
      ],
    ],
    checkUpdate: [['PUT', '/v1/agent/check/update/web-1-ttl', { Status: 'passing' }]],
    agentChecks: [['GET', '/v1/agent/checks']],
    // the router
    manual: [['GET', '/v1/kv/fabio/config?recurse']],
    manualKey: [['GET', '/v1/kv/fabio/config']],
    // what nobody but management needs
    kvOther: [['GET', '/v1/kv/other/key']],
    kvOtherWrite: [['PUT', '/v1/kv/other/key', 'y']],
    kvFabioSibling: [['GET', '/v1/kv/fabio/configuration']],
    kvFabioWrite: [['PUT', '/v1/kv/fabio/config', 'route add b /b http://y/']],
    aclRead: [['GET', '/v1/acl/tokens']],
    aclWrite: [
      ['PUT', '/v1/acl/policy', { Name: 'mine', Rules: 'key_prefix "" { policy = "write" }' }],
    ],
    nodeWrite: [['PUT', '/v1/agent/maintenance?enable=true']],
    query: [['POST', '/v1/query', { Name: 'q', Service: { Service: 'web' } }]],
    event: [['PUT', '/v1/event/fire/deploy']],
  };
  const table: Record<string, Record<string, Want>> = {
    scheduler: {
      health: count(1),
      kvState: allowed,
      kvStateWrite: allowed,
      txn: allowed,
      session: allowed,
      sessionRenew: allowed,
      agentServices: count(1),
      maintenance: allowed,
      register: allowed, // service write: what putting a service in maintenance needs
      kvOther: denied,
      kvOtherWrite: denied,
      manualKey: denied,
      aclRead: denied,
      aclWrite: denied,
      nodeWrite: denied,
      query: denied,
      event: denied,
    },
    registrator: {
      register: allowed,
      checkUpdate: allowed,
      maintenance: allowed,
      agentServices: count(1),
      agentChecks: count(1),
      nodes: count(1),
      kvState: none,
      kvStateWrite: denied,
      txn: (a) => a.status === 409 || a.status === 403,
      session: denied,
      manualKey: denied,
      kvOther: denied,
      aclRead: denied,
      nodeWrite: denied,
      event: denied,
    },
    dns: {
      health: count(1),
      healthState: (a) => a.status === 200 && (a.json as unknown[]).length >= 2,
      services: (a) => a.status === 200 && 'web' in (a.json as object),
      nodes: count(1),
      node: allowed,
      kvOtherWrite: denied,
      kvState: none,
      manualKey: denied,
      register: denied,
      maintenance: denied,
      session: denied,
      aclRead: denied,
      query: denied,
    },
    router: {
      health: count(1),
      services: (a) => a.status === 200 && 'web' in (a.json as object),
      nodes: count(1),
      manual: count(2),
      manualKey: allowed,
      kvFabioSibling: denied,
      kvFabioWrite: denied,
      kvState: none,
      kvOther: denied,
      register: denied,
      session: denied,
      aclRead: denied,
    },
    console: {
      health: count(1),
      services: (a) => a.status === 200 && 'web' in (a.json as object),
      nodes: count(1),
      manualKey: denied,
      kvState: none,
      kvOtherWrite: denied,
      register: denied,
      maintenance: denied,
      session: denied,
      aclRead: denied,
    },
    anonymous: {
      services: count(0),
      health: count(0),
      nodes: count(0),
      agentServices: count(0),
      kvState: none,
      manualKey: denied,
      kvOtherWrite: denied,
      register: denied,
      session: denied,
      aclRead: denied,
    },
  };
  for (const [who, wants] of Object.entries(table)) {
    const secret = who === 'anonymous' ? undefined : tokenOf(mgmt, who).secretId;
    for (const [probe, want] of Object.entries(wants)) {
      for (const [method, path, body] of probes[probe]!) {
        const a = await call(cat.url, secret, method, path, body);
        const ok = typeof want === 'number' ? a.status === want : want(a);
        t.ok(ok, `${who}: ${probe} (${method} ${path}) -> ${a.status} ${a.text.slice(0, 120)}`);
      }
      // Undo what a probe changed for the next daemon's probes.
      await m('PUT', '/v1/agent/service/maintenance/web-1?enable=false');
      await m('PUT', '/v1/agent/service/deregister/probe-1');
      await m('PUT', '/v1/agent/maintenance?enable=false');
    }
  }
  t.ok(
    Object.keys(DAEMON_POLICIES).every((d) => d in table),
    'every daemon with a policy is probed',
  );
});

t.test('idempotent, durable, restored after a memory-only restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-acl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'catalog');
  const mgmt = 'a1b2c3d4-e5f6-4789-8abc-def012345678';
  let cat = await aclCatalog(t, dataDir);
  const labels = ['scheduler', 'dns', 'agent'];
  await new CatalogAcl({ url: cat.url, managementSecret: mgmt, labels }).ensure();
  const dns = tokenOf(mgmt, 'dns');
  const created = (await call(cat.url, mgmt, 'GET', `/v1/acl/token/${dns.accessorId}`)).json as {
    CreateIndex: number;
  };
  const again = await call(cat.url, undefined, 'PUT', '/v1/acl/bootstrap', {});
  t.equal(again.status, 403, 'a second bootstrap is refused');
  t.match(again.text, /no longer allowed/);

  // berth dev again (the same secret, a new CatalogAcl), then the catalog restarted on its data dir.
  await new CatalogAcl({ url: cat.url, managementSecret: mgmt, labels }).ensure();
  await cat.stop();
  cat = await aclCatalog(t, dataDir);
  const self = await call(cat.url, dns.secretId, 'GET', '/v1/acl/token/self');
  t.equal(self.status, 200, 'the dns token survived the restart');
  await new CatalogAcl({ url: cat.url, managementSecret: mgmt, labels }).ensure(['registrator@h2']);
  const after = (await call(cat.url, mgmt, 'GET', `/v1/acl/token/${dns.accessorId}`)).json as {
    CreateIndex: number;
  };
  t.equal(after.CreateIndex, created.CreateIndex, 'read back, not recreated');
  const reg = tokenOf(mgmt, 'registrator@h2');
  t.equal(
    (await call(cat.url, reg.secretId, 'GET', '/v1/acl/token/self')).status,
    200,
    'a daemon added later gets its token',
  );

  // A policy changed by hand is put back.
  const pol = (await call(cat.url, mgmt, 'GET', '/v1/acl/policy/name/berth-dns')).json as {
    ID: string;
  };
  const widened = await call(cat.url, mgmt, 'PUT', `/v1/acl/policy/${pol.ID}`, {
    Name: 'berth-dns',
    Rules: 'key_prefix "" { policy = "write" }',
  });
  t.equal(widened.status, 200);
  const acl = new CatalogAcl({ url: cat.url, managementSecret: mgmt, labels });
  await acl.ensure();
  const back = (await call(cat.url, mgmt, 'GET', `/v1/acl/policy/${pol.ID}`)).json as {
    Rules: string;
  };
  t.equal(back.Rules, DAEMON_POLICIES.dns.rules, 'the drifted policy is corrected');
  t.equal(
    (await call(cat.url, dns.secretId, 'PUT', '/v1/kv/x', 'y')).status,
    403,
    'and the dns token cannot write KV again',
  );

  // The management secret file lost: a new secret takes over through acl-bootstrap-reset.
  const other = 'b2c3d4e5-f6a7-4890-9bcd-ef0123456789';
  await new CatalogAcl({
    url: cat.url,
    managementSecret: other,
    catalogDataDir: dataDir,
    labels,
  }).ensure();
  t.equal(
    (await call(cat.url, other, 'GET', '/v1/acl/tokens')).status,
    200,
    'the new management secret works',
  );
  t.equal(
    (await call(cat.url, tokenOf(other, 'dns').secretId, 'GET', '/v1/acl/token/self')).status,
    200,
    'with its daemon tokens',
  );
  await t.rejects(
    new CatalogAcl({
      url: cat.url,
      managementSecret: 'c3d4e5f6-a7b8-4901-8cde-f01234567890',
      labels,
    }).ensure(),
    /another management secret/,
    'without the data dir it says why it cannot bootstrap',
  );

  // Memory only: a restarted catalog has forgotten everything; ensure recreates the same tokens.
  const mem = await aclCatalog(t);
  const memAcl = new CatalogAcl({ url: mem.url, managementSecret: mgmt, labels });
  await memAcl.ensure();
  await mem.stop();
  const mem2 = await startCatalog({
    listen: `127.0.0.1:${mem.address.port}`,
    node: 'node1',
    aclEnabled: true,
    aclDefaultPolicy: 'deny',
  });
  t.teardown(() => mem2.close());
  t.equal((await call(mem2.url, dns.secretId, 'GET', '/v1/acl/token/self')).status, 403);
  await memAcl.ensure();
  t.equal(
    (await call(mem2.url, dns.secretId, 'GET', '/v1/catalog/services')).status,
    200,
    'the same dns secret works again',
  );
  t.same(memAcl.env('dns'), { CONSUL_HTTP_TOKEN: dns.secretId }, 'handed in the environment');
  t.same(memAcl.env('agent'), {}, 'the agent gets none');
});
