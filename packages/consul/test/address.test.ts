import t from 'tap';
import { resolveConsulAddress, ConsulOptionError } from '../src/index.js';

const cases: {
  name: string;
  input: { url?: string; token?: string; env?: Record<string, string> };
  want: { url: string; host: string; port: number; secure: boolean; token: string | undefined };
}[] = [
  {
    name: 'default',
    input: {},
    want: {
      url: 'http://127.0.0.1:8500',
      host: '127.0.0.1',
      port: 8500,
      secure: false,
      token: undefined,
    },
  },
  {
    name: 'CONSUL_HTTP_ADDR host:port',
    input: { env: { CONSUL_HTTP_ADDR: '127.0.0.5:18500', CONSUL_HTTP_TOKEN: 'tok' } },
    want: {
      url: 'http://127.0.0.5:18500',
      host: '127.0.0.5',
      port: 18500,
      secure: false,
      token: 'tok',
    },
  },
  {
    name: 'CONSUL_HTTP_ADDR URL with https',
    input: { env: { CONSUL_HTTP_ADDR: 'https://localhost:8501' } },
    want: {
      url: 'https://localhost:8501',
      host: 'localhost',
      port: 8501,
      secure: true,
      token: undefined,
    },
  },
  {
    name: 'CONSUL_HTTP_SSL selects https for host:port',
    input: { env: { CONSUL_HTTP_ADDR: 'localhost:8501', CONSUL_HTTP_SSL: 'true' } },
    want: {
      url: 'https://localhost:8501',
      host: 'localhost',
      port: 8501,
      secure: true,
      token: undefined,
    },
  },
  {
    name: 'explicit url and token win over env',
    input: {
      url: 'http://127.0.0.1:9500/v1',
      token: 'mine',
      env: { CONSUL_HTTP_ADDR: '127.0.0.9:1', CONSUL_HTTP_TOKEN: 'env' },
    },
    want: {
      url: 'http://127.0.0.1:9500',
      host: '127.0.0.1',
      port: 9500,
      secure: false,
      token: 'mine',
    },
  },
  {
    name: 'IPv6 loopback',
    input: { url: '[::1]:8500' },
    want: { url: 'http://[::1]:8500', host: '::1', port: 8500, secure: false, token: undefined },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const got = resolveConsulAddress({ url: c.input.url, token: c.input.token }, c.input.env ?? {});
    t.strictSame(got, c.want);
  });
}

const bad: { name: string; input: string; want: RegExp }[] = [
  { name: 'unsupported scheme', input: 'ftp://127.0.0.1:8500', want: /http/ },
  { name: 'path', input: 'http://127.0.0.1:8500/consul', want: /path/ },
  { name: 'garbage', input: 'http://', want: /cannot parse|no host/ },
];
for (const c of bad) {
  t.test(`rejects ${c.name}`, async (t) => {
    t.throws(() => resolveConsulAddress({ url: c.input }), ConsulOptionError);
    t.throws(() => resolveConsulAddress({ url: c.input }), {
      message: c.want,
      code: 'CONSUL_BAD_OPTION',
    });
  });
}
