// The shared periodic loop: no overlapping runs, a throw is reported and the loop goes on, an
// abort ends the wait at once, and stopping awaits the run in flight. Tiny intervals and
// explicit gates decide everything; no bare sleeps.
import t from 'tap';
import { every } from '../src/index.js';
import { eventually, stays } from '../src/testing/index.js';

/** A promise the test releases. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Tracks whether a promise has settled. */
function settled(p: Promise<unknown>): { readonly done: boolean } {
  const s = { done: false };
  void p.then(() => (s.done = true));
  return s;
}

t.test('runs again and again until aborted', async (t) => {
  const ac = new AbortController();
  let runs = 0;
  const done = every(1, () => void runs++, { signal: ac.signal, onError: t.error });
  await eventually('three runs', () => runs >= 3);
  ac.abort();
  await done;
  const after = runs;
  await stays('no run after the loop ended', () => runs === after, { periodMs: 50 });
});

t.test('runs never overlap', async (t) => {
  const ac = new AbortController();
  const g = gate();
  let active = 0;
  let most = 0;
  let runs = 0;
  const done = every(
    1,
    async () => {
      runs++;
      most = Math.max(most, ++active);
      await g.promise;
      active--;
    },
    { signal: ac.signal, onError: t.error, immediate: true },
  );
  await eventually('the first run started', () => runs === 1);
  await stays('one run while the first is held', () => runs === 1 && active === 1, {
    periodMs: 100,
  });
  g.open();
  await eventually('more runs', () => runs >= 3);
  ac.abort();
  await done;
  t.equal(most, 1, 'never two at once');
});

t.test('a throw is reported and the loop goes on', async (t) => {
  const ac = new AbortController();
  const errors: unknown[] = [];
  let runs = 0;
  const done = every(
    1,
    async () => {
      runs++;
      if (runs <= 2) throw new Error(`boom ${runs}`);
    },
    { signal: ac.signal, onError: (e) => errors.push(e) },
  );
  await eventually('runs after the throws', () => runs >= 4);
  ac.abort();
  await done;
  t.match(errors, [{ message: 'boom 1' }, { message: 'boom 2' }]);
  t.equal(errors.length, 2);
});

t.test('a throwing onError does not end the loop', async (t) => {
  const ac = new AbortController();
  let runs = 0;
  const done = every(
    1,
    () => {
      runs++;
      throw new Error('boom');
    },
    {
      signal: ac.signal,
      onError: () => {
        throw new Error('reporter failed');
      },
    },
  );
  await eventually('runs go on', () => runs >= 3);
  ac.abort();
  await t.resolves(done, 'never rejects');
});

t.test('an abort ends a long wait at once', async (t) => {
  const ac = new AbortController();
  let runs = 0;
  const done = every(3_600_000, () => void runs++, { signal: ac.signal, onError: t.error });
  const s = settled(done);
  ac.abort();
  await eventually('the loop ended', () => s.done, { timeoutMs: 1000 });
  t.equal(runs, 0, 'the first run waits one interval unless immediate');
});

t.test('immediate runs once at the start', async (t) => {
  const ac = new AbortController();
  let runs = 0;
  const done = every(3_600_000, () => void runs++, {
    signal: ac.signal,
    onError: t.error,
    immediate: true,
  });
  await eventually('the first run', () => runs === 1);
  ac.abort();
  await done;
  t.equal(runs, 1);
});

t.test('stopping awaits the run in flight, which sees the abort', async (t) => {
  const ac = new AbortController();
  const g = gate();
  let started = false;
  let sawAbort = false;
  let finished = false;
  const done = every(
    1,
    async (signal) => {
      started = true;
      await g.promise;
      sawAbort = signal.aborted;
      finished = true;
    },
    { signal: ac.signal, onError: t.error, immediate: true },
  );
  await eventually('the run started', () => started);
  ac.abort();
  const s = settled(done);
  await stays('not done while the run is held', () => !s.done, { periodMs: 100 });
  g.open();
  await done;
  t.ok(finished && sawAbort, 'the run finished, and its signal was aborted');
});

t.test('an aborted signal never runs', async (t) => {
  const ac = new AbortController();
  ac.abort();
  let runs = 0;
  await every(1, () => void runs++, { signal: ac.signal, onError: t.error, immediate: true });
  t.equal(runs, 0);
});
