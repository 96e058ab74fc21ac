/**
 * berth dns against the real catalog (packages/catalog, in-process on port 0) with real
 * registrations over its Consul HTTP API, followed through @berth/consul's watchCatalog:
 * health flips and maintenance reach DNS answers quickly; with the catalog gone, answers
 * continue from the last snapshot and the status says how stale.
 */
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { consulSource, startDns } from '@berth/dns';
import { digAt } from './fixtures.js';

t.test('real catalog: registrations, health flips, maintenance, catalog down', async (t) => {
  const catalog = await startCatalog({
    listen: '127.0.0.1:0',
    node: 'node1',
    advertise: '127.0.0.1',
  });
  let catalogUp = true;
  t.teardown(async () => {
    if (catalogUp) await catalog.close();
  });
  const put = async (path: string, body?: unknown): Promise<void> => {
    const r = await fetch(`${catalog.url}${path}`, {
      method: 'PUT',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  };
  for (let i = 1; i <= 3; i++) {
    await put('/v1/agent/service/register', {
      ID: `web-${i}`,
      Name: 'web',
      Address: `127.0.0.${10 + i}`,
      Port: 8080 + i,
      Tags: i === 1 ? ['primary'] : [],
      Check: { CheckID: `web-${i}-ttl`, TTL: '10m', Status: 'passing' },
    });
  }
  const source = consulSource({
    url: catalog.url,
    watch: { waitMs: 5000, settleMs: 5, backoff: { baseMs: 50, maxMs: 200 } },
  });
  t.teardown(() => source.close());
  const server = await startDns({ listen: [{ host: '127.0.0.1', port: 0 }] }, source);
  t.teardown(() => server.close());
  const port = server.addresses[0]?.port ?? 0;

  const addrs = async (name = 'web.service.consul'): Promise<string[]> =>
    (await digAt(port, [name])).answer.map((l) => l.split(' ')[4] ?? '').sort();
  const until = async (name: string, want: string[], what: string): Promise<number> => {
    const t0 = Date.now();
    await eventually(what, async () => JSON.stringify(await addrs(name)) === JSON.stringify(want), {
      intervalMs: 5,
    });
    return Date.now() - t0;
  };

  await until('web.service.consul', ['127.0.0.11', '127.0.0.12', '127.0.0.13'], 'first snapshot');
  t.strictSame(await addrs('primary.web.service.consul'), ['127.0.0.11'], 'tag form');
  const srv = await digAt(port, ['_web._tcp.service.consul', 'SRV']);
  t.equal(srv.answer.length, 3);
  t.equal(srv.additional.filter((l) => l.includes(' IN A ')).length, 3);

  const t0 = Date.now();
  await put('/v1/agent/check/fail/web-2-ttl');
  const flipMs = await until('web.service.consul', ['127.0.0.11', '127.0.0.13'], 'critical check');
  t.ok(flipMs >= 0, 'critical instance gone from the answers');
  // Speed is measured by bench/dns/rebuild.mjs, never asserted here.
  t.comment(`critical instance gone ${Date.now() - t0} ms after the check failed`);

  await put('/v1/agent/service/maintenance/web-3?enable=true&reason=test');
  await until('web.service.consul', ['127.0.0.11'], 'maintenance');
  await put('/v1/agent/service/maintenance/web-3?enable=false');
  await put('/v1/agent/check/pass/web-2-ttl');
  await until('web.service.consul', ['127.0.0.11', '127.0.0.12', '127.0.0.13'], 'healthy again');

  await put('/v1/agent/service/deregister/web-1');
  await until('web.service.consul', ['127.0.0.12', '127.0.0.13'], 'deregistered');

  catalogUp = false;
  await catalog.close();
  await eventually(
    'the source reports the catalog unreachable',
    () => server.status().staleForMs !== undefined,
  );
  t.strictSame(
    await addrs(),
    ['127.0.0.12', '127.0.0.13'],
    'answers continue from the last snapshot',
  );
});
