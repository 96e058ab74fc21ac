import t from 'tap';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Consul from 'consul';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { startRouter, defaultMaxConnections } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/daemon/main.js', import.meta.url));
const held: { end(): void }[] = [];
const backend = await startBackend('b', (req, res) => {
  if (req.url === '/hold') held.push(res);
  else res.end('ok');
});
t.teardown(() => backend.close());

/** Opens a connection that made one request and now sits idle in keep-alive. */
async function idleConnection(port: number): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise<void>((resolve) => {
    sock.once('data', () => resolve());
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  return sock;
}

t.test('the default cap is a third of the fd limit', async (t) => {
  t.equal(defaultMaxConnections(1024), 341);
  t.equal(defaultMaxConnections(256), 85);
  t.equal(defaultMaxConnections(1_048_576), 10_000);
  t.equal(defaultMaxConnections(undefined), 4096);
});

t.test('--max-connections: idle keep-alives are shed first, then new ones refused', async (t) => {
  const router = await startRouter(
    {
      proxy: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      maxConnections: 10,
    },
    new MemoryRouteSource(snapshotOf({ b: [{ port: backend.port, tags: ['urlprefix-/'] }] })),
  );
  t.teardown(() => router.close());
  const port = router.proxyAddress.port;
  const admin = router.adminAddress?.port ?? 0;
  const idle = await Promise.all(Array.from({ length: 10 }, () => idleConnection(port)));
  let closedIdle = 0;
  for (const s of idle) s.on('close', () => closedIdle++);
  t.equal(router.connections, 10);
  t.equal((await request(port, '/')).status, 200, 'a new client is served at the cap');
  await eventually('idle connections were closed to make room', () => closedIdle > 0);
  t.ok(router.connections <= 10, `${router.connections} open`);
  for (const s of idle) s.destroy();
  await eventually('all closed', () => router.connections === 0);

  // every slot busy: nothing idle to shed, so a new connection is refused
  const busy = Array.from({ length: 10 }, () => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    return s;
  });
  await eventually('ten requests held', () => held.length === 10);
  await t.rejects(request(port, '/'), 'refused at the cap');
  t.equal((await request(admin, '/health')).status, 200, 'the admin port still answers');
  const metrics = (await request(admin, '/metrics')).body;
  t.match(metrics, /berth_router_connections_shed_total\{reason="idle"[^}]*\} [1-9]/);
  t.match(metrics, /berth_router_connections_shed_total\{reason="refused"[^}]*\} [1-9]/);
  for (const r of held.splice(0)) r.end();
  for (const s of busy) s.destroy();
  await eventually('slots free again', async () => (await request(port, '/')).status === 200);
});

t.test('at a low fd limit, many idle clients cost neither requests nor upstreams', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
  await consul.agent.service.register({
    name: 'b',
    port: backend.port,
    address: '127.0.0.1',
    tags: ['urlprefix-/'],
  });
  // a router with 256 file descriptors, as on a host left at a small default limit
  const child = spawn(
    'bash',
    [
      '-c',
      'ulimit -n 256 && exec node "$0" "$@"',
      MAIN,
      '--consul',
      catalog.url,
      '--proxy',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--log-level',
      'info',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  const listening = await eventually(
    'the router listening',
    () => log.split('\n').find((l) => l.includes('"router listening"')),
    { timeoutMs: 10_000 },
  );
  const { proxy, admin } = JSON.parse(listening) as {
    proxy: { port: number };
    admin: { port: number };
  };
  await eventually('the route', async () => (await request(proxy.port, '/')).status === 200, {
    timeoutMs: 5000,
  });
  const idle: net.Socket[] = [];
  t.teardown(() => {
    for (const s of idle) s.destroy();
  });
  for (let i = 0; i < 300; i++) {
    const s = net.connect(proxy.port, '127.0.0.1');
    s.on('error', () => {});
    idle.push(s);
    await new Promise<void>((r) => {
      s.once('connect', () => r());
      s.once('close', () => r());
    });
  }
  for (let i = 0; i < 5; i++) {
    t.equal((await request(proxy.port, '/')).status, 200, `request ${i} after 300 idle clients`);
  }
  t.equal((await request(admin.port, '/health')).status, 200, 'the admin port answers');
  t.notMatch(log, /upstream ejected/, 'no healthy upstream ejected');
});
