import t from 'tap';
import { parseRouteCommands } from '../../src/core/route-command.js';
import { buildTable } from '../../src/core/route-table.js';
import { pickTarget } from '../../src/core/balancer.js';
import type { Route } from '../../src/core/route-table.js';
import { UpstreamStates } from '../../src/core/upstream-state.js';

const routes = `
route add a /foo http://127.0.0.1:1/
route add b /foo/bar http://127.0.0.1:2/
route add c / http://127.0.0.1:3/
route add d example.com/ http://127.0.0.1:4/
route add e example.com/foo http://127.0.0.1:5/
route add f *.wild.org/ http://127.0.0.1:6/
route add g example.com:8080/p http://127.0.0.1:7/
`;

const prefixCases: { name: string; input: [string, string]; want: string | undefined }[] = [
  { name: 'longest prefix wins', input: ['', '/foo/bar/baz'], want: 'b' },
  { name: 'prefix is a string prefix', input: ['', '/foobar'], want: 'a' },
  { name: 'root catches the rest', input: ['', '/other'], want: 'c' },
  { name: 'host route first', input: ['example.com', '/foo/x'], want: 'e' },
  { name: 'host root before path route', input: ['example.com', '/bar'], want: 'd' },
  { name: 'unknown host falls back to /path', input: ['nope.com', '/foo'], want: 'a' },
  {
    name: 'port is stripped when no host:port route',
    input: ['example.com:9999', '/foo'],
    want: 'e',
  },
  { name: 'host:port route', input: ['example.com:8080', '/p'], want: 'g' },
  { name: 'wildcard host', input: ['a.b.wild.org', '/x'], want: 'f' },
  { name: 'wildcard does not match the apex', input: ['wild.org', '/x'], want: 'c' },
];

t.test('prefix matching', async (t) => {
  const table = buildTable(parseRouteCommands(routes));
  for (const c of prefixCases) {
    t.equal(table.lookup(...c.input)?.targets[0]?.service, c.want, c.name);
  }
});

t.test('no route', async (t) => {
  const table = buildTable(parseRouteCommands('route add a /foo http://127.0.0.1:1/'));
  t.equal(table.lookup('', '/bar'), undefined);
  t.equal(table.lookup('x.com', '/fo'), undefined);
  t.equal(buildTable([]).lookup('', '/'), undefined);
});

const globCases: { name: string; input: [string, string]; want: string | undefined }[] = [
  { name: 'star matches across slashes', input: ['', '/img/a/b.png'], want: 'png' },
  { name: 'exact path', input: ['', '/exact'], want: 'exact' },
  { name: 'no prefix semantics', input: ['', '/exact/more'], want: 'all' },
  { name: 'question mark', input: ['', '/v1/x'], want: 'v' },
  { name: 'class', input: ['', '/c/b'], want: 'class' },
];

t.test('glob matching', async (t) => {
  const table = buildTable(
    parseRouteCommands(`
route add png /img/*.png http://127.0.0.1:1/
route add exact /exact http://127.0.0.1:2/
route add all /* http://127.0.0.1:3/
route add v /v?/x http://127.0.0.1:4/
route add class /c/[ab] http://127.0.0.1:5/
`),
    { matcher: 'glob' },
  );
  for (const c of globCases) {
    t.equal(table.lookup(...c.input)?.targets[0]?.service, c.want, c.name);
  }
});

t.test('del and weight commands', async (t) => {
  const base = `
route add web /w http://127.0.0.1:1/ tags "v1"
route add web /w http://127.0.0.1:2/ tags "v1"
route add web /w http://127.0.0.1:3/ tags "v2"
route add api /a http://127.0.0.1:4/ tags "v1"
`;
  const cases: { name: string; input: string; want: Record<string, number> }[] = [
    {
      name: 'equal shares',
      input: '',
      want: {
        'http://127.0.0.1:1/': 1 / 3,
        'http://127.0.0.1:2/': 1 / 3,
        'http://127.0.0.1:3/': 1 / 3,
      },
    },
    {
      name: 'weight by tag: 20% to v2',
      input: 'route weight web /w weight 0.2 tags "v2"',
      want: { 'http://127.0.0.1:1/': 0.4, 'http://127.0.0.1:2/': 0.4, 'http://127.0.0.1:3/': 0.2 },
    },
    {
      name: 'service weight without tags covers all: normalised',
      input: 'route weight web /w weight 0.5',
      want: {
        'http://127.0.0.1:1/': 1 / 3,
        'http://127.0.0.1:2/': 1 / 3,
        'http://127.0.0.1:3/': 1 / 3,
      },
    },
    {
      name: 'del by dst',
      input: 'route del web /w http://127.0.0.1:1/',
      want: { 'http://127.0.0.1:2/': 0.5, 'http://127.0.0.1:3/': 0.5 },
    },
    {
      name: 'del by tag',
      input: 'route del web tags "v1"',
      want: { 'http://127.0.0.1:3/': 1 },
    },
    { name: 'del service', input: 'route del web', want: {} },
  ];
  for (const c of cases) {
    const table = buildTable(parseRouteCommands(base + c.input));
    const got: Record<string, number> = {};
    for (const tg of table.lookup('', '/w')?.targets ?? []) got[tg.url] = tg.weight;
    t.same(Object.keys(got).sort(), Object.keys(c.want).sort(), `${c.name}: targets`);
    for (const [k, v] of Object.entries(c.want))
      t.ok(Math.abs((got[k] ?? -1) - v) < 1e-9, `${c.name}: ${k}`);
    t.ok(table.lookup('', '/a'), `${c.name}: other service untouched`);
  }
});

t.test('round-robin follows weights and skips ejected targets', async (t) => {
  const states = new UpstreamStates({ baseMs: 1000, maxMs: 8000 });
  const table = buildTable(
    parseRouteCommands(`
route add web /w http://127.0.0.1:1/
route add web /w http://127.0.0.1:2/ opts "weight=3"
`),
    { states },
  );
  const route = table.lookup('', '/w');
  if (route === undefined) throw new Error('no route');
  const count = (n: number, strategy: 'rr' | 'rnd' | 'least', now = 0) => {
    const got: Record<number, number> = {};
    for (let i = 0; i < n; i++) {
      const tg = pickTarget(route, strategy, now);
      if (tg !== undefined) got[tg.port] = (got[tg.port] ?? 0) + 1;
    }
    return got;
  };
  t.same(count(100, 'rr'), { 1: 25, 2: 75 }, 'rr is exact over the wheel');
  const rnd = count(4000, 'rnd');
  t.ok(Math.abs((rnd[2] ?? 0) / 4000 - 0.75) < 0.05, 'rnd within 5%');
  const t2 = route.targets.find((x) => x.port === 2);
  if (t2 === undefined) throw new Error('no target');
  t.equal(states.fail(t2.state, 0), 1000, 'first ejection is the base');
  t.same(count(10, 'rr', 500), { 1: 10 }, 'ejected target skipped');
  t.same(count(10, 'rr', 1000), { 1: 2, 2: 8 }, 'back after the ejection');
  t.equal(states.fail(t2.state, 0), 2000, 'second ejection doubles');
  states.succeed(t2.state);
  t.equal(states.fail(t2.state, 0), 1000, 'success resets the back-off');
  const t1 = route.targets.find((x) => x.port === 1);
  if (t1 === undefined) throw new Error('no target');
  states.fail(t1.state, 0);
  t.ok(pickTarget(route, 'rr', 10), 'all ejected: still picks one');
  t.equal(pickTarget(route, 'rr', 5000, t1)?.port, 2, 'avoid skips the failed one');
});

t.test('least outstanding per weight', async (t) => {
  const table = buildTable(
    parseRouteCommands(`
route add web /w http://127.0.0.1:1/
route add web /w http://127.0.0.1:2/
`),
  );
  const route = table.lookup('', '/w');
  if (route === undefined) throw new Error('no route');
  const [a, b] = route.targets;
  if (a === undefined || b === undefined) throw new Error('targets');
  a.state.outstanding = 5;
  t.equal(pickTarget(route, 'least', 0), b);
  b.state.outstanding = 9;
  t.equal(pickTarget(route, 'least', 0), a);
});

t.test('10,000 routes build and every lookup finds its route', async (t) => {
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    lines.push(`route add svc${i} /svc${i}/api http://127.0.0.1:${1 + (i % 60000)}/`);
    if (i % 10 === 0) lines.push(`route add svc${i} host${i}.example.com/ http://127.0.0.1:2/`);
  }
  const text = lines.join('\n');
  const t0 = performance.now();
  const table = buildTable(parseRouteCommands(text));
  const buildMs = performance.now() - t0;
  t.comment(`parse + build took ${buildMs.toFixed(0)} ms (bench/router measures it)`);
  t.equal(table.routes.length, 11_000);
  const t1 = performance.now();
  let hits = 0;
  for (let i = 0; i < 100_000; i++) {
    if (table.lookup('host5000.example.com', `/svc${i % 10_000}/api/x`) !== undefined) hits++;
  }
  const perLookupUs = ((performance.now() - t1) * 1000) / 100_000;
  t.equal(hits, 100_000);
  t.comment(`lookup ${perLookupUs.toFixed(2)} µs`);
});

t.test('a source whose instances are all down stays, with no targets', async (t) => {
  const table = buildTable(
    parseRouteCommands(
      'route add all / http://127.0.0.1:1/\n' +
        'route add hc /hc http://127.0.0.1:2/ opts "status=critical"\n' +
        'route add mix /mix http://127.0.0.1:3/\n' +
        'route add mix /mix http://127.0.0.1:4/ opts "status=critical"\n',
    ),
  );
  t.same(table.lookup('', '/hc/x')?.targets, [], '/hc matches, with nobody to send to');
  t.equal(pickTarget(table.lookup('', '/hc/x') as Route, 'rr', 0), undefined);
  t.same(
    table.lookup('', '/mix')?.targets.map((x) => x.port),
    [3],
    'the live instance only',
  );
  t.equal(table.lookup('', '/other')?.src, '/', 'others still fall to /');
});
