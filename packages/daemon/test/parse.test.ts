import t from 'tap';
import { formatDuration, formatListen, parseDuration, parseListen } from '../src/index.js';

t.test('parseDuration', async (t) => {
  const cases: { input: string; want: number | undefined }[] = [
    { input: '10s', want: 10_000 },
    { input: '1500ms', want: 1500 },
    { input: '1h30m', want: 5_400_000 },
    { input: '250us', want: 0.25 },
    { input: '1.5s', want: 1500 },
    { input: '30', want: 30_000 },
    { input: '0', want: 0 },
    { input: '-2s', want: -2000 },
    { input: '', want: undefined },
    { input: '10', want: 10_000 },
    { input: '10x', want: undefined },
    { input: 's', want: undefined },
    { input: '5m3', want: undefined },
  ];
  for (const c of cases) t.equal(parseDuration(c.input), c.want, c.input);
  t.equal(parseDuration('20', 'ms'), 20);
});

t.test('formatDuration', async (t) => {
  t.equal(formatDuration(90_000), '1m30s');
  t.equal(formatDuration(1500), '1.5s');
  t.equal(formatDuration(250), '250ms');
  t.equal(formatDuration(3_600_000), '1h0m0s');
});

t.test('parseListen', async (t) => {
  const cases = [
    { input: '127.0.0.1:8500', want: { host: '127.0.0.1', port: 8500 } },
    { input: ':9999', want: { host: '', port: 9999 } },
    { input: '[::1]:53', want: { host: '::1', port: 53 } },
    { input: 'localhost:0', want: { host: 'localhost', port: 0 } },
    { input: 'nonsense', want: undefined },
    { input: '1.2.3.4:70000', want: undefined },
    { input: '::1:53', want: undefined },
  ];
  for (const c of cases) t.same(parseListen(c.input), c.want, c.input);
  t.equal(formatListen({ host: '::1', port: 53 }), '[::1]:53');
});
