import { once } from 'node:events';
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import {
  BlockingWatch,
  createConsul,
  type WatchChange,
  type WatchFailure,
  type WatchRecovery,
} from '../src/index.js';
import { scriptedServer, type ScriptStep } from './helpers/scripted-server.js';

type Services = Record<string, string[] | null>;

function collect(w: BlockingWatch<Services>): {
  changes: WatchChange<Services>[];
  failures: WatchFailure[];
  recoveries: WatchRecovery[];
} {
  const out = {
    changes: [] as WatchChange<Services>[],
    failures: [] as WatchFailure[],
    recoveries: [] as WatchRecovery[],
  };
  w.on('change', (c) => out.changes.push(c));
  w.on('failure', (f) => out.failures.push(f));
  w.on('recovered', (r) => out.recoveries.push(r));
  return out;
}

function watchOn(url: string): BlockingWatch<Services> {
  const consul = createConsul({ url });
  const w = new BlockingWatch<Services>({
    name: 'catalog/services',
    fetch: (q) => consul.catalogServices(q),
    waitMs: 2000,
    backoff: { baseMs: 10, maxMs: 40 },
  });
  w.on('end', () => consul.close());
  return w;
}

t.test('index rules over real HTTP', async (t) => {
  const cases: {
    name: string;
    input: ScriptStep[];
    want: {
      changes: { index: bigint; reset: boolean }[];
      failures: string[];
      queryIndexes: string[];
    };
  }[] = [
    {
      name: 'index goes backwards: change with reset, then ask from 0',
      input: [
        { index: '100', body: { a: [] } },
        { index: '7', body: { b: [] } },
        { index: '8', body: { b: [], c: [] } },
      ],
      want: {
        changes: [
          { index: 100n, reset: false },
          { index: 7n, reset: true },
          { index: 8n, reset: false },
        ],
        failures: [],
        queryIndexes: ['0', '100', '0'],
      },
    },
    {
      name: 'missing header is an error; after it the watch asks from 0 and recovers',
      input: [
        { index: '5', body: { a: [] } },
        { index: undefined, body: { a: [] } },
        { index: '6', body: { a: ['x'] } },
      ],
      want: {
        changes: [
          { index: 5n, reset: false },
          { index: 6n, reset: false },
        ],
        failures: ['CONSUL_BAD_INDEX'],
        queryIndexes: ['0', '5', '0'],
      },
    },
    {
      name: 'index 0 is an error',
      input: [
        { index: '0', body: {} },
        { index: '3', body: { a: [] } },
      ],
      want: {
        changes: [{ index: 3n, reset: false }],
        failures: ['CONSUL_BAD_INDEX'],
        queryIndexes: ['0', '0'],
      },
    },
    {
      name: 'HTTP 500 backs off and retries; an unchanged index after recovery is no change',
      input: [
        { index: '5', body: { a: [] } },
        { status: 500, index: '5', body: 'boom' },
        { index: '5', body: { a: [] } },
        { index: '9', body: { z: [] } },
      ],
      want: {
        changes: [
          { index: 5n, reset: false },
          { index: 9n, reset: false },
        ],
        failures: ['CONSUL_HTTP_STATUS'],
        queryIndexes: ['0', '5', '0', '5'],
      },
    },
  ];
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const srv = await scriptedServer(
        (_req, n) => c.input[n] ?? { index: '999999', delayMs: 1500, body: {} },
      );
      const w = watchOn(srv.url);
      const got = collect(w);
      await eventually(
        'srv.requests.length > c.input.length',
        () => srv.requests.length > c.input.length,
      );
      w.close();
      await w.done;
      await srv.close();
      t.strictSame(
        got.changes.map((x) => ({ index: x.index, reset: x.reset })),
        c.want.changes,
        'changes',
      );
      t.strictSame(
        got.failures.map((f) => (f.error as Error & { code?: string }).code),
        c.want.failures,
        'failures',
      );
      t.strictSame(
        srv.requests.slice(0, c.input.length).map((r) => r.query.get('index')),
        c.want.queryIndexes,
        'index sent',
      );
      t.ok(
        srv.requests.slice(1).every((r) => r.query.get('wait') === '2000ms'),
        'wait sent',
      );
      t.equal(
        got.recoveries.length,
        c.want.failures.length ? 1 : 0,
        'recovered once after failures',
      );
    });
  }
});

t.test('unreachable: capped backoff with jitter, then abort ends the loop at once', async (t) => {
  // Grab a free port and close it again, so nothing listens there.
  const srv = await scriptedServer(() => ({ index: '1' }));
  const url = srv.url;
  await srv.close();
  const w = watchOn(url);
  const got = collect(w);
  await eventually('got.failures.length >= 6', () => got.failures.length >= 6);
  t.ok(
    got.failures.every((f) => (f.error as Error & { code?: string }).code === 'CONSUL_UNREACHABLE'),
  );
  t.ok(
    got.failures.every((f) => f.delayMs >= 5 && f.delayMs <= 40),
    'delays within [base/2, max]',
  );
  t.strictSame(
    got.failures.map((f) => f.attempt),
    got.failures.map((_f, i) => i + 1),
    'attempts count up',
  );
  t.ok(w.failedSince !== undefined && w.lastError !== undefined);
  const started = Date.now();
  w.close();
  await w.done;
  t.ok(Date.now() - started < 200, 'close is prompt');
});

t.test('abort interrupts a blocking request in flight', async (t) => {
  const srv = await scriptedServer((_req, n) =>
    n === 0 ? { index: '4', body: {} } : { index: '4', body: {}, delayMs: 1900 },
  );
  const ac = new AbortController();
  const consul = createConsul({ url: srv.url });
  const w = new BlockingWatch<Services>({
    name: 'x',
    fetch: (q) => consul.catalogServices(q),
    waitMs: 2000,
    signal: ac.signal,
  });
  const ended = once(w, 'end');
  await eventually('srv.requests.length === 2', () => srv.requests.length === 2);
  const started = Date.now();
  ac.abort();
  await ended;
  t.ok(Date.now() - started < 200, 'ended without waiting for the answer');
  consul.close();
  await srv.close();
});
