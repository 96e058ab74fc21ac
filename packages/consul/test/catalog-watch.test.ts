import t from 'tap';
import {
  createConsul,
  snapshotToLines,
  watchCatalog,
  type CatalogSnapshot,
  type CatalogWatch,
  type ConsulClient,
} from '../src/index.js';
import { countingProxy, type CountingProxy } from './helpers/counting-proxy.js';
import { eventually, stays } from '@berth/daemon/testing';
import { testCatalog, type TestCatalog } from './helpers/catalog.js';

interface Reg {
  name: string;
  id: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  address?: string;
  ttl?: boolean;
}

async function register(c: ConsulClient, r: Reg): Promise<void> {
  await c.agentServiceRegister({
    Name: r.name,
    ID: r.id,
    Port: r.port,
    Tags: r.tags ?? [],
    Meta: r.meta ?? {},
    Address: r.address ?? '127.0.0.2',
    ...(r.ttl ? { Check: { Name: `Service '${r.name}' check`, TTL: '60s', Timeout: '10s' } } : {}),
  });
}

function instance(s: CatalogSnapshot | undefined, service: string, id: string) {
  return s?.services.get(service)?.find((i) => i.id === id);
}

/** Resolve with the time the next snapshot matching `pred` arrives. */
function nextSnapshot(
  w: CatalogWatch,
  pred: (s: CatalogSnapshot) => boolean,
  ms = 3000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      w.off('snapshot', on);
      reject(new Error('no matching snapshot'));
    }, ms);
    const on = (s: CatalogSnapshot): void => {
      if (!pred(s)) return;
      clearTimeout(timer);
      w.off('snapshot', on);
      resolve(performance.now());
    };
    w.on('snapshot', on);
  });
}

t.test('catalog watch against berth catalog', async (t) => {
  let catalog: TestCatalog = await testCatalog();
  const proxy: CountingProxy = await countingProxy(catalog.url);
  const admin = createConsul({ url: catalog.url });
  const consul = createConsul({ url: proxy.url });
  const watch = watchCatalog(consul, { waitMs: 5000, backoff: { baseMs: 20, maxMs: 200 } });
  t.teardown(async () => {
    watch.close();
    consul.close();
    admin.close();
    await proxy.close();
    await catalog.close();
  });

  // 30 services: half with a TTL check, half without.
  for (let i = 0; i < 30; i++) {
    await register(admin, {
      name: `svc${i}`,
      id: `svc${i}-a`,
      port: 20000 + i,
      tags: ['v1'],
      ttl: i % 2 === 0,
    });
  }
  await register(admin, {
    name: 'web',
    id: 'web-1',
    port: 31001,
    tags: ['urlprefix-/web'],
    meta: { version: '1' },
    address: '127.0.0.20',
    ttl: true,
  });

  await t.test('first snapshot: every instance with tags, meta, address, checks', async (t) => {
    await watch.ready();
    await eventually(
      "instance(watch.current, 'web', 'web-1') !== undefined && (watch.cur...",
      () =>
        instance(watch.current, 'web', 'web-1') !== undefined &&
        (watch.current?.services.size ?? 0) >= 31,
    );
    const web = instance(watch.current, 'web', 'web-1');
    t.match(web, {
      service: 'web',
      address: '127.0.0.20',
      port: 31001,
      tags: ['urlprefix-/web'],
      meta: { version: '1' },
      status: 'critical', // a fresh TTL check starts critical
      maintenance: false,
    });
    t.strictSame(
      web?.checks.map((c) => [c.id, c.status]),
      [
        ['serfHealth', 'passing'],
        ['service:web-1', 'critical'],
      ],
      'node check first, then the service check',
    );
    t.equal(
      instance(watch.current, 'svc1', 'svc1-a')?.status,
      'passing',
      'no service check: node check only',
    );
    t.ok(Object.isFrozen(watch.current) && Object.isFrozen(web?.tags), 'frozen');
    t.ok(watch.current && watch.current.index > 0n, 'index set');
    t.notOk(watch.stale);
  });

  await t.test('every change is delivered as a snapshot (latency reported)', async (t) => {
    const samples: number[] = [];
    for (let i = 0; i < 6; i++) {
      const status = i % 2 === 0 ? 'passing' : 'critical';
      const arrived = nextSnapshot(watch, (s) => instance(s, 'web', 'web-1')?.status === status);
      const t0 = performance.now();
      await admin.agentCheckUpdate('service:web-1', status);
      samples.push((await arrived) - t0);
    }
    const arrived = nextSnapshot(watch, (s) => instance(s, 'api', 'api-1') !== undefined);
    const t0 = performance.now();
    await register(admin, { name: 'api', id: 'api-1', port: 32000 });
    samples.push((await arrived) - t0);
    // Speed is bench/'s business; this reports it and asserts only that each change arrived.
    t.comment(`delivery ms: ${samples.map((s) => s.toFixed(1)).join(' ')}`);
    t.equal(samples.length, 7, 'every change arrived');
  });

  await t.test('requests per change: per changed service, never per service', async (t) => {
    const serviceFetches = (): string[] =>
      proxy.log
        .filter((l) => l.startsWith('GET /v1/health/service/'))
        .map((l) => l.slice('GET /v1/health/service/'.length));
    const cases: {
      name: string;
      input: () => Promise<unknown>;
      ready: (s: CatalogSnapshot) => boolean;
      want: { serviceFetches: string[]; nodeFetches: number };
    }[] = [
      {
        name: 'check status flip: no fetch at all',
        input: () => admin.agentCheckUpdate('service:svc4-a', 'passing'),
        ready: (s) => instance(s, 'svc4', 'svc4-a')?.status === 'passing',
        want: { serviceFetches: [], nodeFetches: 0 },
      },
      {
        name: 'tag change on one service: one fetch of that service',
        input: () =>
          register(admin, { name: 'svc7', id: 'svc7-a', port: 20007, tags: ['v1', 'canary'] }),
        ready: (s) => instance(s, 'svc7', 'svc7-a')?.tags.includes('canary') === true,
        want: { serviceFetches: ['svc7'], nodeFetches: 0 },
      },
      {
        name: 'new instance with a check of an existing service: one fetch',
        input: () =>
          register(admin, { name: 'svc8', id: 'svc8-b', port: 21008, tags: ['v1'], ttl: true }),
        ready: (s) => instance(s, 'svc8', 'svc8-b') !== undefined,
        want: { serviceFetches: ['svc8'], nodeFetches: 0 },
      },
      {
        name: 'new service: one fetch',
        input: () => register(admin, { name: 'fresh', id: 'fresh-1', port: 22000 }),
        ready: (s) => instance(s, 'fresh', 'fresh-1') !== undefined,
        want: { serviceFetches: ['fresh'], nodeFetches: 0 },
      },
      {
        name: 'port change without checks (unattributable): per-node resync, no per-service fetch',
        input: () => register(admin, { name: 'svc9', id: 'svc9-a', port: 29999, tags: ['v1'] }),
        ready: (s) => instance(s, 'svc9', 'svc9-a')?.port === 29999,
        want: { serviceFetches: [], nodeFetches: 1 },
      },
      {
        name: 'deregistration of a checked instance: one fetch',
        input: () => admin.agentServiceDeregister('svc8-b'),
        ready: (s) => instance(s, 'svc8', 'svc8-b') === undefined,
        want: { serviceFetches: ['svc8'], nodeFetches: 0 },
      },
    ];
    for (const c of cases) {
      proxy.reset();
      const arrived = nextSnapshot(watch, c.ready);
      await c.input();
      await arrived;
      // Fetches land before the snapshot they feed; none may follow it.
      await stays(
        `${c.name}: no further fetch`,
        () =>
          serviceFetches().length <= c.want.serviceFetches.length &&
          proxy.count('/v1/catalog/node/') <= c.want.nodeFetches,
      ).catch(() => {}); // the assertions below say what differs
      t.strictSame(serviceFetches(), c.want.serviceFetches, `${c.name}: services fetched`);
      t.equal(proxy.count('/v1/catalog/node/'), c.want.nodeFetches, `${c.name}: node fetches`);
      t.comment(`${c.name}: ${proxy.log.length} requests in all (${proxy.log.join(', ')})`);
      t.ok(
        proxy.log.length <= 8,
        `${c.name}: a handful of requests for ${watch.current?.services.size} services`,
      );
    }
  });

  await t.test('a new instance never shows up without its (critical) check', async (t) => {
    const wrong: string[] = [];
    const on = (s: CatalogSnapshot): void => {
      for (let i = 0; i < 8; i++) {
        const inst = instance(s, 'newbie', `newbie-${i}`);
        if (inst && inst.status !== 'critical') wrong.push(`newbie-${i} ${inst.status}`);
      }
    };
    watch.on('snapshot', on);
    for (let i = 0; i < 8; i++) {
      const arrived = nextSnapshot(
        watch,
        (s) => instance(s, 'newbie', `newbie-${i}`) !== undefined,
      );
      await register(admin, { name: 'newbie', id: `newbie-${i}`, port: 25000 + i, ttl: true });
      await arrived;
    }
    // Now with the check long-poll lagging 300 ms behind the others.
    proxy.delay('/v1/health/state/', 300);
    for (let i = 0; i < 3; i++) {
      const arrived = nextSnapshot(
        watch,
        (s) => instance(s, `late${i}`, `late${i}-1`) !== undefined,
      );
      await register(admin, { name: `late${i}`, id: `late${i}-1`, port: 26000 + i, ttl: true });
      await arrived;
      const inst = instance(watch.current, `late${i}`, `late${i}-1`);
      if (inst?.status !== 'critical') wrong.push(`late${i}-1 ${inst?.status}`);
    }
    proxy.delay('/v1/health/state/', 0);
    // The lagging long-polls still answer: their snapshots must show the checks too.
    await stays('every snapshot shows each new instance critical', () => wrong.length === 0, {
      periodMs: 400,
    }).catch(() => {});
    watch.off('snapshot', on);
    t.strictSame(wrong, [], 'every snapshot showed each new instance critical');
  });

  await t.test('identical input: no new snapshot', async (t) => {
    const before = watch.current;
    const snapshots = watch.stats.snapshots;
    // Same registration again, and a TTL pass on an already passing check with new output.
    await register(admin, { name: 'svc3', id: 'svc3-a', port: 20003, tags: ['v1'] });
    await admin.agentCheckUpdate('service:svc4-a', 'passing', 'still fine');
    await stays(
      'no new snapshot',
      () => watch.current === before && watch.stats.snapshots === snapshots,
    ).catch(() => {});
    t.equal(watch.current, before, 'same snapshot object');
    t.equal(watch.stats.snapshots, snapshots, 'no snapshot event');
  });

  await t.test(
    'catalog down: last snapshot kept and marked stale; restart: the watch resumes',
    async (t) => {
      const before = watch.current;
      const port = catalog.port;
      const stale = new Promise((resolve) => watch.once('stale', resolve));
      const t0 = Date.now();
      await catalog.close();
      await stale;
      t.ok(watch.stale, 'stale');
      t.ok(watch.staleSince !== undefined && watch.staleSince >= t0 - 5, 'staleSince set');
      t.match(watch.lastError, { code: 'CONSUL_UNREACHABLE' });
      await stays('the last good snapshot stays current and stale', () => {
        return watch.current === before && watch.stale;
      }).catch(() => {});
      t.equal(watch.current, before, 'last good snapshot still current');
      t.ok(watch.stale, 'still stale');

      // Same port again (no data dir: the catalog comes back empty).
      const fresh = new Promise((resolve) => watch.once('fresh', resolve));
      catalog = await testCatalog(port);
      const admin2 = createConsul({ url: catalog.url });
      t.teardown(() => admin2.close());
      await fresh;
      t.notOk(watch.stale, 'fresh again');
      t.equal(watch.staleSince, undefined);
      const arrived = nextSnapshot(watch, (s) => instance(s, 'after', 'after-1') !== undefined);
      await register(admin2, { name: 'after', id: 'after-1', port: 23000, ttl: true });
      await arrived;
      // Right after a restart one long-poll may still be in backoff: the instance must still
      // come with its check (critical), never as a checkless, healthy-looking instance.
      t.equal(
        instance(watch.current, 'after', 'after-1')?.status,
        'critical',
        'first seen with its check',
      );
      t.equal(
        instance(watch.current, 'web', 'web-1'),
        undefined,
        'instances gone with the old catalog are gone',
      );
      t.ok(
        before !== undefined && watch.current!.index < before.index,
        `index went backwards (${before?.index} → ${watch.current?.index}) and the watch followed`,
      );
      t.comment(snapshotToLines(watch.current!).join('\n'));
    },
  );

  await t.test('onSnapshot calls back with the current and each new snapshot', async (t) => {
    const seen: CatalogSnapshot[] = [];
    const off = watch.onSnapshot((s) => seen.push(s));
    t.equal(seen[0], watch.current, 'current at once');
    const arrived = nextSnapshot(watch, (s) => instance(s, 'cb', 'cb-1') !== undefined);
    const c = createConsul({ url: catalog.url });
    await register(c, { name: 'cb', id: 'cb-1', port: 24000 });
    c.close();
    await arrived;
    off();
    t.equal(seen.length, 2);
    t.equal(seen[1], watch.current);
  });

  await t.test('async iterator yields the current snapshot and ends on close', async (t) => {
    const it = watch[Symbol.asyncIterator]();
    const first = await it.next();
    t.equal(first.value, watch.current);
    const pending = it.next();
    watch.close();
    t.strictSame(await pending, { done: true, value: undefined });
  });
});
