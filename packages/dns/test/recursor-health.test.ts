/** RecursorHealth (pure): when a recursor that keeps failing is skipped, probed, let back. */
import t from 'tap';
import { RecursorHealth } from '@berth/dns';

const fixed = { baseMs: 1000, maxMs: 8000, jitter: 'none' } as const;

t.test('skipped after three failures in a row, for a growing time', async (t) => {
  const h = new RecursorHealth(2, { backoff: fixed });
  t.ok(h.claim(0, 0));
  t.equal(h.failed(0, 0), 0, 'first failure: no skip');
  t.equal(h.failed(0, 0), 0, 'second failure: no skip');
  t.ok(h.claim(0, 0), 'still tried');
  t.equal(h.failed(0, 10), 1000, 'third failure: skipped 1 s');
  t.notOk(h.claim(0, 500), 'skipped');
  t.ok(h.claim(1, 500), 'the other recursor is not affected');
  t.equal(h.failed(0, 600), 0, 'a failure of a query sent before the skip does not lengthen it');

  t.ok(h.claim(0, 1010), 'the skip is over: one probe');
  t.notOk(h.claim(0, 1010), 'a second query does not probe too');
  t.equal(h.failed(0, 1020), 2000, 'probe failed: skipped 2 s');
  t.notOk(h.claim(0, 2000));
  t.ok(h.claim(0, 3020));
  t.equal(h.failed(0, 3020), 4000, '4 s');
  t.ok(h.claim(0, 7020));
  t.equal(h.failed(0, 7020), 8000, '8 s');
  t.ok(h.claim(0, 15020));
  t.equal(h.failed(0, 15020), 8000, 'capped at maxMs');

  t.ok(h.claim(0, 23020), 'probe');
  h.succeeded(0);
  t.strictSame(h.state(0), { failures: 0, skips: 0, skipUntil: 0, probing: false }, 'healthy');
  t.ok(h.claim(0, 23021) && h.claim(0, 23021), 'every query may use it again');
  t.equal(h.failed(0, 23030), 0, 'and the count starts over');
});

t.test('a probe claimed but not tried is released', async (t) => {
  const h = new RecursorHealth(1, { backoff: fixed, failuresBeforeSkip: 1 });
  t.equal(h.failed(0, 0), 1000);
  t.ok(h.claim(0, 1000));
  t.notOk(h.claim(0, 1000));
  h.release(0);
  t.ok(h.claim(0, 1000), 'free to probe again');
});

t.test('jitter comes from the shared backoff', async (t) => {
  const h = new RecursorHealth(1, {
    failuresBeforeSkip: 1,
    backoff: { baseMs: 1000, maxMs: 30_000, jitter: 'equal' },
    random: () => 0,
  });
  t.equal(h.failed(0, 0), 500, 'equal jitter: half the ceiling at random() = 0');
});
