import t from 'tap';
import net from 'node:net';
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import { eventually } from '@berth/daemon/testing';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request, rawOutcome } from '../helpers.js';

const closedUpstreams: string[] = [];
let held = 0;
const backend = await startBackend('b', (req, res) => {
  req.on('close', () => closedUpstreams.push(req.url ?? ''));
  if (req.url === '/stall') {
    // the head and a little of the body, then nothing
    res.writeHead(200, { 'content-length': String(1 << 20) });
    res.write(Buffer.alloc(1024, 97));
  } else if (req.url === '/huge') {
    // an endless body, written as fast as the router takes it
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const piece = Buffer.alloc(64 * 1024, 98);
    const pump = () => {
      while (!res.destroyed && res.write(piece));
    };
    res.on('drain', pump);
    pump();
  } else if (req.url === '/hold') {
    held++; // never answers
  } else {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(`got ${n}`));
  }
});
const wsBackend = await startBackend('ws', (req, res) => res.end('not ws'));
const wss = new WebSocketServer({ server: wsBackend.server });
wss.on('connection', (ws) => ws.send('hello'));
const snap = snapshotOf({
  b: [{ port: backend.port, tags: ['urlprefix-/'] }],
  ws: [{ port: wsBackend.port, tags: ['urlprefix-/ws'] }],
});
const short = await startRouter(
  {
    proxy: { host: '127.0.0.1', port: 0 },
    admin: null,
    headerTimeout: 300,
    idleTimeout: 300,
    bodyTimeout: 300,
    sendTimeout: 300,
    connectTimeout: 300,
    responseTimeout: 300,
    tunnelIdleTimeout: 300,
  },
  new MemoryRouteSource(snap),
);
// long deadlines: only the client leaving can end its exchange quickly
const patient = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null, responseTimeout: 60_000 },
  new MemoryRouteSource(snap),
);
const ejections: string[] = [];
short.on('eject', (e) => ejections.push(e.reason));
patient.on('eject', (e) => ejections.push(e.reason));
const port = short.proxyAddress.port;
t.teardown(async () => {
  await short.close();
  await patient.close();
  wss.close();
  await backend.close();
  await wsBackend.close();
});

t.test('an idle keep-alive connection is closed after --idle-timeout', async (t) => {
  const sock = net.connect(port, '127.0.0.1');
  let closed = false;
  sock.on('close', () => (closed = true));
  sock.on('error', () => {});
  let got = '';
  sock.on('data', (d) => (got += d.toString()));
  sock.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually('the answer', () => got.includes('got 0'));
  t.notOk(closed, 'kept alive after the answer');
  await eventually('the idle connection closed', () => closed, { timeoutMs: 3000 });
});

t.test('a backend stalling mid-body: the client is cut off after --response-timeout', async (t) => {
  const out = await rawOutcome(port, 'GET /stall HTTP/1.1\r\nHost: x\r\n\r\n', { ms: 5000 });
  t.match(out.text, /^HTTP\/1\.1 200 /);
  t.ok(out.closed, 'the router closed the connection');
  t.ok(out.reset, 'as an abort: the body is incomplete');
  await eventually('the upstream exchange closed', () => closedUpstreams.includes('/stall'));
});

t.test('a client that never reads a large body is dropped after --send-timeout', async (t) => {
  const timeouts: string[] = [];
  short.on('timeout', (e) => timeouts.push(e.kind));
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.pause(); // never reads
  sock.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually('the upstream exchange closed', () => closedUpstreams.includes('/huge'), {
    timeoutMs: 5000,
  });
  await eventually('the client connection closed', () => short.connections === 0);
  t.ok(timeouts.includes('send'), 'by the send timeout');
  sock.destroy();
});

t.test('the response timer starts when the request body is complete', async (t) => {
  // ten pieces 100 ms apart: the upload outlasts --response-timeout, never --body-timeout
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/upload', method: 'POST', agent: false },
      (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    let n = 0;
    const timer = setInterval(() => {
      req.write(Buffer.alloc(1000, 99));
      if (++n === 10) {
        clearInterval(timer);
        req.end();
      }
    }, 100);
  });
  t.same(res, { status: 200, body: 'got 10000' });
  t.same(ejections, [], 'nobody ejected');
});

t.test('a request body that stops arriving gets 408 and ejects nobody', async (t) => {
  const out = await rawOutcome(
    port,
    'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b',
    { ms: 5000 },
  );
  t.match(out.text, /^HTTP\/1\.1 408 /);
  t.ok(out.closed);
  t.same(ejections, [], 'a stalled upload is the client, not the instance');
});

t.test('a client that leaves ends its upstream exchange at once', async (t) => {
  for (const how of ['destroy', 'end'] as const) {
    const before = closedUpstreams.filter((u) => u === '/hold').length;
    const heldBefore = held;
    const sock = net.connect(patient.proxyAddress.port, '127.0.0.1');
    sock.on('error', () => {});
    sock.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually('the request upstream', () => held > heldBefore);
    if (how === 'destroy') sock.destroy();
    else sock.end();
    await eventually(
      `the upstream exchange closed after the client's ${how}`,
      () => closedUpstreams.filter((u) => u === '/hold').length > before,
      { timeoutMs: 1000 },
    );
    await eventually('no connection left behind', () => patient.connections === 0, {
      timeoutMs: 1000,
    });
    sock.destroy();
  }
  t.same(ejections, []);
});

t.test('an idle WebSocket is closed after --tunnel-idle-timeout', async (t) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const hello = await new Promise<string>((resolve, reject) => {
    ws.once('message', (m) => resolve(m.toString()));
    ws.once('error', reject);
  });
  t.equal(hello, 'hello');
  let closed = false;
  ws.on('close', () => (closed = true));
  ws.on('error', () => {});
  await eventually('the idle tunnel closed', () => closed, { timeoutMs: 3000 });
});

t.test('a slow request head gets 408', async (t) => {
  const out = await rawOutcome(port, 'GET / HTTP/1.1\r\nHost: x\r\n', { ms: 3000 });
  t.match(out.text, /^HTTP\/1\.1 408 /);
  t.ok(out.closed);
  t.equal((await request(port, '/')).status, 200, 'still serving');
});

t.test('a client trickling bytes after an early answer is not kept past the linger', async (t) => {
  // a local answer (405) with the body unread: the router closes its side, drops what follows
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  let closed = false;
  sock.on('close', () => (closed = true));
  sock.write('TRACE / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
  const trickle = setInterval(() => sock.write('x'), 50);
  t.teardown(() => clearInterval(trickle));
  await eventually('the connection closed despite the trickle', () => closed, { timeoutMs: 8000 });
});
