import t from 'tap';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request, rawRequest, rawOutcome } from '../helpers.js';

const echo = await startBackend('echo');
const hop = await startBackend('hop', (req, res) => {
  res.setHeader('Keep-Alive', 'timeout=30');
  res.setHeader('Proxy-Authenticate', 'Basic');
  res.setHeader('Connection', 'X-Internal');
  res.setHeader('X-Internal', 'secret');
  res.setHeader('X-Kept', 'yes');
  res.end('ok');
});
const snap = snapshotOf({
  echo: [{ port: echo.port, tags: ['urlprefix-/'] }],
  hop: [{ port: hop.port, tags: ['urlprefix-/hop'] }],
});
const base = { proxy: { host: '127.0.0.1', port: 0 }, admin: null } as const;
// untrusted: no ranges; trusted: loopback is the "ELB"
const untrusted = await startRouter(base, new MemoryRouteSource(snap));
const trusted = await startRouter(
  { ...base, trustedProxy: ['127.0.0.0/8'] },
  new MemoryRouteSource(snap),
);
const ownHeaders = await startRouter(
  {
    ...base,
    trustedProxy: ['127.0.0.0/8'],
    trustedHeaders: ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'x-forwarded-prefix'],
  },
  new MemoryRouteSource(snap),
);
// the load balancer is 127.0.0.2 only; everything else is a client
const pp = await startRouter(
  { ...base, proxyProtocol: true, trustedProxy: ['127.0.0.2/32'] },
  new MemoryRouteSource(snap),
);
t.teardown(async () => {
  for (const r of [untrusted, trusted, ownHeaders, pp]) await r.close();
  await echo.close();
  await hop.close();
});

type Headers = Record<string, string | undefined>;
const seen = async (port: number, headers: Record<string, string>) => {
  const body = JSON.parse((await request(port, '/', { headers })).body);
  return { headers: body.headers as Headers, raw: body.rawHeaders as string[] };
};
const spoof = {
  'x-forwarded-for': '6.6.6.6',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-prefix': '/evil',
  'x-real-ip': '6.6.6.6',
  forwarded: 'for=6.6.6.6',
};

t.test(
  'underscore and case variants of forwarding headers never reach the application',
  async (t) => {
    for (const r of [untrusted, trusted]) {
      const { raw, headers } = await seen(r.proxyAddress.port, {
        host: 'app.example',
        X_Forwarded_For: '6.6.6.6',
        'X-Real_Ip': '6.6.6.6',
        'x_forwarded-host': 'evil.example',
        Content_Length: '99',
      });
      const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      t.notOk(
        names.some((n) => n.includes('_')),
        `no underscore variant arrives: ${names.join(' ')}`,
      );
      t.equal(headers['x-real-ip'], '127.0.0.1', 'X-Real-Ip is the peer');
      t.equal(headers['x-forwarded-host'], 'app.example');
    }
  },
);

t.test('an untrusted peer cannot set any forwarding header', async (t) => {
  const { headers } = await seen(untrusted.proxyAddress.port, { host: 'app.example', ...spoof });
  t.same(
    {
      xff: headers['x-forwarded-for'],
      proto: headers['x-forwarded-proto'],
      host: headers['x-forwarded-host'],
      prefix: headers['x-forwarded-prefix'],
      realIp: headers['x-real-ip'],
      forwarded: headers.forwarded,
    },
    {
      xff: '127.0.0.1',
      proto: 'http',
      host: 'app.example',
      prefix: undefined,
      realIp: '127.0.0.1',
      forwarded: 'for=127.0.0.1;proto=http;host=app.example',
    },
  );
  t.equal(headers['x-forwarded-port'], String(untrusted.proxyAddress.port));
});

t.test('behind a trusted proxy the client is the rightmost untrusted hop', async (t) => {
  const cases: { name: string; input: string; want: { realIp: string; xff: string } }[] = [
    {
      name: 'a spoofed leftmost entry is not the client',
      input: '6.6.6.6, 203.0.113.9',
      want: { realIp: '203.0.113.9', xff: '6.6.6.6, 203.0.113.9, 127.0.0.1' },
    },
    {
      name: 'trusted hops are skipped',
      input: '6.6.6.6, 203.0.113.9, 127.0.0.5',
      want: { realIp: '203.0.113.9', xff: '6.6.6.6, 203.0.113.9, 127.0.0.5, 127.0.0.1' },
    },
    {
      name: 'every hop trusted: the leftmost',
      input: '127.0.0.7, 127.0.0.5',
      want: { realIp: '127.0.0.7', xff: '127.0.0.7, 127.0.0.5, 127.0.0.1' },
    },
    {
      name: 'garbage stops the walk at the last hop vouched for',
      input: '203.0.113.9, not-an-ip, 127.0.0.5',
      want: { realIp: '127.0.0.5', xff: '203.0.113.9, not-an-ip, 127.0.0.5, 127.0.0.1' },
    },
  ];
  for (const c of cases) {
    const { headers } = await seen(trusted.proxyAddress.port, {
      host: 'app.example',
      'x-forwarded-for': c.input,
    });
    t.same({ realIp: headers['x-real-ip'], xff: headers['x-forwarded-for'] }, c.want, c.name);
  }
});

t.test('from a trusted proxy only what an ELB writes is adopted by default', async (t) => {
  const { headers } = await seen(trusted.proxyAddress.port, { host: 'app.example', ...spoof });
  t.equal(headers['x-forwarded-proto'], 'https', 'proto adopted');
  t.equal(headers['x-forwarded-port'], '443', 'port adopted');
  t.equal(headers['x-forwarded-host'], 'app.example', 'X-Forwarded-Host not adopted');
  t.equal(headers['x-forwarded-prefix'], undefined, 'X-Forwarded-Prefix not adopted');
  t.equal(headers['x-real-ip'], '6.6.6.6', 'the ELB vouches for 6.6.6.6');
  t.equal(headers.forwarded, 'for=127.0.0.1;proto=https;host=app.example', 'Forwarded not adopted');
});

t.test('--trusted-headers adopts what that proxy is configured to write', async (t) => {
  const { headers } = await seen(ownHeaders.proxyAddress.port, { host: 'app.example', ...spoof });
  t.equal(headers['x-forwarded-host'], 'evil.example');
  t.equal(headers['x-forwarded-prefix'], '/evil');
  t.equal(headers['x-forwarded-proto'], 'http', 'proto is not in the list');
  t.equal(headers.forwarded, 'for=6.6.6.6, for=127.0.0.1;proto=http;host=evil.example');
});

t.test('hop-by-hop and nominated request headers are removed, request id kept', async (t) => {
  const { headers } = await seen(untrusted.proxyAddress.port, {
    host: 'h',
    connection: 'keep-alive, X-Secret',
    'x-secret': 's',
    'keep-alive': 'timeout=5',
    te: 'trailers',
    'proxy-authorization': 'Basic x',
    'x-request-id': 'abc-123',
    'x-other': 'kept',
  });
  for (const h of ['x-secret', 'keep-alive', 'te', 'proxy-authorization']) {
    t.equal(headers[h], undefined, h);
  }
  t.equal(headers['x-request-id'], 'abc-123');
  t.equal(headers['x-other'], 'kept');
});

t.test('X-Request-Id is added when absent, unique per request', async (t) => {
  const port = untrusted.proxyAddress.port;
  const a = JSON.parse((await request(port, '/')).body).headers['x-request-id'];
  const b = JSON.parse((await request(port, '/')).body).headers['x-request-id'];
  t.match(a, /^[0-9a-f-]{36}$/);
  t.not(a, b);
});

t.test('hop-by-hop and Connection-nominated response headers are removed', async (t) => {
  const res = await request(untrusted.proxyAddress.port, '/hop');
  t.equal(res.headers['keep-alive'], undefined);
  t.equal(res.headers['proxy-authenticate'], undefined);
  t.equal(res.headers['x-internal'], undefined, 'named in Connection');
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

t.test('PROXY protocol from the trusted balancer sets the client address', async (t) => {
  const port = pp.proxyAddress.port;
  const get = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const lb = { localAddress: '127.0.0.2' };
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
      want: /"x-forwarded-for":"127\.0\.0\.2"/,
    },
    {
      name: 'v2 TCP4',
      input: Buffer.concat([v2([192, 0, 2, 44], 4444), Buffer.from(get)]),
      want: /"x-forwarded-for":"192\.0\.2\.44"/,
    },
    {
      name: "the client's own X-Forwarded-For is not believed",
      input: Buffer.from(
        `PROXY TCP4 198.51.100.7 127.0.0.10 5555 80\r\n` +
          'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\n\r\n',
      ),
      want: /"x-forwarded-for":"198\.51\.100\.7","x-forwarded-proto":"http","x-forwarded-port":"\d+","x-real-ip":"198\.51\.100\.7"/,
    },
  ];
  for (const c of cases) t.match((await rawOutcome(port, c.input, lb)).text, c.want, c.name);
  t.equal((await rawOutcome(port, get, lb)).text, '', 'no PROXY header: dropped');
  t.equal(
    (await rawOutcome(port, 'PROXY TCP4 256.1.1.1 127.0.0.10 1 2\r\n' + get, lb)).text,
    '',
    'invalid address: dropped',
  );
});

t.test('a PROXY header is never believed from an untrusted peer', async (t) => {
  const out = await rawRequest(
    pp.proxyAddress.port,
    'PROXY TCP4 198.51.100.7 127.0.0.10 5555 80\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  t.equal(out, '', 'connection from 127.0.0.1 refused');
});
