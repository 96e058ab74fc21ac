// Issue 4: flags, env (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN) and defaults of `berth registrator`,
// and the values the type check cannot catch, table-driven.
import t from 'tap';
import { loadConfig } from '@berth/daemon';
import { optionsFromConfig, registratorOptions } from '../src/index.js';

function load(argv: string[], env: Record<string, string> = {}) {
  return optionsFromConfig(
    loadConfig(registratorOptions, argv, env, undefined, { envPrefix: 'BERTH_REGISTRATOR_' }),
    env,
  );
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
        consul: 'http://127.0.0.1:8500',
        internal: false,
        resyncMs: 30_000,
        tags: [],
        deregister: 'always',
        cleanup: false,
        labelFilters: [],
        requireLabel: false,
        retryAttempts: -1,
        retryIntervalMs: 1000,
        probeMs: 5000,
      },
    },
    {
      name: "Consul's env vars",
      input: { argv: [], env: { CONSUL_HTTP_ADDR: '127.0.0.5:18500', CONSUL_HTTP_TOKEN: 'tok' } },
      want: { consul: 'http://127.0.0.5:18500', token: 'tok' },
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
        consul: 'http://127.0.0.1:9500',
        ip: '127.0.0.2',
        internal: true,
        resyncMs: 15_000,
        tags: ['a', 'b'],
        deregister: 'on-success',
        cleanup: true,
        labelFilters: [{ key: 'team', value: 'a' }, { key: 'public' }],
        requireLabel: true,
        retryAttempts: 3,
        retryIntervalMs: 250,
      },
    },
    {
      name: '--retry-interval as a duration',
      input: { argv: ['--retry-interval', '2s'] },
      want: { retryIntervalMs: 2000 },
    },
    { name: '--resync 0 turns it off', input: { argv: ['--resync', '0'] }, want: { resyncMs: 0 } },
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
