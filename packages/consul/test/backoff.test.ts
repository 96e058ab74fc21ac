import t from 'tap';
import { backoffDelay } from '../src/index.js';

// A small seeded generator (mulberry32) so jitter is reproducible.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const cases: { name: string; input: { attempt: number; r: number }; want: number }[] = [
  { name: 'first retry, no jitter', input: { attempt: 1, r: 0 }, want: 50 },
  { name: 'first retry, full jitter', input: { attempt: 1, r: 1 }, want: 100 },
  { name: 'third retry, half jitter', input: { attempt: 3, r: 0.5 }, want: 300 },
  { name: 'capped at max', input: { attempt: 10, r: 1 }, want: 3000 },
  { name: 'capped, min jitter', input: { attempt: 10, r: 0 }, want: 1500 },
  { name: 'huge attempt does not overflow', input: { attempt: 5000, r: 1 }, want: 3000 },
  { name: 'attempt 0 treated as 1', input: { attempt: 0, r: 0 }, want: 50 },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    t.equal(
      backoffDelay(c.input.attempt, {}, () => c.input.r),
      c.want,
    );
  });
}

t.test('jitter spreads delays within [max/2, max] and stays seeded', async (t) => {
  const r = seeded(42);
  const delays = Array.from({ length: 200 }, () =>
    backoffDelay(20, { baseMs: 100, maxMs: 2000 }, r),
  );
  t.ok(
    delays.every((d) => d >= 1000 && d <= 2000),
    'within bounds',
  );
  t.ok(new Set(delays).size > 50, 'spread out, not lockstep');
  const again = seeded(42);
  t.strictSame(
    Array.from({ length: 200 }, () => backoffDelay(20, { baseMs: 100, maxMs: 2000 }, again)),
    delays,
    'same seed, same delays',
  );
});
