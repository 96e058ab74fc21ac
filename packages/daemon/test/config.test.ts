import t from 'tap';
import { ConfigError, defineOptions, loadConfig } from '../src/index.js';

const spec = defineOptions({
  listen: { type: 'listen', default: '127.0.0.1:8500', help: 'where to listen' },
  consul: {
    type: 'url',
    default: 'http://127.0.0.1:8500',
    env: 'CONSUL_HTTP_ADDR',
    help: 'Consul',
  },
  resync: { type: 'duration', default: '30s', help: 'resync period' },
  retries: { type: 'int', default: 3, help: 'attempts' },
  cleanup: { type: 'boolean', help: 'remove dangling' },
  tags: { type: 'list', help: 'extra tags' },
  recursor: { type: 'string', multiple: true, help: 'upstream' },
  mode: { type: 'enum', choices: ['always', 'on-success'], default: 'always', help: 'deregister' },
  dataDir: { type: 'string', help: 'where data lives' },
});

const P = { envPrefix: 'BERTH_TEST_' };

t.test('precedence: flags > env > file > defaults', async (t) => {
  const cases = [
    { name: 'default', argv: [], env: {}, file: undefined, want: 3 },
    { name: 'file over default', argv: [], env: {}, file: { retries: 4 }, want: 4 },
    {
      name: 'env over file',
      argv: [],
      env: { BERTH_TEST_RETRIES: '5' },
      file: { retries: 4 },
      want: 5,
    },
    {
      name: 'flag over env',
      argv: ['--retries', '6'],
      env: { BERTH_TEST_RETRIES: '5' },
      file: { retries: 4 },
      want: 6,
    },
    { name: 'flag with =', argv: ['--retries=7'], env: {}, file: undefined, want: 7 },
    { name: 'file kebab key', argv: [], env: {}, file: { retries: '8' }, want: 8 },
  ];
  for (const c of cases) {
    t.equal(loadConfig(spec, c.argv, c.env, c.file, P).retries, c.want, c.name);
  }
});

t.test('typed values', async (t) => {
  const c = loadConfig(
    spec,
    ['--listen', ':9999', '--resync', '1m30s', '--cleanup', '--recursor', 'a', '--recursor=b'],
    { CONSUL_HTTP_ADDR: '127.0.0.2:8500', BERTH_TEST_TAGS: 'x, y' },
    { 'data-dir': '/tmp/x' },
    P,
  );
  t.same(c.listen, { host: '', port: 9999 });
  t.equal(c.consul, 'http://127.0.0.2:8500', 'Consul-style host:port env var read as http');
  t.equal(c.resync, 90_000);
  t.equal(c.cleanup, true);
  t.same(c.recursor, ['a', 'b']);
  t.same(c.tags, ['x', 'y']);
  t.equal(c.dataDir, '/tmp/x');
  t.equal(c.mode, 'always');
  const d = loadConfig(spec, ['--no-cleanup'], { BERTH_TEST_CLEANUP: 'true' }, undefined, P);
  t.equal(d.cleanup, false, '--no-x beats env');
  t.equal(loadConfig(spec, [], {}, undefined, P).cleanup, false, 'boolean defaults to false');
  t.same(loadConfig(spec, [], {}, undefined, P).recursor, [], 'multiple defaults to []');
  t.equal(loadConfig(spec, [], {}, undefined, P).dataDir, undefined);
  t.equal(loadConfig(spec, [], { BERTH_TEST_RECURSOR: 'p,q' }, undefined, P).recursor.length, 2);
});

t.test('bad values name the key, the source and the value', async (t) => {
  const cases = [
    {
      name: 'listen',
      argv: ['--listen', 'nonsense'],
      env: {},
      file: undefined,
      want: /--listen \(flag --listen\): "nonsense"/,
    },
    {
      name: 'int from env',
      argv: [],
      env: { BERTH_TEST_RETRIES: 'lots' },
      file: undefined,
      want: /--retries \(env BERTH_TEST_RETRIES\): "lots" is not an integer/,
    },
    {
      name: 'duration in file',
      argv: [],
      env: {},
      file: { resync: 'soon' },
      want: /--resync \(config file key "resync"\): "soon" is not a duration/,
    },
    {
      name: 'enum',
      argv: ['--mode', 'never'],
      env: {},
      file: undefined,
      want: /--mode .*"never" is not one of always, on-success/,
    },
    {
      name: 'unknown flag',
      argv: ['--nope'],
      env: {},
      file: undefined,
      want: /unknown flag --nope/,
    },
    {
      name: 'missing value',
      argv: ['--retries'],
      env: {},
      file: undefined,
      want: /flag --retries needs a value/,
    },
    {
      name: 'positional',
      argv: ['extra'],
      env: {},
      file: undefined,
      want: /unexpected argument "extra"/,
    },
    {
      name: 'unknown file key',
      argv: [],
      env: {},
      file: { colour: 'red' },
      want: /unknown key "colour" in config file/,
    },
    {
      name: 'url',
      argv: ['--consul', 'http://'],
      env: {},
      file: undefined,
      want: /--consul .* is not a URL/,
    },
  ];
  for (const c of cases) {
    t.throws(
      () => loadConfig(spec, c.argv, c.env, c.file, P),
      { name: 'ConfigError', message: c.want },
      c.name,
    );
  }
  try {
    loadConfig(spec, ['--listen', 'nonsense'], {}, undefined, P);
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.equal((err as ConfigError).key, 'listen');
    t.equal((err as ConfigError).code, 'BERTH_CONFIG');
  }
});

t.test('required option', async (t) => {
  const s = defineOptions({ cluster: { type: 'string', required: true, help: 'cluster' } });
  t.throws(() => loadConfig(s, [], {}), /missing required option --cluster/);
  t.equal(loadConfig(s, ['--cluster', 'c1'], {}).cluster, 'c1');
});
