import t from 'tap';
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request } from '../helpers.js';

const sse = await startBackend('sse', (req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write('data: first\n\n');
  const timer = setTimeout(() => {
    res.write('data: second\n\n');
    res.end();
  }, 300);
  req.on('close', () => clearTimeout(timer));
});
const sink = await startBackend('sink', (req, res) => {
  let n = 0;
  req.on('data', (c: Buffer) => (n += c.length));
  req.on('end', () =>
    res.end(JSON.stringify({ bytes: n, te: req.headers['transfer-encoding'] ?? null })),
  );
});
const big = await startBackend('big', (req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  // chunked, 2 MiB in 64 KiB pieces
  const piece = Buffer.alloc(64 * 1024, 120);
  for (let i = 0; i < 32; i++) res.write(piece);
  res.end();
});
const wsBackend = await startBackend('ws', (req, res) => res.end('not ws'));
const wss = new WebSocketServer({ server: wsBackend.server });
wss.on('connection', (ws, req) => {
  ws.send(`hello ${req.url}`);
  ws.on('message', (m) => ws.send(`echo ${m.toString()}`));
});

const router = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null },
  new MemoryRouteSource(
    snapshotOf({
      sse: [{ port: sse.port, tags: ['urlprefix-/events'] }],
      sink: [{ port: sink.port, tags: ['urlprefix-/upload'] }],
      big: [{ port: big.port, tags: ['urlprefix-/big'] }],
      ws: [{ port: wsBackend.port, tags: ['urlprefix-/ws'] }],
    }),
  ),
);
const port = router.proxyAddress.port;
t.teardown(async () => {
  await router.close();
  wss.close();
  for (const b of [sse, sink, big, wsBackend]) await b.close();
});

t.test('WebSocket echo through the router', async (t) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/chat`);
  const got: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (m) => {
      got.push(m.toString());
      if (got.length === 1) ws.send('ping');
      if (got.length === 2) {
        ws.send(Buffer.alloc(200_000, 97));
      }
      if (got.length === 3) {
        ws.close();
        resolve();
      }
    });
  });
  t.equal(got[0], 'hello /ws/chat');
  t.equal(got[1], 'echo ping');
  t.equal(got[2]?.length, 200_005, 'large frame echoed');
});

t.test('SSE events arrive as they are sent (no buffering)', async (t) => {
  const t0 = Date.now();
  const times: number[] = [];
  const body = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => {
          s += c.toString();
          times.push(Date.now() - t0);
        });
        res.on('end', () => resolve(s));
      })
      .on('error', reject);
  });
  t.equal(body, 'data: first\n\ndata: second\n\n');
  // The upstream waits 250 ms between the events: a buffering proxy delivers both at once.
  t.ok(times.length >= 2, 'the events arrived in separate chunks');
  t.ok(
    (times.at(-1) ?? 0) - (times[0] ?? 0) >= 150,
    'the first event arrived before the second was sent',
  );
});

t.test('large bodies stream both ways', async (t) => {
  // chunked upload of 3 MiB
  const res = await new Promise<string>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/upload', method: 'POST', agent: false },
      (r) => {
        let s = '';
        r.on('data', (c: Buffer) => (s += c.toString()));
        r.on('end', () => resolve(s));
      },
    );
    req.on('error', reject);
    const piece = Buffer.alloc(256 * 1024, 98);
    for (let i = 0; i < 12; i++) req.write(piece);
    req.end();
  });
  t.same(JSON.parse(res), { bytes: 3 * 1024 * 1024, te: 'chunked' });
  const fixed = await request(port, '/upload', {
    method: 'PUT',
    body: Buffer.alloc(1_000_000, 99),
  });
  t.same(JSON.parse(fixed.body), { bytes: 1_000_000, te: null });
  const down = await request(port, '/big');
  t.equal(down.body.length, 2 * 1024 * 1024);
});

t.test('Expect: 100-continue passes the interim response through', async (t) => {
  const res = await new Promise<{ continued: boolean; body: string }>((resolve, reject) => {
    let continued = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/upload',
      method: 'POST',
      agent: false,
      headers: { expect: '100-continue', 'content-length': '5' },
    });
    req.on('continue', () => {
      continued = true;
      req.end('12345');
    });
    req.on('response', (r) => {
      let s = '';
      r.on('data', (c: Buffer) => (s += c.toString()));
      r.on('end', () => resolve({ continued, body: s }));
    });
    req.on('error', reject);
  });
  t.ok(res.continued, 'client saw 100 Continue');
  t.same(JSON.parse(res.body), { bytes: 5, te: null });
});
