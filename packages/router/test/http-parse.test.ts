import t from 'tap';
import { parseRequestHead } from '../src/request-head.js';
import { parseResponseHead } from '../src/response-head.js';
import { ChunkedScanner } from '../src/chunked.js';
import { parseProxyHeader } from '../src/proxy-protocol.js';
import { RequestError, ProxyProtocolError } from '../src/errors.js';
import { thrown } from './helpers.js';

t.test('request heads', async (t) => {
  const cases: { name: string; input: string; want: Record<string, unknown> }[] = [
    {
      name: 'simple',
      input: 'GET /a/b?x=1 HTTP/1.1\r\nHost: h.example\r\nAccept: */*',
      want: {
        method: 'GET',
        path: '/a/b',
        query: '?x=1',
        minor: 1,
        host: 'h.example',
        keepAlive: true,
        rest: 'Accept: */*\r\n',
      },
    },
    {
      name: 'absolute form',
      input: 'GET http://Other.example:81/p?q HTTP/1.1\r\nHost: ignored',
      want: { path: '/p', query: '?q', host: 'Other.example:81' },
    },
    {
      name: 'HTTP/1.0 closes by default',
      input: 'GET / HTTP/1.0',
      want: { minor: 0, keepAlive: false, host: '' },
    },
    {
      name: 'HTTP/1.0 keep-alive',
      input: 'GET / HTTP/1.0\r\nConnection: Keep-Alive',
      want: { keepAlive: true },
    },
    {
      name: 'close',
      input: 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close',
      want: { keepAlive: false },
    },
    {
      name: 'upgrade',
      input: 'GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket',
      want: { upgrade: 'websocket', rest: '' },
    },
    {
      name: 'chunked',
      input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked',
      want: { chunked: true, contentLength: -1 },
    },
    {
      name: 'same Content-Length twice',
      input: 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5',
      want: { contentLength: 5 },
    },
    {
      name: 'forwarding headers captured, not kept',
      input:
        'GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nX-Request-Id: r1',
      want: { xForwardedFor: '1.1.1.1, 2.2.2.2', requestId: 'r1', rest: 'X-Request-Id: r1\r\n' },
    },
  ];
  for (const c of cases) t.match(parseRequestHead(c.input), c.want, c.name);
  const bad: { name: string; input: string; want: number }[] = [
    { name: 'two Hosts', input: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', want: 400 },
    { name: 'Host with slash', input: 'GET / HTTP/1.1\r\nHost: a/b', want: 400 },
    {
      name: 'huge Content-Length',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999999999',
      want: 400,
    },
    {
      name: 'negative Content-Length',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1',
      want: 400,
    },
    { name: 'TE in 1.0', input: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', want: 400 },
    {
      name: 'TE chunked twice',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked',
      want: 501,
    },
    { name: 'target with space', input: 'GET /a b HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'relative target', input: 'GET a HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'lower-case version', input: 'GET / http/1.1\r\nHost: a', want: 400 },
  ];
  for (const c of bad) {
    const err = thrown(() => parseRequestHead(c.input));
    t.ok(err instanceof RequestError, c.name);
    t.equal((err as RequestError).status, c.want, c.name);
  }
});

t.test('response heads', async (t) => {
  const cases: { name: string; input: string; want: Record<string, unknown> | undefined }[] = [
    {
      name: 'length',
      input:
        'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5',
      want: {
        status: 200,
        contentLength: 3,
        keepAlive: true,
        keepAliveMs: 5000,
        rest: 'Content-Length: 3\r\n',
      },
    },
    {
      name: 'chunked',
      input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked',
      want: { chunked: true, keepAlive: true },
    },
    { name: 'close', input: 'HTTP/1.1 200 OK\r\nConnection: close', want: { keepAlive: false } },
    {
      name: '1.0 without keep-alive',
      input: 'HTTP/1.0 200 OK\r\nContent-Length: 1',
      want: { keepAlive: false },
    },
    {
      name: 'TE and CL: not reusable',
      input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked',
      want: { chunked: true, keepAlive: false, contentLength: -1 },
    },
    { name: 'no reason phrase', input: 'HTTP/1.1 204', want: { status: 204 } },
    { name: 'garbage', input: 'HTTP/2 200', want: undefined },
    {
      name: 'conflicting lengths',
      input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2',
      want: undefined,
    },
  ];
  for (const c of cases) {
    const got = parseResponseHead(c.input);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.match(got, c.want, c.name);
  }
});

t.test('chunked scanner finds the end across any split', async (t) => {
  const body = '5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n';
  const next = 'GET / HTTP/1.1\r\n';
  const all = Buffer.from(body + next);
  for (let split = 0; split <= all.length; split++) {
    const s = new ChunkedScanner();
    let end = s.scan(all.subarray(0, split), 0);
    let at = end;
    if (end < 0) {
      end = s.scan(all.subarray(split), 0);
      at = end < 0 ? -1 : split + end;
    }
    if (at !== body.length) {
      t.fail(`split ${split}: end ${at}`);
      return;
    }
  }
  t.pass('every split point');
  const bad = ['x\r\n', '5\r\nhelloX', '5\nhello', '1234567890abcdef\r\n', '0\r\nbad\n'];
  for (const b of bad)
    t.ok(
      thrown(() => new ChunkedScanner().scan(Buffer.from(b), 0)) instanceof RequestError,
      JSON.stringify(b),
    );
});

t.test('PROXY headers', async (t) => {
  const cases: { name: string; input: Buffer; want: Record<string, unknown> | undefined }[] = [
    {
      name: 'v1',
      input: Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 10 20\r\nGET'),
      want: { length: 34, source: '1.2.3.4', sourcePort: 10 },
    },
    { name: 'v1 partial', input: Buffer.from('PROXY TCP4 1.2'), want: undefined },
    { name: 'v1 prefix partial', input: Buffer.from('PRO'), want: undefined },
    { name: 'v2 partial', input: Buffer.from([0x0d, 0x0a, 0x0d, 0x0a]), want: undefined },
    {
      name: 'v2 LOCAL',
      input: Buffer.from([
        0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0x00,
        0x00,
      ]),
      want: { length: 16, source: undefined },
    },
  ];
  for (const c of cases) {
    const got = parseProxyHeader(c.input);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.match(got, c.want, c.name);
  }
  const bad = ['GET / HTTP/1.1\r\n', 'PROXY TCP4 a b c d\r\n', `PROXY ${'x'.repeat(120)}`];
  for (const b of bad)
    t.ok(
      thrown(() => parseProxyHeader(Buffer.from(b))) instanceof ProxyProtocolError,
      b.slice(0, 20),
    );
});
