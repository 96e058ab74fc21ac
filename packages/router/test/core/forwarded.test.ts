import t from 'tap';
import {
  TrustedProxies,
  clientFromChain,
  hopAddress,
  forwardingHeaders,
  ELB_HEADERS,
  type ForwardingPolicy,
} from '../../src/core/forwarded.js';
import { parseRequestHead } from '../../src/core/request-head.js';

const trusted = new TrustedProxies(['127.0.0.0/8', '2001:db8::/32']);

t.test('one X-Forwarded-For entry as an address', async (t) => {
  const cases: [string, string | undefined][] = [
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['unknown', undefined],
    ['1.2.3.4.5', undefined],
    ['[1.2.3.4]', undefined],
    ['', undefined],
  ];
  for (const [input, want] of cases) t.equal(hopAddress(input), want, JSON.stringify(input));
});

t.test('the client is the rightmost hop that is not a trusted proxy', async (t) => {
  const cases: { name: string; input: [string, string]; want: string }[] = [
    { name: 'one hop', input: ['203.0.113.9', '127.0.0.1'], want: '203.0.113.9' },
    { name: 'spoofed left', input: ['6.6.6.6, 203.0.113.9', '127.0.0.1'], want: '203.0.113.9' },
    {
      name: 'trusted hops skipped',
      input: ['6.6.6.6, 203.0.113.9, 127.1.1.1', '127.0.0.1'],
      want: '203.0.113.9',
    },
    {
      name: 'all trusted: leftmost',
      input: ['127.9.9.9, 127.1.1.1', '127.0.0.1'],
      want: '127.9.9.9',
    },
    {
      name: 'garbage stops the walk',
      input: ['203.0.113.9, junk, 127.1.1.1', '127.0.0.1'],
      want: '127.1.1.1',
    },
    { name: 'garbage right away', input: ['junk', '127.0.0.1'], want: '127.0.0.1' },
    { name: 'v6', input: ['2001:db9::5, 2001:db8::7', '127.0.0.1'], want: '2001:db9::5' },
  ];
  for (const c of cases) t.equal(clientFromChain(c.input[0], c.input[1], trusted), c.want, c.name);
});

t.test('forwarding headers per peer and --trusted-headers', async (t) => {
  const head = parseRequestHead(
    'GET / HTTP/1.1\r\nHost: app.example\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.9\r\n' +
      'X-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\nX-Forwarded-Host: evil.example\r\n' +
      'X-Real-Ip: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Request-Id: r',
  );
  const elb: ForwardingPolicy = { trusted, adopt: new Set(ELB_HEADERS) };
  const cases: {
    name: string;
    input: { client: string; policy: ForwardingPolicy };
    want: string;
  }[] = [
    {
      name: 'untrusted peer: everything fresh',
      input: { client: '198.51.100.1', policy: elb },
      want:
        'X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: 8080\r\n' +
        'X-Real-Ip: 198.51.100.1\r\nForwarded: for=198.51.100.1;proto=http;host=app.example\r\n' +
        'X-Forwarded-Host: app.example\r\n',
    },
    {
      name: 'the ELB: what it writes adopted, the rest fresh',
      input: { client: '127.0.0.1', policy: elb },
      want:
        'X-Forwarded-For: 6.6.6.6, 203.0.113.9, 127.0.0.1\r\nX-Forwarded-Proto: https\r\n' +
        'X-Forwarded-Port: 443\r\nX-Real-Ip: 203.0.113.9\r\n' +
        'Forwarded: for=127.0.0.1;proto=https;host=app.example\r\nX-Forwarded-Host: app.example\r\n',
    },
    {
      name: 'a proxy trusted for Forwarded and X-Forwarded-Host only',
      input: {
        client: '127.0.0.1',
        policy: { trusted, adopt: new Set(['forwarded', 'x-forwarded-host']) },
      },
      want:
        'X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: 8080\r\n' +
        'X-Real-Ip: 127.0.0.1\r\nForwarded: for=6.6.6.6, for=127.0.0.1;proto=http;host=evil.example\r\n' +
        'X-Forwarded-Host: evil.example\r\n',
    },
  ];
  for (const c of cases) {
    const conn = { client: c.input.client, trusted: trusted.has(c.input.client), localPort: 8080 };
    t.equal(forwardingHeaders(head, conn, c.input.policy), c.want, c.name);
  }
});

t.test('bad ranges are refused', async (t) => {
  t.throws(() => new TrustedProxies(['127.0.0.0/33']), /prefix length/);
  t.throws(() => new TrustedProxies(['ten']), /not a CIDR/);
});
