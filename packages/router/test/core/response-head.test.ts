import t from 'tap';
import { parseResponseHead } from '../../src/core/response-head.js';

t.test('response heads', async (t) => {
  const cases: { name: string; input: string; want: Record<string, unknown> }[] = [
    {
      name: 'length; framing headers are not kept',
      input:
        'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX: y',
      want: {
        status: 200,
        statusLine: 'HTTP/1.1 200 OK',
        contentLength: 3,
        keepAlive: true,
        keepAliveMs: 5000,
        rest: 'X: y\r\n',
      },
    },
    {
      name: 'chunked',
      input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked',
      want: { chunked: true, keepAlive: true, rest: '' },
    },
    { name: 'close', input: 'HTTP/1.1 200 OK\r\nConnection: close', want: { keepAlive: false } },
    {
      name: '1.0 without keep-alive, status line says 1.1',
      input: 'HTTP/1.0 200 OK\r\nContent-Length: 1',
      want: { keepAlive: false, minor: 0, statusLine: 'HTTP/1.1 200 OK' },
    },
    { name: 'no reason phrase', input: 'HTTP/1.1 204', want: { status: 204 } },
    {
      name: 'Connection-nominated headers are stripped',
      input: 'HTTP/1.1 200 OK\r\nConnection: X-Internal, close\r\nX-Internal: secret\r\nX-Ok: 1',
      want: { rest: 'X-Ok: 1\r\n', keepAlive: false },
    },
    {
      name: 'a 503 with Retry-After is an overload signal',
      input: 'HTTP/1.1 503 Busy\r\nRetry-After: 10\r\nContent-Length: 0',
      want: { retryAfter: true },
    },
    {
      name: 'Retry-After on a 502 is not',
      input: 'HTTP/1.1 502 Bad\r\nRetry-After: 10\r\nContent-Length: 0',
      want: { retryAfter: false },
    },
    {
      name: 'hop-by-hop dropped',
      input:
        'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: x\r\nTE: y\r\nX-Kept: 1',
      want: { rest: 'X-Kept: 1\r\n' },
    },
  ];
  for (const c of cases) t.match(parseResponseHead(c.input), c.want, c.name);
});

t.test('response heads an upstream got wrong are refused (502)', async (t) => {
  const bad: { name: string; input: string }[] = [
    { name: 'HTTP/2', input: 'HTTP/2 200' },
    { name: 'two-digit status', input: 'HTTP/1.1 20 OK' },
    {
      name: 'conflicting lengths',
      input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2',
    },
    {
      name: 'TE and CL',
      input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked',
    },
    { name: 'TE other than chunked', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked' },
    { name: 'space before colon', input: 'HTTP/1.1 200 OK\r\nContent-Length : 5' },
    { name: 'NUL in a value', input: 'HTTP/1.1 200 OK\r\nX: a\0b' },
    { name: 'SOH in a value', input: 'HTTP/1.1 200 OK\r\nX: a\x01b' },
    { name: 'NUL in the reason', input: 'HTTP/1.1 200 O\0K' },
    { name: 'VT after the length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\x0b' },
    { name: 'NBSP after the length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\xa0' },
    { name: 'bare LF', input: 'HTTP/1.1 200 OK\r\nX: 1\nY: 2' },
    { name: 'bare CR', input: 'HTTP/1.1 200 OK\r\nX: 1\rY: 2' },
    { name: 'obs-fold', input: 'HTTP/1.1 200 OK\r\nX: 1\r\n folded' },
    { name: 'bad name', input: 'HTTP/1.1 200 OK\r\nX(y): 1' },
  ];
  for (const c of bad) t.equal(parseResponseHead(c.input), undefined, c.name);
});
