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
        proxyProtocol: false,
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
