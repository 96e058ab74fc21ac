import t from 'tap';
import { parseProxyHeader } from '../../src/core/proxy-protocol.js';
import { ProxyProtocolError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

t.test('PROXY headers', async (t) => {
  const cases: { name: string; input: Buffer; want: Record<string, unknown> | undefined }[] = [
    {
      name: 'v1',
      input: Buffer.from('PROXY TCP4 192.0.2.4 198.51.100.8 10 20\r\nGET'),
      want: { length: 41, source: '192.0.2.4', sourcePort: 10 },
    },
    {
      name: 'v1 TCP6',
      input: Buffer.from('PROXY TCP6 2001:db8::7 ::1 5555 80\r\n'),
      want: { source: '2001:db8::7' },
    },
    { name: 'v1 partial', input: Buffer.from('PROXY TCP4 1.2'), want: undefined },
    { name: 'v1 prefix partial', input: Buffer.from('PRO'), want: undefined },
    { name: 'v2 partial', input: Buffer.from([0x0d, 0x0a, 0x0d, 0x0a]), want: undefined },
    {
      name: 'v2 LOCAL',
      input: Buffer.from([...SIG, 0x20, 0x00, 0x00, 0x00]),
      want: { length: 16, source: undefined },
    },
    {
      name: 'v2 TCP4',
      input: Buffer.from([
        ...SIG,
        0x21,
        0x11,
        0,
        12,
        192,
        0,
        2,
        44,
        10,
        0,
        0,
        9,
        0x11,
        0x5c,
        0,
        80,
      ]),
      want: { length: 28, source: '192.0.2.44', sourcePort: 4444 },
    },
  ];
  for (const c of cases) {
    const got = parseProxyHeader(c.input);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.match(got, c.want, c.name);
  }
});

t.test('PROXY headers with invalid addresses are refused', async (t) => {
  const bad: { name: string; input: Buffer }[] = [
    { name: 'not PROXY', input: Buffer.from('GET / HTTP/1.1\r\n') },
    { name: 'words', input: Buffer.from('PROXY TCP4 a b c d\r\n') },
    { name: 'octet over 255', input: Buffer.from('PROXY TCP4 256.1.1.1 127.0.0.1 1 2\r\n') },
    { name: 'TCP4 with v6', input: Buffer.from('PROXY TCP4 ::1 ::1 1 2\r\n') },
    { name: 'TCP6 with v4', input: Buffer.from('PROXY TCP6 127.0.0.1 127.0.0.2 1 2\r\n') },
    { name: 'bad v6', input: Buffer.from('PROXY TCP6 1:::2 ::1 1 2\r\n') },
    { name: 'port over 65535', input: Buffer.from('PROXY TCP4 127.0.0.1 127.0.0.2 70000 2\r\n') },
    { name: 'too long', input: Buffer.from(`PROXY ${'x'.repeat(120)}`) },
    {
      name: 'v2 TCP4 block too short',
      input: Buffer.from([...SIG, 0x21, 0x11, 0, 4, 192, 0, 2, 44]),
    },
    { name: 'v2 UDP', input: Buffer.from([...SIG, 0x21, 0x12, 0, 12, ...new Array(12).fill(1)]) },
  ];
  for (const c of bad)
    t.ok(thrown(() => parseProxyHeader(c.input)) instanceof ProxyProtocolError, c.name);
});
