// Issue 4: the Consul adapter against a real berth catalog on 127.0.0.1:0: register with
// checks, replace checks on re-registration, maintenance, list, deregister, and errors marked
// retryable only when Consul is unreachable.
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import { ConsulRegistry, RegistryError, type ServiceRegistration } from '../src/index.js';

const svc: ServiceRegistration = {
  id: 'h1:web:80',
  name: 'web',
  address: '127.0.0.1',
  port: 32768,
  tags: ['a', 'b'],
  meta: { version: '1' },
  checks: [{ TTL: '30s' }, { TCP: '127.0.0.1:1', Interval: '10s' }],
};

t.test('ConsulRegistry against the berth catalog', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const reg = new ConsulRegistry({ url: catalog.url });
  t.teardown(() => reg.close());
  const checkIds = async (): Promise<string[]> =>
    Object.keys((await (await fetch(`${catalog.url}/v1/agent/checks`)).json()) as object).sort();

  await reg.register(svc);
  t.same(await reg.list(), [
    {
      id: svc.id,
      name: 'web',
      address: '127.0.0.1',
      port: 32768,
      tags: ['a', 'b'],
      meta: { version: '1' },
      maintenance: false,
      checks: { [`service:${svc.id}:1`]: 'critical', [`service:${svc.id}:2`]: 'critical' },
    },
  ]);
  t.same(await checkIds(), [`service:${svc.id}:1`, `service:${svc.id}:2`]);

  await reg.setMaintenance(svc.id, true, 'paused');
  t.equal((await reg.list())[0]?.maintenance, true, 'maintenance shows in list()');
  await reg.register({ ...svc, checks: [{ TTL: '10s' }] });
  t.same(
    await checkIds(),
    [`_service_maintenance:${svc.id}`, `service:${svc.id}`],
    'old checks replaced, maintenance kept',
  );
  await reg.setMaintenance(svc.id, false, '');
  t.equal((await reg.list())[0]?.maintenance, false);

  await reg.deregister(svc.id);
  await reg.deregister('unknown'); // not an error
  t.same(await reg.list(), []);

  await t.rejects(
    reg.register({ ...svc, address: '0.0.0.0' }),
    { code: 'REGISTRATOR_REGISTRY', retryable: false },
    'a 400 is not retryable',
  );
  await t.rejects(
    reg.setMaintenance('nope', true, ''),
    RegistryError,
    'maintenance of an unknown service fails',
  );

  await catalog.close();
  await t.rejects(
    reg.list(),
    { code: 'REGISTRATOR_REGISTRY_UNREACHABLE', retryable: true },
    'unreachable is retryable',
  );
});

t.test('the ACL token is sent with every call, register included', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0', aclToken: 'sekret' });
  t.teardown(() => catalog.close());
  const denied = new ConsulRegistry({ url: catalog.url });
  t.teardown(() => denied.close());
  await t.rejects(
    denied.register(svc),
    { code: 'REGISTRATOR_REGISTRY', retryable: false },
    'no token: denied',
  );
  const reg = new ConsulRegistry({
    env: { CONSUL_HTTP_ADDR: catalog.url, CONSUL_HTTP_TOKEN: 'sekret' },
  });
  t.teardown(() => reg.close());
  await reg.register(svc);
  await reg.setMaintenance(svc.id, true, 'x');
  t.equal((await reg.list()).length, 1);
  await reg.deregister(svc.id);
  t.same(await reg.list(), []);
});
