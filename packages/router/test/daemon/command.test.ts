import t from 'tap';
import { Writable } from 'node:stream';
import Consul from 'consul';
import { startCatalog } from '@berth/catalog';
import {
  loadConfig,
  ConfigError,
  Health,
  Shutdown,
  createLogger,
  createRegistry,
} from '@berth/daemon';
import { command } from '../../src/daemon/command.js';
import { routerOptions } from '../../src/daemon/options.js';
import { startRouter } from '../../src/daemon/start.js';
import { startBackend, request, thrown } from '../helpers.js';
import { eventually } from '@berth/daemon/testing';

t.test('flags parse into the typed config', async (t) => {
  const cases: { name: string; input: string[]; want: Record<string, unknown> }[] = [
    {
      name: 'defaults',
      input: [],
      want: {
        proxy: { host: '', port: 9999 },
        admin: { host: '127.0.0.1', port: 9998 },
        strategy: 'rr',
        matcher: 'prefix',
        tagPrefix: 'urlprefix-',
        noRouteStatus: 404,
        kvPath: 'fabio/config',
        trustedProxy: [],
        trustedHeaders: ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port'],
        proxyProtocol: false,
        allowTrace: false,
        allowEmpty: false,
        maxConnections: 0,
        workers: 1,
        headerTimeout: 10_000,
        idleTimeout: 60_000,
        bodyTimeout: 60_000,
        sendTimeout: 60_000,
        responseTimeout: 60_000,
        tunnelIdleTimeout: 60_000,
        retryBudget: 0.2,
      },
    },
    {
      name: 'the issue flags',
      input: [
        '--consul',
        'http://127.0.0.1:8501',
        '--proxy',
        '127.0.0.1:8080',
        '--strategy',
        'least',
        '--matcher',
        'glob',
        '--tag-prefix',
        'edge-',
        '--no-route-status',
        '502',
        '--trusted-proxy',
        '127.0.0.0/8',
        '--trusted-proxy',
        '::1/128',
        '--proxy-protocol',
        '--kv-path',
        'berth/routes',
        '--target-group',
        'arn:x',
        '--response-timeout',
        '1500ms',
        '--trusted-headers',
        'x-forwarded-for,forwarded',
        '--max-connections',
        '5000',
        '--workers',
        '2',
        '--allow-empty',
        '--allow-trace',
        '--send-timeout',
        '5s',
        '--tunnel-idle-timeout',
        '2m',
        '--retry-budget',
        '0.1',
      ],
      want: {
        consul: 'http://127.0.0.1:8501',
        proxy: { host: '127.0.0.1', port: 8080 },
        strategy: 'least',
        matcher: 'glob',
        tagPrefix: 'edge-',
        noRouteStatus: 502,
        trustedProxy: ['127.0.0.0/8', '::1/128'],
        proxyProtocol: true,
        kvPath: 'berth/routes',
        targetGroup: 'arn:x',
        responseTimeout: 1500,
        trustedHeaders: ['x-forwarded-for', 'forwarded'],
        maxConnections: 5000,
        workers: 2,
        allowEmpty: true,
        allowTrace: true,
        sendTimeout: 5000,
        tunnelIdleTimeout: 120_000,
        retryBudget: 0.1,
      },
    },
  ];
  for (const c of cases) t.match(loadConfig(routerOptions, c.input, {}), c.want, c.name);
  const err = thrown(() => loadConfig(routerOptions, ['--strategy', 'fastest'], {}));
  t.ok(err instanceof ConfigError, 'bad enum is a ConfigError');
  t.match((err as Error).message, /strategy/);
  t.match(loadConfig(routerOptions, [], { CONSUL_HTTP_ADDR: 'http://127.0.0.1:7' }), {
    consul: 'http://127.0.0.1:7',
  });
});

t.test('options are checked at start, naming the option', async (t) => {
  const cases: { name: string; input: Record<string, unknown>; want: RegExp }[] = [
    {
      name: 'PROXY without trusted peers',
      input: { proxyProtocol: true },
      want: /^proxyProtocol: /,
    },
    { name: 'a budget over 1', input: { retryBudget: 2 }, want: /^retryBudget: / },
    { name: 'no workers', input: { workers: 0 }, want: /^workers: / },
    { name: 'a zero timeout', input: { sendTimeout: 0 }, want: /^sendTimeout: / },
  ];
  for (const c of cases) {
    await t.rejects(
      startRouter({ proxy: { host: '127.0.0.1', port: 0 }, admin: null, ...c.input }),
      c.want,
      c.name,
    );
  }
});

t.test('the daemon command serves routes from the catalog and logs table diffs', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  const web = await startBackend('web');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger({ component: 'router', level: 'debug', destination: sink });
  const shutdown = new Shutdown(5000);
  const config = loadConfig(
    routerOptions,
    ['--consul', catalog.url, '--proxy', '127.0.0.1:0', '--admin', '127.0.0.1:0'],
    {},
  );
  const health = new Health();
  await command.start(config, { log, registry: createRegistry('router', false), health, shutdown });
  const started = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'router listening');
  const port = started.proxy.port as number;
  const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
  await consul.agent.service.register({
    name: 'web',
    port: web.port,
    address: '127.0.0.1',
    tags: ['urlprefix-/w', 'urlprefix-nope'],
  });
  await eventually('route served', async () => (await request(port, '/w')).status === 200, {
    timeoutMs: 3000,
  });
  t.ok(health.healthy, 'healthy');
  const logs = lines.map((l) => JSON.parse(l));
  t.ok(
    logs.some((l) => l.msg === 'route table updated' && l.added.length === 1),
    'diff logged',
  );
  t.ok(
    logs.some((l) => l.level === 'warn' && l.service === 'web' && l.tag === 'urlprefix-nope'),
    'bad tag logged',
  );
  await shutdown.run();
  await catalog.close();
  await web.close();
});
