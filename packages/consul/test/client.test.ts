// The client's typed calls against berth's catalog over real HTTP: the local agent's
// endpoints the registrator needs (register with replace-existing-checks, deregister,
// maintenance, TTL check update, listing), KV values decoded from base64 with the single and
// recursive shapes, the token header, and every failure as an errors.ts class (a rejected
// request, an unreachable Consul, an abort, a timeout).
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import {
  ConsulAbortedError,
  ConsulHttpError,
  ConsulUnreachableError,
  createConsul,
} from '../src/index.js';
import { testCatalog } from './helpers/catalog.js';
import { scriptedServer } from './helpers/scripted-server.js';

t.test('agent endpoints: the registrator needs no private client member', async (t) => {
  const cat = await testCatalog();
  t.teardown(() => cat.close());
  const c = createConsul({ url: cat.url });
  t.teardown(() => c.close());
  const register = (checks: { CheckID: string; TTL: string }[]) =>
    c.agentServiceRegister(
      {
        ID: 'host:web:8080',
        Name: 'web',
        Tags: ['urlprefix-/web'],
        Address: '127.0.0.2',
        Port: 32768,
        Meta: { owner: 'berth' },
        Checks: checks,
      },
      { replaceExistingChecks: true },
    );
  await register([
    { CheckID: 'a', TTL: '1h' },
    { CheckID: 'b', TTL: '1h' },
  ]);
  await register([{ CheckID: 'a', TTL: '1h' }]);
  const services = await c.agentServices();
  t.match(services['host:web:8080'], {
    ID: 'host:web:8080',
    Service: 'web',
    Tags: ['urlprefix-/web'],
    Address: '127.0.0.2',
    Port: 32768,
    Meta: { owner: 'berth' },
  });
  let checks = await c.agentChecks();
  t.strictSame(Object.keys(checks).sort(), ['a'], 'replace-existing-checks dropped b');
  t.equal(checks['a']?.Status, 'critical', 'a new TTL check starts critical');
  await c.agentCheckUpdate('a', 'passing', 'all good');
  checks = await c.agentChecks();
  t.match(checks['a'], { Status: 'passing', Output: 'all good' });
  await c.agentServiceMaintenance('host:web:8080', true, 'deploying');
  checks = await c.agentChecks();
  t.match(checks['_service_maintenance:host:web:8080'], { Status: 'critical', Notes: 'deploying' });
  await c.agentServiceMaintenance('host:web:8080', false);
  await c.agentServiceDeregister('host:web:8080');
  await c.agentServiceDeregister('no-such-service');
  t.strictSame(await c.agentServices(), {});
  const err = await c.agentCheckUpdate('no-such-check', 'passing').catch((e: unknown) => e);
  t.ok(err instanceof ConsulHttpError, 'a rejected request is a ConsulHttpError');
  t.equal((err as ConsulHttpError).status, 500);
  t.match((err as Error).message, /does not have associated TTL/);
});

t.test('KV reads decode values; single and recursive shapes; 404 is no entry', async (t) => {
  const cat = await testCatalog();
  t.teardown(() => cat.close());
  const c = createConsul({ url: cat.url });
  t.teardown(() => c.close());
  await c.kvPut('app/x y/1', 'héllo ✓');
  await c.kvPut('app/x y/2', '');
  const one = await c.kvRead('app/x y/1', false);
  t.match(one.body, { Key: 'app/x y/1', Value: 'héllo ✓' });
  t.ok(one.index !== undefined && one.index > 0n);
  const tree = await c.kvRead('app/', true);
  t.ok(Array.isArray(tree.body));
  t.strictSame(
    (tree.body as { Key: string; Value: string | null }[]).map((e) => [e.Key, e.Value]),
    [
      ['app/x y/1', 'héllo ✓'],
      ['app/x y/2', null],
    ],
  );
  const none = await c.kvRead('app/none', false);
  t.equal(none.status, 404);
  t.equal(none.body, undefined);
  t.equal((await c.kvRead('nothing/', true)).body, undefined);
  t.strictSame((await c.kvKeys('app/', '/')).body, ['app/x y/']);
});

t.test('the token goes in X-Consul-Token, never into errors', async (t) => {
  let token: string | undefined;
  const srv = await scriptedServer((req) => {
    token = req.headers['x-consul-token'] as string | undefined;
    return { status: 403, body: 'Permission denied' };
  });
  t.teardown(() => srv.close());
  const c = createConsul({ url: srv.url, token: 's3cr3t' });
  t.teardown(() => c.close());
  const err = await c.catalogNodes().catch((e: unknown) => e);
  t.equal(token, 's3cr3t');
  t.ok(err instanceof ConsulHttpError);
  t.notMatch(String((err as Error).message), /s3cr3t/);
});

t.test('unreachable, aborted and timed-out calls', async (t) => {
  const srv = await scriptedServer(() => ({ index: '5', body: [], delayMs: 2000 }));
  t.teardown(() => srv.close());
  const down = createConsul({ url: 'http://127.0.0.1:1' });
  t.teardown(() => down.close());
  const refused = await down.catalogNodes().catch((e: unknown) => e);
  t.ok(refused instanceof ConsulUnreachableError, 'refused: unreachable');
  t.match((refused as Error).message, /127\.0\.0\.1:1 unreachable: ECONNREFUSED/);

  const c = createConsul({ url: srv.url, requestTimeoutMs: 100 });
  t.teardown(() => c.close());
  const slow = await c.catalogNodes().catch((e: unknown) => e);
  t.ok(slow instanceof ConsulUnreachableError, 'a non-blocking read past its timeout');
  t.match((slow as Error).message, /timed out/);

  const abort = new AbortController();
  const pending = c
    .catalogNodes({ index: 1n, waitMs: 60_000, signal: abort.signal })
    .catch((e: unknown) => e);
  await eventually('the blocking read at the server', () => srv.requests.length === 2);
  const last = srv.requests.at(-1);
  t.equal(last?.query.get('index'), '1');
  t.equal(last?.query.get('wait'), '60000ms');
  abort.abort();
  t.ok((await pending) instanceof ConsulAbortedError, 'abort ends a blocking read at once');
  const again = await c.catalogNodes({ signal: abort.signal }).catch((e: unknown) => e);
  t.ok(again instanceof ConsulAbortedError, 'an aborted signal sends nothing');
  t.equal(srv.requests.length, 2);
});
