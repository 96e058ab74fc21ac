/**
 * addressBytes: the hand-written IPv4 fast path agrees with node:net on what is an IPv4
 * literal and yields its bytes; IPv6 literals still parse; anything else is undefined.
 */
import t from 'tap';
import { isIPv4 } from 'node:net';
import { addressBytes } from '@berth/dns';

t.test('IPv4 literals, as node:net accepts them', async (t) => {
  const table = [
    { input: '127.0.0.1', want: [127, 0, 0, 1] },
    { input: '0.0.0.0', want: [0, 0, 0, 0] },
    { input: '255.255.255.255', want: [255, 255, 255, 255] },
    { input: '127.20.250.199', want: [127, 20, 250, 199] },
    { input: '256.1.1.1', want: undefined },
    { input: '01.2.3.4', want: undefined },
    { input: '1.2.3.04', want: undefined },
    { input: '1.2.3', want: undefined },
    { input: '1.2.3.4.', want: undefined },
    { input: '1..2.3', want: undefined },
    { input: ' 1.2.3.4', want: undefined },
    { input: 'a.b.c.d', want: undefined },
    { input: 'host.example', want: undefined },
  ];
  for (const c of table) {
    const b = addressBytes(c.input);
    t.strictSame(b ? [...b] : undefined, c.want, c.input);
  }
  t.strictSame([...(addressBytes('::1') ?? [])], [...Array<number>(15).fill(0), 1], '::1');
});

t.test('agrees with node:net on seeded dotted strings', async (t) => {
  const parts = [
    '0',
    '00',
    '1',
    '01',
    '9',
    '10',
    '99',
    '100',
    '199',
    '249',
    '255',
    '256',
    '999',
    'a',
    '',
  ];
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let wrong = 0;
  for (let i = 0; i < 20000; i++) {
    const s = Array.from({ length: 1 + next(5) }, () => parts[next(parts.length)]).join('.');
    const b = addressBytes(s);
    if (Boolean(b) !== isIPv4(s) || (b && [...b].join('.') !== s)) wrong++;
  }
  t.equal(wrong, 0);
});
