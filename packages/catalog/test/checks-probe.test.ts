// HTTP and TCP probes against real servers on 127.0.0.1 port 0: statuses, outputs, headers,
// timeouts, redirects, TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { OUTPUT_MAX_BYTES, probeHttp, probeTcp } from '../src/adapters/checks/index.js';
import type { HttpProbeOptions } from '../src/adapters/checks/index.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return addr.port;
}

/** A real HTTP server whose behaviour each test sets; returns its base URL. */
async function httpServer(t: Test, handler: Handler): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  const port = await listen(server);
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${port}`;
}

function options(url: string, over: Partial<HttpProbeOptions> = {}): HttpProbeOptions {
  return {
    url,
    method: 'GET',
    header: {},
    body: '',
    tlsSkipVerify: false,
    tlsServerName: '',
    timeoutMs: 2000,
    ...over,
  };
}

const never = new AbortController().signal;

t.test('status codes map to check statuses', async (t) => {
  const cases = [
    { name: '200', input: 200, want: { status: 'passing', text: '200 OK' } },
    { name: '204', input: 204, want: { status: 'passing', text: '204 No Content' } },
    { name: '299', input: 299, want: { status: 'passing', text: '299 Custom' } },
    { name: '429', input: 429, want: { status: 'warning', text: '429 Too Many Requests' } },
    { name: '404', input: 404, want: { status: 'critical', text: '404 Not Found' } },
    { name: '500', input: 500, want: { status: 'critical', text: '500 Internal Server Error' } },
    { name: '300', input: 300, want: { status: 'critical', text: '300 Multiple Choices' } },
    { name: '302 without Location', input: 302, want: { status: 'critical', text: '302 Found' } },
  ];
  const base = await httpServer(t, (req, res) => {
    const code = Number(req.url?.slice(1));
    res.statusCode = code;
    if (code === 299) res.statusMessage = 'Custom';
    res.end(code === 204 ? undefined : `body of ${code}`);
  });
  for (const c of cases) {
    const url = `${base}/${c.input}`;
    const got = await probeHttp(options(url), never);
    const body = c.input === 204 ? '' : `body of ${c.input}`;
    t.same(
      got,
      { status: c.want.status, output: `HTTP GET ${url}: ${c.want.text} Output: ${body}` },
      c.name,
    );
  }
});

t.test('sends Consul headers, custom headers, method and body', async (t) => {
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const base = await httpServer(t, (req, res, body) => {
    seen.push({ method: req.method, headers: req.headers, body });
    res.end('ok');
  });
  await probeHttp(options(`${base}/plain`), never);
  await probeHttp(
    options(`${base}/custom`, {
      method: 'POST',
      body: '{"ping":1}',
      header: {
        'user-agent': ['mine'],
        'X-Multi': ['a', 'b'],
        'X-Empty': [],
        Host: ['example.test'],
      },
    }),
    never,
  );
  t.equal(seen.length, 2);
  t.equal(seen[0]?.method, 'GET');
  t.equal(seen[0]?.headers['user-agent'], 'Consul Health Check');
  t.equal(seen[0]?.headers['accept'], 'text/plain, text/*, */*');
  t.equal(seen[0]?.headers['connection'], 'close', 'no keep-alive');
  t.equal(seen[1]?.method, 'POST');
  t.equal(seen[1]?.body, '{"ping":1}');
  t.equal(seen[1]?.headers['user-agent'], 'mine', 'a user header replaces the default');
  t.equal(seen[1]?.headers['accept'], 'text/plain, text/*, */*');
  t.equal(seen[1]?.headers['x-multi'], 'a, b');
  t.equal(seen[1]?.headers['host'], 'example.test');
  t.notOk('x-empty' in (seen[1]?.headers ?? {}));
});

t.test('POST output names the method', async (t) => {
  const base = await httpServer(t, (_req, res) => res.end('done'));
  const got = await probeHttp(options(`${base}/p`, { method: 'POST' }), never);
  t.same(got, { status: 'passing', output: `HTTP POST ${base}/p: 200 OK Output: done` });
});

t.test('output keeps the last 4 KiB of the body', async (t) => {
  const big = 'a'.repeat(10_000) + 'b'.repeat(OUTPUT_MAX_BYTES);
  const base = await httpServer(t, (_req, res) => res.end(big));
  const got = await probeHttp(options(`${base}/big`), never);
  t.equal(got.status, 'passing');
  t.equal(got.output, `HTTP GET ${base}/big: 200 OK Output: ${'b'.repeat(OUTPUT_MAX_BYTES)}`);
});

t.test('connection refused is critical with the dial error', async (t) => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  const url = `http://127.0.0.1:${port}/health`;
  const got = await probeHttp(options(url), never);
  t.same(got, {
    status: 'critical',
    output: `Get "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  });
});

t.test('a server that never answers times out', async (t) => {
  const base = await httpServer(t, () => undefined);
  const started = Date.now();
  const got = await probeHttp(options(`${base}/slow`, { timeoutMs: 200 }), never);
  const took = Date.now() - started;
  t.same(got, {
    status: 'critical',
    output: `Get "${base}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  });
  t.ok(took >= 190 && took < 2000, `took ${took} ms`);
});

t.test('a body that never ends keeps the status read before the timeout', async (t) => {
  const base = await httpServer(t, (_req, res) => {
    res.writeHead(200);
    res.write('partial');
  });
  const got = await probeHttp(options(`${base}/stream`, { timeoutMs: 200 }), never);
  t.same(got, { status: 'passing', output: `HTTP GET ${base}/stream: 200 OK Output: partial` });
});

t.test('the abort signal ends a run at once', async (t) => {
  const base = await httpServer(t, () => undefined);
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 50);
  const got = await probeHttp(options(`${base}/hang`, { timeoutMs: 5000 }), ac.signal);
  t.equal(got.status, 'critical');
  t.ok(Date.now() - started < 1000, 'did not wait for the timeout');
});

t.test('redirects are followed, the output names the checked URL', async (t) => {
  const base = await httpServer(t, (req, res) => {
    if (req.url === '/old') {
      res.writeHead(302, { Location: '/new' });
      res.end();
    } else if (req.url === '/loop') {
      res.writeHead(301, { Location: '/loop' });
      res.end();
    } else {
      res.end(`at ${req.url ?? ''}`);
    }
  });
  t.same(await probeHttp(options(`${base}/old`), never), {
    status: 'passing',
    output: `HTTP GET ${base}/old: 200 OK Output: at /new`,
  });
  t.same(await probeHttp(options(`${base}/loop`), never), {
    status: 'critical',
    output: `Get "${base}/loop": stopped after 10 redirects`,
  });
});

t.test('HTTPS: self-signed certificate needs tlsSkipVerify', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-checks-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=berth.test',
      '-addext',
      'subjectAltName=DNS:berth.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const server = https.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (req, res) => res.end(`tls ${req.url ?? ''}`),
  );
  const port = await listen(server);
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${port}/h`;
  const strict = await probeHttp(options(url, { tlsServerName: 'berth.test' }), never);
  t.equal(strict.status, 'critical');
  t.match(strict.output, new RegExp(`^Get "${url}": .*self.signed`));
  t.same(await probeHttp(options(url, { tlsSkipVerify: true }), never), {
    status: 'passing',
    output: `HTTP GET ${url}: 200 OK Output: tls /h`,
  });
});

t.test('TCP: connect succeeds, refused and bad address fail', async (t) => {
  const server = net.createServer((s) => s.destroy());
  const port = await listen(server);
  t.teardown(() => server.close());
  const closed = net.createServer();
  const deadPort = await listen(closed);
  await new Promise((r) => closed.close(r));
  const cases = [
    {
      name: 'listening',
      input: `127.0.0.1:${port}`,
      want: { status: 'passing', output: `TCP connect 127.0.0.1:${port}: Success` },
    },
    {
      name: 'refused',
      input: `127.0.0.1:${deadPort}`,
      want: {
        status: 'critical',
        output: `dial tcp 127.0.0.1:${deadPort}: connect: connection refused`,
      },
    },
    {
      name: 'no port',
      input: '127.0.0.1',
      want: { status: 'critical', output: 'dial tcp: address 127.0.0.1: missing port in address' },
    },
  ];
  for (const c of cases) {
    t.same(await probeTcp(c.input, 2000, never), c.want, c.name);
  }
});
