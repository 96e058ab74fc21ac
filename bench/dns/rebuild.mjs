// Table rebuild cost of berth dns after one change in a large catalog: a one-service health
// flip (the case that must reach answers within 100 ms of Consul's index moving), and one
// instance added to one service. Snapshots come from @berth/consul's buildIncremental, as the
// real watch makes them (unchanged services keep their frozen instance arrays), and are
// pushed through startDns's real rebuild path (MemoryCatalogSource.set is synchronous: the
// table is swapped when it returns). The daemon always listens to `diff`, so that is on too.
//
//   node bench/dns/rebuild.mjs                     # 1,000 and 10,000 services, 40 flips each
//   SCALES=1000 ROUNDS=10 node bench/dns/rebuild.mjs
//   DIFF=0 node bench/dns/rebuild.mjs              # without a diff listener
//   DNS_MODULE=/tmp/old/packages/dns/dist/index.js node bench/dns/rebuild.mjs  # reference
//
// Bounded: ROUNDS changes per scale (default 40); binds one UDP+TCP socket on 127.0.0.1:0.
import { performance } from 'node:perf_hooks';
import { buildIncremental } from '@berth/consul';
import { commit, machineLine, summarize } from '../lib/report.mjs';

// DNS_MODULE: another build of @berth/dns to measure (a reference run, e.g. an older commit
// compiled elsewhere), as a path to its dist/index.js.
const dnsModule = process.env.DNS_MODULE ?? '@berth/dns';
const dnsUrl = dnsModule.startsWith('/') ? new URL(`file://${dnsModule}`).href : dnsModule;
const { startDns, MemoryCatalogSource: older } = await import(dnsUrl);
// Builds before the house layout exported the in-memory source from the main entry.
const MemoryCatalogSource =
  older ??
  (
    await import(
      dnsUrl === '@berth/dns' ? '@berth/dns/testing' : new URL('testing/index.js', dnsUrl).href
    )
  ).MemoryCatalogSource;

const scales = (process.env.SCALES ?? '1000,10000').split(',').map(Number);
const rounds = Number(process.env.ROUNDS ?? 40);
const perService = Number(process.env.INSTANCES ?? 3);
const withDiff = process.env.DIFF !== '0';

const ms = (x) => x.toFixed(2);

/** Registrations (one array per service, kept as the same object unless changed) and checks. */
function catalog(services) {
  const nodeCount = Math.max(10, Math.min(1000, Math.floor(services / 10)));
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    name: `host${i}`,
    address: `127.20.${i >> 8}.${(i & 0xff) + 1}`,
    datacenter: 'dc1',
    meta: {},
  }));
  const regs = [];
  const checks = nodes.map((n) => ({
    Node: n.name,
    CheckID: 'serfHealth',
    Name: 'Serf Health Status',
    Status: 'passing',
    ServiceID: '',
    Output: '',
  }));
  for (let s = 0; s < services; s++) {
    const list = [];
    for (let k = 0; k < perService; k++) {
      const node = nodes[(s * 7 + k) % nodeCount];
      const id = `${node.name}:svc${s}:${k}`;
      list.push({
        id,
        service: `svc${s}`,
        node: node.name,
        serviceAddress: '',
        port: 20000 + ((s * perService + k) % 40000),
        tags: k === 0 ? ['primary'] : [],
        meta: {},
        modifyIndex: 1,
      });
      checks.push({
        Node: node.name,
        CheckID: `service:${id}`,
        Name: 'ttl',
        Status: 'passing',
        ServiceID: id,
        Output: '',
      });
    }
    regs.push(list);
  }
  return { nodes, regs, checks };
}

async function scale(services) {
  const { nodes, regs, checks } = catalog(services);
  let index = 1n;
  let state;
  const build = (checkList, registrations = regs) => {
    const b = buildIncremental(
      {
        registrations,
        checks: checkList,
        nodes,
        index: index++,
        datacenter: 'dc1',
        fetchedAt: Date.now(),
      },
      state,
    );
    state = b.state;
    return b.snapshot;
  };
  const source = new MemoryCatalogSource();
  const dns = await startDns({ listen: [{ host: '127.0.0.1', port: 0 }] }, source);
  let lastBuildMs = NaN;
  dns.on('table', (t) => (lastBuildMs = t.buildMs));
  dns.on('table-error', (e) => {
    throw e;
  });
  if (withDiff) dns.on('diff', () => {});
  try {
    let t0 = performance.now();
    source.set(build(checks));
    const first = performance.now() - t0;

    const flip = { wall: [], build: [] };
    let current = checks;
    for (let r = 0; r < rounds; r++) {
      const s = (r * 7919) % services;
      const id = regs[s][0].id;
      const critical = r % 2 === 0;
      current = current.map((c) =>
        c.ServiceID === id ? { ...c, Status: critical ? 'critical' : 'passing' } : c,
      );
      const snap = build(current);
      t0 = performance.now();
      source.set(snap);
      flip.wall.push(performance.now() - t0);
      flip.build.push(lastBuildMs);
      const a = dns.table?.names.get(`svc${s}.service.consul`)?.a;
      const want = critical ? perService - 1 : perService;
      if (!a || a.count !== want) throw new Error(`svc${s}: ${a?.count} A records, want ${want}`);
    }

    const add = { wall: [], build: [] };
    let registrations = regs;
    for (let r = 0; r < Math.min(rounds, 20); r++) {
      const s = (r * 104729) % services;
      registrations = registrations.map((list, i) =>
        i === s
          ? [
              ...list,
              {
                ...list[0],
                id: `${list[0].node}:svc${s}:extra${r}`,
                port: 60000 + r,
                tags: [],
              },
            ]
          : list,
      );
      const snap = build(current, registrations);
      t0 = performance.now();
      source.set(snap);
      add.wall.push(performance.now() - t0);
      add.build.push(lastBuildMs);
    }
    return { services, names: dns.table?.names.size ?? 0, first, flip, add };
  } finally {
    await dns.close();
  }
}

console.log(`# berth dns table rebuild — ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  `- measured: ${dnsModule === '@berth/dns' ? `@berth/dns at ${commit(['packages/dns', 'bench/dns'])}` : dnsModule}`,
);
console.log(`- machine: ${machineLine()}`);
console.log(
  `- ${perService} instances per service, ${rounds} one-service health flips per scale, ` +
    `diff listener ${withDiff ? 'on' : 'off'}`,
);
console.log(
  `- command: \`${dnsModule === '@berth/dns' ? '' : `DNS_MODULE=${dnsModule} `}SCALES=${scales.join(',')} ROUNDS=${rounds} DIFF=${withDiff ? 1 : 0} node bench/dns/rebuild.mjs\`\n`,
);
console.log(
  '| services | names | first build (ms) | flip p50 / p90 / max (ms) | flip table build p50 (ms) | add instance p50 / max (ms) |',
);
console.log('|---|---|---|---|---|---|');
for (const n of scales) {
  const r = await scale(n);
  const f = summarize(r.flip.wall);
  const fb = summarize(r.flip.build);
  const a = summarize(r.add.wall);
  console.log(
    `| ${n} | ${r.names} | ${ms(r.first)} | ${ms(f.p50)} / ${ms(f.p90)} / ${ms(f.max)} | ${ms(fb.p50)} | ${ms(a.p50)} / ${ms(a.max)} |`,
  );
}
