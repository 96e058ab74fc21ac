import t from 'tap';
import { findHead, readRequestHead } from '../../src/core/head-framing.js';

t.test('finding a head and refusing long ones', async (t) => {
  const cases: { name: string; input: [string, number]; want: unknown }[] = [
    {
      name: 'complete',
      input: ['GET / HTTP/1.1\r\nHost: a\r\n\r\nbody', 100],
      want: { start: 0, end: 23 },
    },
    { name: 'incomplete', input: ['GET / HTTP/1.1\r\nHost: a\r\n', 100], want: 'more' },
    { name: 'request line too long', input: [`GET /${'a'.repeat(100)}`, 50], want: 414 },
    {
      name: 'request line too long, complete',
      input: [`GET /${'a'.repeat(100)} HTTP/1.1\r\n\r\n`, 50],
      want: 414,
    },
    { name: 'header too long', input: [`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}`, 50], want: 431 },
  ];
  for (const c of cases) t.same(findHead(Buffer.from(c.input[0]), 0, c.input[1]), c.want, c.name);
});

t.test('reading a request head', async (t) => {
  const ok = readRequestHead(Buffer.from('\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\nNEXT'), 100);
  t.match(ok, { head: { path: '/x' }, next: 32 }, 'after empty lines');
  t.same(readRequestHead(Buffer.from('\r\n\r\nGET'), 100), { skip: 4 }, 'more bytes needed');
  t.match(readRequestHead(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 100), {
    status: 400,
    reason: 'missing Host',
  });
});
