import t from 'tap';
import { parseRequestHead } from '../../src/core/request-head.js';
import { RequestError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

t.test('request heads', async (t) => {
  const cases: { name: string; input: string; want: Record<string, unknown> }[] = [
    {
      name: 'simple',
      input: 'GET /a/b?x=1 HTTP/1.1\r\nHost: h.example\r\nAccept: */*',
      want: {
        method: 'GET',
        target: '/a/b?x=1',
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
      name: 'no upgrade in HTTP/1.0',
      input: 'GET / HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket',
      want: { upgrade: undefined },
    },
    {
      name: 'chunked',
      input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked',
      want: { chunked: true, contentLength: -1 },
    },
    {
      name: 'OWS is SP and HTAB, around values',
      input: 'POST / HTTP/1.1\r\nHost:\th \t\r\nContent-Length: \t7  ',
      want: { host: 'h', contentLength: 7 },
    },
    {
      name: 'forwarding headers captured by lower-case name, not kept',
      input:
        'GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2\r\n' +
        'X-Forwarded-Prefix: /p\r\nX-Real-IP: 3.3.3.3\r\nForwarded: for=4.4.4.4\r\nX-Request-Id: r1',
      want: {
        forwarding: [
          'x-forwarded-for',
          '1.1.1.1',
          'x-forwarded-for',
          '2.2.2.2',
          'x-forwarded-prefix',
          '/p',
          'x-real-ip',
          '3.3.3.3',
          'forwarded',
          'for=4.4.4.4',
        ],
        requestId: 'r1',
        rest: 'X-Request-Id: r1\r\n',
      },
    },
    {
      name: 'underscore variants of forwarding and framing headers are dropped',
      input:
        'POST / HTTP/1.1\r\nHost: h\r\nX_Forwarded_For: 6.6.6.6\r\nX-Real_Ip: 6.6.6.6\r\n' +
        'x_forwarded-HOST: evil\r\nContent_Length: 5\r\nTransfer_Encoding: chunked\r\nX_Custom: kept',
      want: { forwarding: undefined, rest: 'X_Custom: kept\r\n', contentLength: -1 },
    },
    {
      name: 'Connection-nominated headers are dropped',
      input: 'GET / HTTP/1.1\r\nHost: h\r\nConnection: x-secret\r\nX-Secret: 1\r\nX-Other: 2',
      want: { rest: 'X-Other: 2\r\n' },
    },
    {
      name: 'path normalised, query untouched',
      input: 'GET /a/./b/../%63/%2E%2e/d%7e?q=/../%2e HTTP/1.1\r\nHost: h',
      want: { path: '/a/d~', query: '?q=/../%2e' },
    },
    {
      name: 'OPTIONS *',
      input: 'OPTIONS * HTTP/1.1\r\nHost: h',
      want: { path: '*' },
    },
  ];
  for (const c of cases) t.match(parseRequestHead(c.input), c.want, c.name);
});

t.test('malformed request heads are refused with the right status', async (t) => {
  const bad: { name: string; input: string; want: number }[] = [
    {
      name: 'the same Content-Length twice',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5',
      want: 400,
    },
    { name: 'non-ASCII in the target', input: 'GET /caf\xe9 HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'two Hosts', input: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', want: 400 },
    { name: 'empty Host', input: 'GET / HTTP/1.1\r\nHost: ', want: 400 },
    { name: 'empty Host in HTTP/1.0', input: 'GET / HTTP/1.0\r\nHost:', want: 400 },
    { name: 'Host with slash', input: 'GET / HTTP/1.1\r\nHost: a/b', want: 400 },
    { name: 'Host with userinfo', input: 'GET / HTTP/1.1\r\nHost: u@a', want: 400 },
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
    {
      name: 'Content-Length list',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5',
      want: 400,
    },
    {
      name: 'HTAB after Content-Length (llhttp refuses it)',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\t',
      want: 400,
    },
    {
      name: 'VT after Content-Length',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\x0b',
      want: 400,
    },
    {
      name: 'VT after chunked',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\x0b',
      want: 400,
    },
    {
      name: 'FF before chunked',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0cchunked',
      want: 400,
    },
    {
      name: 'NBSP after chunked',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\xa0',
      want: 501,
    },
    {
      name: 'NBSP after Content-Length',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\xa0',
      want: 400,
    },
    { name: 'TE in 1.0', input: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', want: 400 },
    {
      name: 'TE chunked twice',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked',
      want: 501,
    },
    {
      name: 'TE gzip, chunked',
      input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked',
      want: 501,
    },
    { name: 'target with space', input: 'GET /a b HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'target with fragment', input: 'GET /a#b HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'relative target', input: 'GET a HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'lower-case version', input: 'GET / http/1.1\r\nHost: a', want: 400 },
    { name: 'HTTP/2.0', input: 'GET / HTTP/2.0\r\nHost: a', want: 505 },
    { name: 'unknown method', input: 'FROB / HTTP/1.1\r\nHost: a', want: 501 },
    { name: 'lower-case method', input: 'get / HTTP/1.1\r\nHost: a', want: 501 },
    { name: 'CONNECT', input: 'CONNECT a:443 HTTP/1.1\r\nHost: a', want: 405 },
    { name: 'NUL in a value', input: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\0b', want: 400 },
    { name: 'DEL in a value', input: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb', want: 400 },
    { name: 'bare LF', input: 'GET / HTTP/1.1\r\nHost: a\nX: y', want: 400 },
    { name: 'bare CR', input: 'GET / HTTP/1.1\r\nHost: a\rX: y', want: 400 },
    { name: 'obs-fold', input: 'GET / HTTP/1.1\r\nHost: a\r\n folded', want: 400 },
    { name: 'space before colon', input: 'GET / HTTP/1.1\r\nHost : a', want: 400 },
    { name: 'encoded slash', input: 'GET /a/..%2fb HTTP/1.1\r\nHost: a', want: 400 },
    { name: 'backslash', input: 'GET /a/..\\b HTTP/1.1\r\nHost: a', want: 400 },
  ];
  for (const c of bad) {
    const err = thrown(() => parseRequestHead(c.input));
    t.ok(err instanceof RequestError, c.name);
    t.equal((err as RequestError).status, c.want, c.name);
  }
});
