import t from 'tap';
import { startRouter } from '../src/router.js';
import { MemoryRouteSource } from '../src/route-source.js';
import { snapshotOf, startBackend, request, rawRequest } from './helpers.js';

const echo = await startBackend('echo');
const hop = await startBackend('hop', (req, res) => {
  res.setHeader('Keep-Alive', 'timeout=30');
  res.setHeader('Proxy-Authenticate', 'Basic');
  res.setHeader('X-Kept', 'yes');
  res.end('ok');
});
const snap = snapshotOf({
  echo: [{ port: echo.port, tags: ['urlprefix-/'] }],
  hop: [{ port: hop.port, tags: ['urlprefix-/hop'] }],
});
// untrusted: no ranges; trusted: loopback is the "ELB"
const untrusted = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null },
  new MemoryRouteSource(snap),
);
const trusted = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null, trustedProxies: ['127.0.0.0/8'] },
  new MemoryRouteSource(snap),
);
const pp = await startRouter(
  {
    proxy: { host: '127.0.0.1', port: 0 },
    admin: null,
    proxyProtocol: true,
    trustedProxies: ['127.0.0.0/8'],
  },
  new MemoryRouteSource(snap),
);
t.teardown(async () => {
  await untrusted.close();
  await trusted.close();
  await pp.close();
  await echo.close();
  await hop.close();
});

type Headers = Record<string, string | undefined>;
const spoof = {
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.example',
  forwarded: 'for=203.0.113.9',
};

const cases: {
  name: string;
  input: { trusted: boolean; headers: Record<string, string> };
  want: Headers;
}[] = [
  {
    name: 'plain request gets fresh forwarding headers',
    input: { trusted: false, headers: { host: 'app.example' } },
    want: {
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'app.example',
      forwarded: 'for=127.0.0.1;proto=http;host=app.example',
      'x-real-ip': '127.0.0.1',
    },
  },
  {
    name: 'untrusted peer cannot spoof',
    input: { trusted: false, headers: { host: 'app.example', ...spoof } },
    want: {
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'app.example',
      forwarded: 'for=127.0.0.1;proto=http;host=app.example',
    },
  },
  {
    name: 'trusted peer (ELB) headers are kept and appended',
    input: { trusted: true, headers: { host: 'app.example', ...spoof } },
    want: {
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      forwarded: 'for=203.0.113.9, for=127.0.0.1;proto=https;host=evil.example',
      'x-real-ip': '203.0.113.9',
    },
  },
  {
    name: 'hop-by-hop and nominated headers are removed, request id kept',
    input: {
      trusted: false,
      headers: {
        host: 'h',
        connection: 'keep-alive, X-Secret',
        'x-secret': 's',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic x',
        'x-request-id': 'abc-123',
        'x-other': 'kept',
      },
    },
    want: {
      'x-secret': undefined,
      'keep-alive': undefined,
      te: undefined,
      'proxy-authorization': undefined,
      connection: undefined,
      'x-request-id': 'abc-123',
      'x-other': 'kept',
    },
  },
];

t.test('forwarding and hop-by-hop header rules', async (t) => {
  for (const c of cases) {
    const port = (c.input.trusted ? trusted : untrusted).proxyAddress.port;
    const res = await request(port, '/', { headers: c.input.headers });
    const got = JSON.parse(res.body).headers as Headers;
    for (const [k, v] of Object.entries(c.want)) t.equal(got[k], v, `${c.name}: ${k}`);
  }
});

t.test('X-Request-Id is added when absent, unique per request', async (t) => {
  const port = untrusted.proxyAddress.port;
  const a = JSON.parse((await request(port, '/')).body).headers['x-request-id'];
  const b = JSON.parse((await request(port, '/')).body).headers['x-request-id'];
  t.match(a, /^[0-9a-f-]{36}$/);
  t.not(a, b);
});

t.test('hop-by-hop response headers are removed', async (t) => {
  const res = await request(untrusted.proxyAddress.port, '/hop');
  t.equal(res.headers['keep-alive'], undefined);
  t.equal(res.headers['proxy-authenticate'], undefined);
  t.equal(res.headers['x-kept'], 'yes');
});

const v2 = (src: number[], sport: number): Buffer => {
  const b = Buffer.alloc(28);
  Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]).copy(b);
  b[12] = 0x21;
  b[13] = 0x11;
  b.writeUInt16BE(12, 14);
  Buffer.from(src).copy(b, 16);
  Buffer.from([10, 0, 0, 9]).copy(b, 20);
  b.writeUInt16BE(sport, 24);
  b.writeUInt16BE(80, 26);
  return b;
};

t.test('PROXY protocol v1 and v2 set the client address', async (t) => {
  const port = pp.proxyAddress.port;
  const get = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const cases: { name: string; input: Buffer; want: RegExp }[] = [
    {
      name: 'v1 TCP4',
      input: Buffer.from(`PROXY TCP4 198.51.100.7 127.0.0.10 5555 80\r\n${get}`),
      want: /"x-forwarded-for":"198\.51\.100\.7"/,
    },
    {
      name: 'v1 TCP6',
      input: Buffer.from(`PROXY TCP6 2001:db8::7 ::1 5555 80\r\n${get}`),
      want: /"x-forwarded-for":"2001:db8::7"/,
    },
    {
      name: 'v1 UNKNOWN keeps the peer',
      input: Buffer.from(`PROXY UNKNOWN\r\n${get}`),
      want: /"x-forwarded-for":"127\.0\.0\.1"/,
    },
    {
      name: 'v2 TCP4',
      input: Buffer.concat([v2([192, 0, 2, 44], 4444), Buffer.from(get)]),
      want: /"x-forwarded-for":"192\.0\.2\.44"/,
    },
  ];
  for (const c of cases) t.match(await rawRequest(port, c.input), c.want, c.name);
  t.equal(await rawRequest(port, get), '', 'no PROXY header: connection dropped');
  t.equal(
    await rawRequest(port, 'PROXY TCP4 x y z w\r\n' + get),
    '',
    'malformed PROXY header: dropped',
  );
});
