// QueryLookup with a fake executor and a fake clock: TTL-bounded reuse (from before the
// call), TTL 0 and "no such query" reused 1 s, failures never cached, LRU bound, single
// flight, the bound on open calls.
import t from 'tap';
import {
  Chase,
  QueryLookup,
  RCODE,
  TYPE,
  buildZone,
  compileTable,
  parseQuery,
  type Query,
  type QueryExecution,
  type QueryExecutor,
  type ZoneOptions,
} from '@berth/dns';
import { decode, query, type Decoded } from './decode.js';
import { snapshot } from './fixtures.js';

const opts: ZoneOptions = {
  domains: ['consul'],
  onlyPassing: false,
  serviceTtl: [{ pattern: 'web', ttl: 3 }],
  nodeTtl: 0,
  aRecordLimit: 0,
  nsAddresses: [],
};
const table = compileTable(buildZone(snapshot([]), opts), 0);

function execution(ttl: string, addresses: string[], service = 'web'): QueryExecution {
  const s = snapshot(addresses.map((address) => ({ service, address })));
  return { service, ttl, instances: s.services.get(service) ?? [], nodeMeta: new Map() };
}

interface Rig {
  lookup: QueryLookup;
  calls: string[];
  clock: { now: number };
  ask(name: string, type?: number): Promise<Decoded>;
}

function rig(
  answer: (name: string) => Promise<QueryExecution | undefined>,
  bounds: { maxEntries?: number; maxInFlight?: number } = {},
): Rig {
  const calls: string[] = [];
  const clock = { now: 0 };
  const executor: QueryExecutor = {
    execute: (name) => {
      calls.push(name);
      return answer(name);
    },
  };
  const lookup = new QueryLookup(
    executor,
    opts,
    {
      maxEntries: bounds.maxEntries ?? 100,
      maxInFlight: bounds.maxInFlight ?? 100,
      zeroTtlMs: 1000,
      negativeMs: 1000,
    },
    () => undefined,
    () => clock.now,
  );
  const ask = async (name: string, type = TYPE.A): Promise<Decoded> => {
    const msg = query(name, type);
    const q = parseQuery(msg) as Query;
    const qn = lookup.match(q);
    if (!qn) throw new Error(`${name} is no query name`);
    let out = await lookup.reply(table, qn, q, msg, 512, false);
    if (out instanceof Chase) out = out.reply;
    return decode(out);
  };
  return { lookup, calls, clock, ask };
}

t.test('reused for at most the TTL', async (t) => {
  const r = rig(async () => execution('5s', ['127.0.0.11']));
  const a = await r.ask('q.query.consul');
  t.strictSame(
    a.answers.map((x) => [x.data, x.ttl]),
    [['127.0.0.11', 5]],
  );
  r.clock.now = 4999;
  await r.ask('q.query.consul');
  t.equal(r.calls.length, 1, 'within the TTL: cached');
  r.clock.now = 5000;
  await r.ask('q.query.consul');
  t.equal(r.calls.length, 2, 'at the TTL: executed again');
});

t.test('no DNS.TTL: the service TTL; TTL 0: reused 1 s', async (t) => {
  const r = rig(async (name) => execution(name === 'zero' ? '0s' : '', ['127.0.0.11']));
  t.equal((await r.ask('svc.query.consul')).answers[0]?.ttl, 3, '--service-ttl web=3');
  t.equal((await r.ask('zero.query.consul')).answers[0]?.ttl, 0);
  r.clock.now = 999;
  await r.ask('zero.query.consul');
  t.equal(r.calls.filter((c) => c === 'zero').length, 1);
  r.clock.now = 1000;
  await r.ask('zero.query.consul');
  t.equal(r.calls.filter((c) => c === 'zero').length, 2);
});

t.test('expiry counts from before the call', async (t) => {
  const r: Rig = rig(async () => {
    r.clock.now += 3000; // the call took 3 s
    return execution('5s', ['127.0.0.11']);
  });
  await r.ask('q.query.consul');
  r.clock.now = 5000;
  await r.ask('q.query.consul');
  t.equal(r.calls.length, 2, 'expired 5 s after the call started, not after it ended');
});

t.test('unknown query: NXDOMAIN reused 1 s; failures never cached', async (t) => {
  let fail = false;
  const r = rig(async (name) => {
    if (fail) throw new Error('catalog down');
    return name === 'known' ? execution('60s', ['127.0.0.11']) : undefined;
  });
  const nx = await r.ask('nope.query.consul');
  t.equal(nx.rcode, RCODE.NXDOMAIN);
  t.equal(nx.authority[0]?.type, TYPE.SOA);
  t.equal((await r.ask('nope.query.consul')).rcode, RCODE.NXDOMAIN);
  t.equal(r.calls.length, 1);
  r.clock.now = 1000;
  fail = true;
  t.equal((await r.ask('nope.query.consul')).rcode, RCODE.SERVFAIL, 'expired, then the call fails');
  t.equal((await r.ask('nope.query.consul')).rcode, RCODE.SERVFAIL);
  t.equal(r.calls.length, 3, 'a failure is not cached');
  t.equal(r.lookup.stats.failures, 2);
  t.equal((await r.ask('nope.query.dc2.consul')).rcode, RCODE.NXDOMAIN, 'another datacenter');
  t.equal(r.calls.length, 3, 'without a call');
});

t.test('bounded: LRU entries, open calls; single flight', async (t) => {
  const pending = new Map<string, () => void>();
  const r = rig(
    (name) =>
      name.startsWith('slow')
        ? new Promise((res) => pending.set(name, () => res(execution('60s', ['127.0.0.11']))))
        : Promise.resolve(execution('60s', ['127.0.0.11'])),
    { maxEntries: 3, maxInFlight: 2 },
  );
  for (const n of ['a', 'b', 'c']) await r.ask(`${n}.query.consul`);
  await r.ask('a.query.consul'); // a is now the most recent
  await r.ask('d.query.consul'); // b goes
  t.equal(r.lookup.stats.entries, 3);
  const before = r.calls.length;
  await r.ask('a.query.consul');
  t.equal(r.calls.length, before, 'a kept');
  await r.ask('b.query.consul');
  t.equal(r.calls.length, before + 1, 'b was evicted');

  const one = r.ask('slow1.query.consul');
  const two = r.ask('slow1.query.consul');
  const other = r.ask('slow2.query.consul');
  t.equal(r.calls.filter((c) => c === 'slow1').length, 1, 'one call for two lookups');
  t.equal(r.lookup.stats.waiting, 3);
  t.equal((await r.ask('slow3.query.consul')).rcode, RCODE.SERVFAIL, 'third open call refused');
  t.equal(r.lookup.stats.overload, 1);
  for (const release of pending.values()) release();
  const replies = await Promise.all([one, two, other]);
  t.strictSame(
    replies.map((d) => d.answers.map((a) => a.data)),
    [['127.0.0.11'], ['127.0.0.11'], ['127.0.0.11']],
  );
  t.equal(r.lookup.stats.coalesced, 1);
  t.equal(r.lookup.stats.inFlight, 0);
});
