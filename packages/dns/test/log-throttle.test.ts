/** LogThrottle (pure): one line per key per interval, with a count. */
import t from 'tap';
import { LogThrottle } from '@berth/dns';

t.test('the first event logs, the rest of the interval is one counted line', async (t) => {
  const th = new LogThrottle(10_000);
  t.ok(th.hit('a', 'timeout', 0), 'first a: log');
  t.ok(th.hit('b', 'refused', 1), 'first b: log');
  let logged = 0;
  for (let i = 0; i < 500; i++) if (th.hit('a', `timeout ${i}`, 2 + i)) logged++;
  t.equal(logged, 0, 'the next 500 are counted');
  t.strictSame(th.flush(9_999), [], 'interval not over');
  t.strictSame(th.flush(10_000), [
    { key: 'a', count: 500, last: 'timeout 499', intervalMs: 10_000 },
  ]);
  t.notOk(th.hit('a', 'again', 10_001), 'a is still busy: counted into the next interval');
  t.strictSame(th.flush(20_000), [{ key: 'a', count: 1, last: 'again', intervalMs: 10_000 }]);
  t.strictSame(th.flush(30_000), [], 'a quiet interval logs nothing');
  t.ok(th.hit('a', 'later', 30_001), 'a quiet key logs at once again');
});
