// Go durations as Consul speaks them (an adapter over @berth/daemon's parser): parsing (strings and JSON nanoseconds) and Duration.String formatting.
import t from 'tap';
import { durationFieldNs, formatGoDuration, parseGoDuration } from '../src/core/go-duration.js';

t.test('parseGoDuration', async (t) => {
  const cases = [
    { name: 'seconds', input: '10s', want: 10e9 },
    { name: 'millis', input: '1500ms', want: 1.5e9 },
    { name: 'compound', input: '1h30m', want: 5400e9 },
    { name: 'fraction', input: '1.5s', want: 1.5e9 },
    { name: 'micro (µ)', input: '3µs', want: 3000 },
    { name: 'micro (us)', input: '3us', want: 3000 },
    { name: 'zero', input: '0', want: 0 },
    { name: 'negative', input: '-5s', want: -5e9 },
    { name: 'bare number', input: '10', want: undefined },
    { name: 'unknown unit', input: '10d', want: undefined },
    { name: 'empty', input: '', want: undefined },
    { name: 'junk', input: 'soon', want: undefined },
  ];
  for (const c of cases) t.equal(parseGoDuration(c.input), c.want, c.name);
});

t.test('formatGoDuration', async (t) => {
  const cases = [
    { name: 'zero', input: 0, want: '0s' },
    { name: 'seconds', input: 10e9, want: '10s' },
    { name: 'minutes', input: 90e9, want: '1m30s' },
    { name: 'hours', input: 3600e9, want: '1h0m0s' },
    { name: 'millis', input: 500e6, want: '500ms' },
    { name: 'fractional seconds', input: 1.5e9, want: '1.5s' },
    { name: '24h', input: 86400e9, want: '24h0m0s' },
  ];
  for (const c of cases) t.equal(formatGoDuration(c.input), c.want, c.name);
});

t.test('durationFieldNs: strings are Go durations, numbers nanoseconds', async (t) => {
  const cases = [
    { name: 'string', input: '10s' as unknown, want: 10e9 },
    { name: 'number', input: 10 as unknown, want: 10 },
    { name: 'absent', input: undefined as unknown, want: undefined },
    { name: 'empty string', input: '' as unknown, want: undefined },
    { name: 'bad string', input: 'x' as unknown, want: NaN },
    { name: 'object', input: {} as unknown, want: NaN },
  ];
  for (const c of cases) t.same(durationFieldNs(c.input), c.want, c.name);
});

t.test('formatGoDuration below one millisecond switches to µs and ns, as Go', async (t) => {
  t.equal(formatGoDuration(3000), '3µs');
  t.equal(formatGoDuration(250), '250ns');
  t.equal(formatGoDuration(-5e9), '-5s');
});
