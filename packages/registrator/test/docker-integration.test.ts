// Issue 4 integration: real Docker (berth/busybox:test), the berth catalog, the registrator
// in-process. Start / stop / kill / rename / pause and the catalog follows; a resync with
// nothing changed moves no index; a catalog restarted without state gets every service back;
// a Docker event stream that breaks (engine restart) reconnects and resyncs.
//
// Only containers labelled berth.test=<run id> are created, registered and removed.
import { eventually } from '@berth/daemon/testing';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startCatalog, type RunningCatalog } from '@berth/catalog';
import { TEST_LABEL, newRunId, requireDocker, testRun } from '../../../test/helpers/docker.js';
import { type ReconcileReport, startRegistrator } from '../src/index.js';
import { ownedServices } from './helpers.js';

t.test('issue 4: the catalog follows Docker', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const run = testRun(docker, t, newRunId());
  const hostname = `it-${run.runId}`;
  let catalog: RunningCatalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const running = await startRegistrator({
    consul: catalog.url,
    ip: '127.0.0.1',
    hostname,
    labelFilter: [{ key: TEST_LABEL, value: run.runId }],
    resync: 0,
    consulProbe: 200,
    retryInterval: 50,
  });
  t.teardown(() => running.close());
  const r = running.registrator;
  const failures: unknown[] = [];
  r.on('failure', (f) => failures.push(f));
  await running.synced;
  const services = () => ownedServices(catalog.url, hostname);
  const name = (n: string) => `${n}-${run.runId}`;

  const a = await run.createContainer({
    name: name('a'),
    ports: [8080],
    env: { SERVICE_NAME: 'alpha', SERVICE_CHECK_HTTP: '/', SERVICE_CHECK_INTERVAL: '1s' },
  });
  const b = await run.createContainer({
    name: name('b'),
    ports: [8080],
    env: { SERVICE_NAME: 'beta' },
  });
  const idA = `${hostname}:${name('a')}:8080`;
  const idB = `${hostname}:${name('b')}:8080`;

  await t.test('start: each published port is registered at 127.0.0.1:<host port>', async (t) => {
    await eventually('a and b registered', async () => (await services()).size === 2, {
      timeoutMs: 15_000,
    });
    const s = await services();
    t.equal(s.get(idA)?.Service, 'alpha');
    t.equal(s.get(idA)?.Port, await a.hostPort(8080));
    t.equal(s.get(idA)?.Address, '127.0.0.1');
    t.equal(s.get(idB)?.Port, await b.hostPort(8080));
    const res = await fetch(`http://127.0.0.1:${s.get(idA)?.Port}/`);
    t.equal(res.status, 200, 'the registered address answers');
    await res.arrayBuffer();
    await eventually(
      'the HTTP check passes',
      async () => {
        const h = (await (
          await fetch(`${catalog.url}/v1/health/service/alpha?passing=1`)
        ).json()) as unknown[];
        return h.length === 1;
      },
      { timeoutMs: 15_000 },
    );
  });

  await t.test('a resync with nothing changed deregisters nothing (index unchanged)', async (t) => {
    const index = async (): Promise<string | null> => {
      const res = await fetch(`${catalog.url}/v1/catalog/service/alpha`);
      await res.arrayBuffer();
      return res.headers.get('x-consul-index');
    };
    const before = await index();
    const reports: ReconcileReport[] = [];
    r.on('reconcile', (rep) => reports.push(rep));
    for (let i = 0; i < 3; i++) await r.requestReconcile('manual');
    t.equal(await index(), before, `X-Consul-Index of alpha stays ${before}`);
    t.equal(reports.length, 3);
    for (const rep of reports)
      t.match(rep, { registered: 0, deregistered: 0, maintenance: 0, unchanged: 2 });
  });

  await t.test('pause puts the service in maintenance, unpause takes it out', async (t) => {
    const maint = async (): Promise<boolean> => {
      const checks = (await (await fetch(`${catalog.url}/v1/agent/checks`)).json()) as Record<
        string,
        unknown
      >;
      return `_service_maintenance:${idB}` in checks;
    };
    await b.container.pause();
    await eventually('maintenance on', maint, { timeoutMs: 15_000 });
    await b.container.unpause();
    await eventually('maintenance off', async () => !(await maint()), { timeoutMs: 15_000 });
    t.ok((await services()).has(idB), 'still registered');
  });

  await t.test('rename: the old ID goes, the new one comes', async (t) => {
    await b.container.rename({ name: name('b2') });
    const idB2 = `${hostname}:${name('b2')}:8080`;
    await eventually(
      'renamed',
      async () => {
        const s = await services();
        return s.has(idB2) && !s.has(idB);
      },
      { timeoutMs: 15_000 },
    );
    t.pass(`${idB} became ${idB2}`);
  });

  await t.test('stop and kill deregister', async (t) => {
    await b.container.stop({ t: 1 });
    await eventually('b deregistered', async () => (await services()).size === 1, {
      timeoutMs: 15_000,
    });
    await a.container.kill();
    await eventually('a deregistered', async () => (await services()).size === 0, {
      timeoutMs: 15_000,
    });
    t.pass('both gone');
  });

  await t.test('a catalog restarted without state gets every service back', async (t) => {
    const c = await run.createContainer({ name: name('c'), ports: [8080] });
    const d = await run.createContainer({ name: name('d'), ports: [8080] });
    await eventually('c and d registered', async () => (await services()).size === 2, {
      timeoutMs: 15_000,
    });
    const port = catalog.address.port;
    await catalog.close();
    const reports: ReconcileReport[] = [];
    r.on('reconcile', (rep) => reports.push(rep));
    catalog = await startCatalog({ listen: `127.0.0.1:${port}` });
    await eventually('c and d back', async () => (await services()).size === 2, {
      timeoutMs: 15_000,
    });
    t.match(
      reports.find((rep) => rep.registered > 0),
      { trigger: /^registry-(changed|reconnected)$/, registered: 2 },
      'a reconcile noticed the empty catalog and re-registered both',
    );
    const s = await services();
    t.equal(s.get(`${hostname}:${name('c')}:8080`)?.Port, await c.hostPort(8080));
    t.equal(s.get(`${hostname}:${name('d')}:8080`)?.Port, await d.hostPort(8080));
    await c.container.remove({ force: true });
    await d.container.remove({ force: true });
    await eventually('c and d gone', async () => (await services()).size === 0, {
      timeoutMs: 15_000,
    });
  });

  t.same(
    failures.filter((f) => !String((f as { op: string }).op).startsWith('probe')),
    [],
    'no failed sync',
  );
});

t.test('issue 4: a broken Docker event stream reconnects and resyncs', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const run = testRun(docker, t, newRunId());
  const hostname = `px-${run.runId}`;
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());

  // A unix-socket proxy in front of the engine: dropping it looks like a Docker restart.
  const dir = mkdtempSync(join(tmpdir(), 'berth-registrator-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'docker.sock');
  const sockets = new Set<net.Socket>();
  let server = net.createServer();
  const listen = (): Promise<void> => {
    server = net.createServer((client) => {
      const upstream = net.connect('/var/run/docker.sock');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    return new Promise((resolve) => server.listen(path, resolve));
  };
  const drop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  await listen();
  t.teardown(() => drop());

  const running = await startRegistrator({
    consul: catalog.url,
    ip: '127.0.0.1',
    hostname,
    docker: path,
    labelFilter: [{ key: TEST_LABEL, value: run.runId }],
    resync: 0,
    consulProbe: 0,
  });
  t.teardown(() => running.close());
  const r = running.registrator;
  const states: boolean[] = [];
  await running.synced;
  r.on('runtime', (e) => states.push(e.connected));

  await drop(); // the engine "goes away": stream broken, new connections refused
  await eventually('disconnect seen', () => !r.runtimeConnected, { timeoutMs: 5000 });
  const e = await run.createContainer({ name: `e-${run.runId}`, ports: [8080] });
  await listen(); // the engine is back
  await eventually(
    'registered after reconnect',
    async () => {
      const s = await ownedServices(catalog.url, hostname);
      return s.get(`${hostname}:e-${run.runId}:8080`)?.Port === (await e.hostPort(8080));
    },
    { timeoutMs: 15_000 },
  );
  t.same(states.slice(0, 2), [false, true], 'disconnected, then connected again');
});
