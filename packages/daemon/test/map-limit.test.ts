import t from 'tap';
import { mapLimit, sleep } from '../src/index.js';

t.test('keeps order and never exceeds the limit', async (t) => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(n * 3);
    inFlight--;
    return n * 10;
  });
  t.same(out, [50, 10, 40, 20, 30]);
  t.equal(most, 2);
});

t.test('rejects with the first error; empty input is fine', async (t) => {
  await t.rejects(
    mapLimit([1, 2, 3], 3, async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    }),
    /two/,
  );
  t.same(await mapLimit([], 4, async (n: number) => n), []);
});
