import t from 'tap';
import type net from 'node:net';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, rawOutcome, rawBackend } from '../helpers.js';

// A raw upstream that answers each request with the bytes registered for its path.
const replies = new Map<string, (s: net.Socket) => void>();
const raw = await rawBackend((sock, data) => {
  const path = /^[A-Z]+ (\S+)/.exec(data.toString('latin1'))?.[1] ?? '';
  const reply = replies.get(path);
  if (reply !== undefined) reply(sock);
  else sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
});
const answer = (path: string, bytes: string) =>
  replies.set(path, (s) => s.write(Buffer.from(bytes, 'latin1')));
const echo = await startBackend('echo');
const source = new MemoryRouteSource(
  snapshotOf({
    raw: [{ port: raw.port, tags: ['urlprefix-/raw'] }],
    echo: [{ port: echo.port, tags: ['urlprefix-/echo'] }],
  }),
);
const router = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null, responseTimeout: 1000 },
  source,
);
const tracing = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null, allowTrace: true },
  source,
);
const port = router.proxyAddress.port;
t.teardown(async () => {
  await router.close();
  await tracing.close();
  await raw.close();
  await echo.close();
});

const get = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`;

t.test('OWS is SP or HTAB only: VT, FF, NBSP around framing headers are refused', async (t) => {
  const before = echo.hits;
  const cases: { name: string; input: string; want: RegExp }[] = [
    {
      name: 'chunked + VT',
      input: 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\x0b\r\n\r\n0\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'FF + chunked',
      input: 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0cchunked\r\n\r\n0\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'chunked + NBSP',
      input: 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\xa0\r\n\r\n0\r\n\r\n',
      want: /^HTTP\/1\.1 501 /,
    },
    {
      name: 'Content-Length + VT',
      input: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\x0b\r\n\r\nhi',
      want: /^HTTP\/1\.1 400 /,
    },
  ];
  for (const c of cases)
    t.match((await rawOutcome(port, Buffer.from(c.input, 'latin1'))).text, c.want, c.name);
  t.equal(echo.hits, before, 'none of them reached the application');
});

t.test('response heads an upstream got wrong become 502', async (t) => {
  const cases: { name: string; reply: string }[] = [
    { name: 'space before colon', reply: 'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello' },
    { name: 'NUL in a value', reply: 'HTTP/1.1 200 OK\r\nX: a\0b\r\nContent-Length: 0\r\n\r\n' },
    { name: 'SOH in a value', reply: 'HTTP/1.1 200 OK\r\nX: a\x01b\r\nContent-Length: 0\r\n\r\n' },
    {
      name: 'Content-Length and Transfer-Encoding',
      reply: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    },
    {
      name: 'Transfer-Encoding other than chunked',
      reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx',
    },
    {
      name: 'two lengths',
      reply: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    },
  ];
  for (const [i, c] of cases.entries()) {
    answer(`/raw/bad${i}`, c.reply);
    const out = await rawOutcome(port, get(`/raw/bad${i}`));
    t.match(out.text, /^HTTP\/1\.1 502 /, c.name);
    t.notOk(
      /hello/.test(out.text) || out.text.includes('\0') || out.text.includes('\x01'),
      `${c.name}: nothing of it reaches the client`,
    );
  }
});

t.test('headers named in Connection are stripped from responses', async (t) => {
  answer(
    '/raw/nominated',
    'HTTP/1.1 200 OK\r\nConnection: X-Upstream-Secret\r\nX-Upstream-Secret: s\r\nContent-Length: 2\r\n\r\nok',
  );
  const out = await rawOutcome(port, get('/raw/nominated'));
  t.match(out.text, /^HTTP\/1\.1 200 /);
  t.notMatch(out.text, /X-Upstream-Secret/i);
});

t.test(
  'an upstream reset during a close-delimited body is an abort, never a clean end',
  async (t) => {
    replies.set('/raw/reset', (s) => {
      s.write('HTTP/1.1 200 OK\r\n\r\npartial body');
      setTimeout(() => s.resetAndDestroy(), 20);
    });
    const out = await rawOutcome(port, get('/raw/reset'));
    t.match(out.text, /partial body/);
    t.ok(out.reset, 'the client connection was reset');
    replies.set('/raw/fin', (s) => s.end('HTTP/1.1 200 OK\r\n\r\nwhole body'));
    const fin = await rawOutcome(port, get('/raw/fin'));
    t.match(fin.text, /whole body$/);
    t.notOk(fin.reset, 'a FIN ends the body cleanly');
  },
);

t.test('no chunked toward an HTTP/1.0 client', async (t) => {
  answer(
    '/raw/chunked',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  );
  const out = await rawOutcome(port, 'GET /raw/chunked HTTP/1.0\r\n\r\n');
  t.notMatch(out.text, /transfer-encoding/i);
  t.match(out.text, /\r\n\r\nhello world$/, 'de-chunked, delimited by close');
  t.notOk(out.reset);
  const v11 = await rawOutcome(port, get('/raw/chunked'));
  t.match(v11.text, /Transfer-Encoding: chunked\r\n/, 'HTTP/1.1 clients get it as is');
});

t.test('request line and Host', async (t) => {
  const cases: { name: string; input: string; want: RegExp }[] = [
    {
      name: 'a 20 KB request line is 414',
      input: `GET /echo/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      want: /^HTTP\/1\.1 414 /,
    },
    {
      name: 'a 20 KB header is 431',
      input: `GET /echo HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
      want: /^HTTP\/1\.1 431 /,
    },
    {
      name: 'empty Host is 400',
      input: 'GET /echo HTTP/1.1\r\nHost:\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'two Hosts is 400',
      input: 'GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      want: /^HTTP\/1\.1 400 /,
    },
    { name: 'TRACE is 405', input: get('/echo').replace('GET', 'TRACE'), want: /^HTTP\/1\.1 405 / },
  ];
  for (const c of cases) t.match((await rawOutcome(port, c.input)).text, c.want, c.name);
  const traced = await rawOutcome(tracing.proxyAddress.port, get('/echo').replace('GET', 'TRACE'));
  t.match(traced.text, /^HTTP\/1\.1 200 [^]*"method":"TRACE"/, 'TRACE with --allow-trace');
});

t.test(
  'an HTTP/1.0 request without Host still reaches the upstream as HTTP/1.1 with one',
  async (t) => {
    const out = await rawOutcome(port, 'GET /echo HTTP/1.0\r\n\r\n');
    t.match(out.text, /^HTTP\/1\.1 200 /);
    t.match(out.text, /"host":"127\.0\.0\.1:\d+"/);
    t.match(out.text, /Connection: close/);
  },
);
