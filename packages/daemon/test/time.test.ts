import t from 'tap';
import {
  RetryAbortedError,
  RetryExhaustedError,
  backoffDelay,
  sleep,
  withRetry,
} from '../src/index.js';
import { eventually, stays } from '../src/testing/index.js';

t.test('backoffDelay', async (t) => {
  const cases = [
    { name: 'first retry, no jitter', attempt: 1, opts: { jitter: 'none' }, r: 0.5, want: 100 },
    { name: 'doubles', attempt: 3, opts: { jitter: 'none' }, r: 0.5, want: 400 },
    { name: 'capped', attempt: 10, opts: { jitter: 'none' }, r: 0.5, want: 3000 },
    {
      name: 'huge attempt stays capped',
      attempt: 5000,
      opts: { jitter: 'none' },
      r: 0,
      want: 3000,
    },
    { name: 'equal jitter, low', attempt: 2, opts: {}, r: 0, want: 100 },
    { name: 'equal jitter, high', attempt: 2, opts: {}, r: 1, want: 200 },
    { name: 'full jitter, low is 1 ms', attempt: 2, opts: { jitter: 'full' }, r: 0, want: 1 },
    { name: 'full jitter, mid', attempt: 2, opts: { jitter: 'full' }, r: 0.5, want: 100 },
    {
      name: 'custom base and max',
      attempt: 4,
      opts: { baseMs: 1000, maxMs: 5000, jitter: 'none' },
      r: 0,
      want: 5000,
    },
    { name: 'zero max', attempt: 4, opts: { maxMs: 0 }, r: 1, want: 0 },
    { name: 'attempt 0 is the first', attempt: 0, opts: { jitter: 'none' }, r: 0, want: 100 },
  ] as const;
  for (const c of cases)
    t.equal(
      backoffDelay(c.attempt, c.opts, () => c.r),
      c.want,
      c.name,
    );
});

t.test('sleep resolves true, or false on abort without throwing', async (t) => {
  t.equal(await sleep(1), true);
  const ac = new AbortController();
  const p = sleep(60_000, ac.signal);
  ac.abort();
  t.equal(await p, false);
  t.equal(await sleep(60_000, ac.signal), false, 'an aborted signal returns at once');
});

t.test('withRetry', async (t) => {
  let calls = 0;
  const delays: number[] = [];
  const v = await withRetry(
    'flaky call',
    async (attempt) => {
      calls++;
      if (attempt < 3) throw new Error(`fail ${attempt}`);
      return 'ok';
    },
    { baseMs: 1, maxMs: 2, onRetry: (_a, d) => delays.push(d) },
  );
  t.equal(v, 'ok');
  t.equal(calls, 3);
  t.equal(delays.length, 2);

  const exhausted = await withRetry('always failing', () => Promise.reject(new Error('boom')), {
    retries: 2,
    baseMs: 1,
  }).catch((e: unknown) => e);
  t.type(exhausted, RetryExhaustedError);
  t.match((exhausted as Error).message, /always failing failed after 3 attempts: boom/);

  const notRetryable = new Error('bad request');
  let tries = 0;
  const thrown = await withRetry(
    'bad',
    () => {
      tries++;
      return Promise.reject(notRetryable);
    },
    { retryable: () => false },
  ).catch((e: unknown) => e);
  t.equal(thrown, notRetryable, 'a refused failure is thrown as it is');
  t.equal(tries, 1);

  const ac = new AbortController();
  const aborted = withRetry('until aborted', () => Promise.reject(new Error('down')), {
    retries: -1,
    baseMs: 50_000,
    signal: ac.signal,
  }).catch((e: unknown) => e);
  setImmediate(() => ac.abort());
  t.type(await aborted, RetryAbortedError);
});

t.test('eventually and stays', async (t) => {
  let n = 0;
  t.equal(await eventually('n reaches 3', () => (++n >= 3 ? n : 0), { intervalMs: 1 }), 3);
  await t.rejects(
    eventually('never', () => false, { timeoutMs: 30, intervalMs: 5 }),
    /timed out after 30 ms waiting for never/,
  );
  await t.rejects(
    eventually(
      'a throwing check',
      () => {
        throw new Error('not ready');
      },
      { timeoutMs: 20, intervalMs: 5 },
    ),
    /waiting for a throwing check: not ready/,
  );
  await stays('true', () => true, { periodMs: 30 });
  let flips = 0;
  await t.rejects(
    stays('flip', () => ++flips < 2, { periodMs: 200, intervalMs: 1 }),
    /flip stopped holding/,
  );
});
