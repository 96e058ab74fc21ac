// Issue 21: the scheduler's --scaling-interval (the auto scaler's pass): a duration read with
// the shared config (flag > env > file > default, parsed by parseDuration), shown in --help,
// and refused at start when it is not above zero.
import t from 'tap';
import { envPrefixOf, helpText, loadConfig } from '@berth/daemon';
import { schedulerOptions } from '../src/daemon/options.js';
import { startScheduler } from '../src/daemon/start.js';

const ENV = `${envPrefixOf('scheduler')}SCALING_INTERVAL`;

t.test('--scaling-interval: flag > env > file > default', async (t) => {
  const cases: {
    name: string;
    argv: string[];
    env: Record<string, string>;
    file?: Record<string, unknown>;
    want: number;
  }[] = [
    { name: 'default', argv: [], env: {}, want: 5000 },
    { name: 'file', argv: [], env: {}, file: { 'scaling-interval': '30s' }, want: 30_000 },
    {
      name: 'env over file',
      argv: [],
      env: { [ENV]: '2m' },
      file: { scalingInterval: '30s' },
      want: 120_000,
    },
    {
      name: 'flag over env',
      argv: ['--scaling-interval', '1500ms'],
      env: { [ENV]: '2m' },
      file: { scalingInterval: '30s' },
      want: 1500,
    },
  ];
  for (const c of cases) {
    const config = loadConfig(schedulerOptions, c.argv, c.env, c.file, {
      envPrefix: envPrefixOf('scheduler'),
    });
    t.equal(config.scalingInterval, c.want, c.name);
  }
  t.throws(
    () => loadConfig(schedulerOptions, ['--scaling-interval', 'often'], {}),
    { message: /--scaling-interval/ },
    'a value that is not a duration names the flag',
  );
});

t.test('--help lists it', async (t) => {
  t.match(helpText('scheduler', 'x', schedulerOptions), /--scaling-interval/);
});

t.test('an interval of 0 is refused at start', async (t) => {
  await t.rejects(startScheduler({ scalingInterval: 0 }), {
    code: 'BERTH_SCHEDULER_OPTION',
    option: 'scalingInterval',
  });
});
