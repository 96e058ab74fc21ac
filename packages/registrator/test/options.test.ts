// Issue 4: flags, env (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN) and defaults of `berth registrator`,
// and the values the type check cannot catch, table-driven.
import t from 'tap';
import { loadConfig } from '@berth/daemon';
import { engineOptions, registratorOptions, resolveSettings } from '../src/index.js';

// The config goes to startRegistrator as it is (its keys are the engine's); what the engine
// runs on is resolveSettings of it.
function load(argv: string[], env: Record<string, string> = {}) {
  const config = loadConfig(registratorOptions, argv, env, undefined, {
    envPrefix: 'BERTH_REGISTRATOR_',
  });
  return { config, settings: resolveSettings(engineOptions(config)) };
}

t.test('flags and env', async (t) => {
  const cases: {
    name: string;
    input: { argv: string[]; env?: Record<string, string> };
    want: object;
  }[] = [
    {
      name: 'defaults',
      input: { argv: [] },
      want: {
        config: { consul: 'http://127.0.0.1:8500' },
        settings: {
          mapping: { internal: false, tags: [], labelFilters: [], requireLabel: false },
          resyncMs: 30_000,
          deregister: 'always',
          cleanup: false,
          retryAttempts: -1,
          retryIntervalMs: 1000,
          probeMs: 5000,
        },
      },
    },
    {
      name: "Consul's env vars",
      input: { argv: [], env: { CONSUL_HTTP_ADDR: '127.0.0.5:18500', CONSUL_HTTP_TOKEN: 'tok' } },
      want: { config: { consul: 'http://127.0.0.5:18500', token: 'tok' } },
    },
    {
      name: 'every issue flag',
      input: {
        argv: [
          '--consul',
          'http://127.0.0.1:9500',
          '--ip',
          '127.0.0.2',
          '--internal',
          '--resync',
          '15',
          '--tags',
          'a,b',
          '--deregister',
          'on-success',
          '--cleanup',
          '--label-filter',
          'team=a',
          '--label-filter',
          'public',
          '--require-label',
          '--retry-attempts',
          '3',
          '--retry-interval',
          '250',
        ],
      },
      want: {
        config: { consul: 'http://127.0.0.1:9500' },
        settings: {
          mapping: {
            hostIp: '127.0.0.2',
            internal: true,
            tags: ['a', 'b'],
            labelFilters: [{ key: 'team', value: 'a' }, { key: 'public' }],
            requireLabel: true,
          },
          resyncMs: 15_000,
          deregister: 'on-success',
          cleanup: true,
          retryAttempts: 3,
          retryIntervalMs: 250,
        },
      },
    },
    {
      name: '--retry-interval as a duration',
      input: { argv: ['--retry-interval', '2s'] },
      want: { settings: { retryIntervalMs: 2000 } },
    },
    {
      name: '--resync 0 turns it off',
      input: { argv: ['--resync', '0'] },
      want: { settings: { resyncMs: 0 } },
    },
  ];
  for (const c of cases) t.match(load(c.input.argv, c.input.env), c.want, c.name);
});

t.test('bad values name the flag', async (t) => {
  const cases: { input: string[]; want: RegExp }[] = [
    { input: ['--ip', 'localhost'], want: /^--ip: / },
    { input: ['--ip', '0.0.0.0'], want: /^--ip: / },
    { input: ['--retry-attempts', '-5'], want: /^--retry-attempts: / },
    { input: ['--retry-interval', '0'], want: /^--retry-interval: / },
    { input: ['--label-filter', 'a b=c'], want: /^--label-filter: / },
    { input: ['--deregister', 'sometimes'], want: /--deregister/ },
    { input: ['--resync', 'often'], want: /--resync/ },
    { input: ['--nope'], want: /--nope/ },
  ];
  for (const c of cases) t.throws(() => load(c.input), { message: c.want }, c.input.join(' '));
});
