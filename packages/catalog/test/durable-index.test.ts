// Unit tests of DurableIndex (issue 3 follow-up, point 1): readers wait until the log is
// durable up to the index they read, are released in order as fsyncs return, and fail when the
// log fails.
import t from 'tap';
import { DurableIndex } from '../src/engine/durable-index.js';

t.test('waiters are released once the log is durable up to their index', async (t) => {
  const d = new DurableIndex(10);
  t.equal(d.until(10), null, 'already durable: no wait');
  const released: number[] = [];
  const waits = [12, 11, 15].map((i) => d.until(i)?.then(() => released.push(i)));
  d.advance(11);
  await Promise.resolve();
  t.same(released, [11]);
  d.advance(9);
  t.equal(d.value, 11, 'never goes back');
  d.advance(15);
  await Promise.all(waits);
  t.same(released.sort(), [11, 12, 15]);
});

t.test('a failed log fails current and later waiters', async (t) => {
  const d = new DurableIndex(1);
  const pending = d.until(2);
  d.fail(new Error('disk gone'));
  await t.rejects(pending as Promise<void>, { message: 'disk gone' });
  await t.rejects(d.until(3) as Promise<void>, { message: 'disk gone' });
  t.equal(d.until(1), null, 'what was durable stays readable');
});
