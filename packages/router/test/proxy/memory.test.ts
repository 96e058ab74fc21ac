// Memory per connection is bounded by configuration whatever the peer sends or fails to read
// (issue 13). RSS is measured in this process, around a router running in it; the bounds are
// generous on purpose: they tell "bounded and given back" from "grows with what the peer does".
import t from 'tap';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { once } from 'node:events';
import { eventually } from '@berth/daemon/testing';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { rawBackend } from '../helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MB = 1024 * 1024;
const rss = () => process.memoryUsage().rss;
/** Heap in use plus Buffers: what the process still holds, whatever malloc keeps mapped. */
const held = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const settle = () => {
  gc();
  gc();
  return rss();
};

// 256 KB per response from one shared buffer: the backend itself holds no per-request copy
const body = Buffer.alloc(256 * 1024, 120);
const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
const half = body.subarray(0, body.length / 2);
const halfHead = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${half.length}\r\n\r\n`);
const backend = await rawBackend((sock, data) => {
  for (const req of data.toString('latin1').split('\r\n\r\n').slice(0, -1)) {
    const small = req.includes('/half');
    sock.write(small ? halfHead : head);
    sock.write(small ? half : body);
  }
});
const router = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null, sendTimeout: 1000 },
  new MemoryRouteSource(snapshotOf({ big: [{ port: backend.port, tags: ['urlprefix-/big'] }] })),
);
const port = router.proxyAddress.port;
t.teardown(async () => {
  await router.close();
  await backend.close();
});

t.test('one connection pipelining 30 MB without reading', async (t) => {
  const base = settle();
  const baseHeld = held();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.pause(); // never reads a single answer
  await once(sock, 'connect');
  const one = Buffer.from('GET /nope HTTP/1.1\r\nHost: x\r\n\r\n');
  const block = Buffer.concat(new Array(2048).fill(one));
  const deadline = Date.now() + 3000;
  let sent = 0;
  while (sent < 30 * MB && Date.now() < deadline) {
    sent += block.length;
    if (sock.write(block)) continue;
    const drained = await once(sock, 'drain', {
      signal: AbortSignal.timeout(deadline - Date.now()),
    })
      .then(() => true)
      .catch(() => false);
    if (!drained) break;
  }
  clearInterval(sampler);
  t.comment(`accepted ${(sent / MB).toFixed(1)} MB, RSS +${((peak - base) / MB).toFixed(1)} MB`);
  t.ok(sent < 30 * MB, 'the router stopped reading: answers were not being read');
  t.ok(peak - base < 64 * MB, `RSS growth bounded (+${((peak - base) / MB).toFixed(1)} MB)`);
  sock.destroy();
  await eventually('the connection gone', () => router.connections === 0);
  const after = settle();
  t.ok(after - base < 32 * MB, `RSS released (+${((after - base) / MB).toFixed(1)} MB)`);
  const kept = held() - baseHeld;
  t.ok(kept < 8 * MB, `heap and buffers released (+${(kept / MB).toFixed(1)} MB)`);
});

t.test('1,000 slow-reading clients', async (t) => {
  const base = settle();
  const baseHeld = held();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
  // each reads at most what one read() returns (16 KB) per 50 ms tick: about 300 KB/s; the
  // responses are sized so the kernel's socket buffers (shared by everyone on this machine)
  // stay modest: 1,000 x 128 KB
  const want = halfHead.length + half.length;
  const clients = Array.from({ length: 1000 }, () => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.pause();
    s.write('GET /big/half HTTP/1.1\r\nHost: x\r\n\r\n');
    return { s, got: 0 };
  });
  let done = 0;
  const reader = setInterval(() => {
    for (const c of clients) {
      if (c.got >= want) continue;
      const chunk = c.s.read() as Buffer | null;
      if (chunk === null) continue;
      c.got += chunk.length;
      if (c.got >= want) {
        done++;
        c.s.destroy();
      }
    }
  }, 50);
  await eventually('every slow reader served', () => done === clients.length, {
    timeoutMs: 30_000,
  });
  clearInterval(reader);
  await eventually('every connection closed', () => router.connections === 0);
  clearInterval(sampler);
  t.comment(`RSS +${((peak - base) / MB).toFixed(1)} MB at the peak`);
  t.ok(peak - base < 256 * MB, `RSS growth bounded (+${((peak - base) / MB).toFixed(1)} MB)`);
  const after = settle();
  t.ok(after - base < 64 * MB, `RSS released (+${((after - base) / MB).toFixed(1)} MB)`);
  const kept = held() - baseHeld;
  t.ok(kept < 16 * MB, `heap and buffers released (+${(kept / MB).toFixed(1)} MB)`);
});
