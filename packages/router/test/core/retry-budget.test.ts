import t from 'tap';
import { RetryBudget, RetryBudgets } from '../../src/core/retry-budget.js';

t.test('retries are limited to a share of requests plus a floor', async (t) => {
  const b = new RetryBudget({ ratio: 0.2, floor: 10, windowMs: 10_000 });
  let now = 0;
  for (let i = 0; i < 100; i++) b.request(now);
  let retries = 0;
  while (b.canRetry(now) && retries < 1000) {
    b.retry(now);
    retries++;
  }
  t.equal(retries, 30, '20% of 100 plus 10');
  // the window slides: after it, the spent retries are forgotten
  now += 11_000;
  t.ok(b.canRetry(now), 'a fresh window');
  let quiet = 0;
  while (b.canRetry(now) && quiet < 1000) {
    b.retry(now);
    quiet++;
  }
  t.equal(quiet, 10, 'a quiet route still has its floor');
});

t.test('budgets outlive tables and are pruned with their routes', async (t) => {
  const all = new RetryBudgets();
  const a = all.get('/a');
  t.equal(all.get('/a'), a, 'same budget for the same source');
  all.prune(new Set(['/b']));
  t.not(all.get('/a'), a, 'pruned');
});
