/**
 * TCP that no client can exhaust (issue 14): a client that pipelines and never reads does not
 * grow the server (RSS measured on a server in its own process), a message dripped byte by
 * byte is cut at the read deadline, a connection with nothing going on is closed after the
 * idle timeout, at the connection cap the connection idle the longest makes room, and a reply
 * still goes out after the client's half-close (RFC 7766), forwarded ones included.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { TYPE, startDns } from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { decode, query } from './decode.js';
import { snapshot } from './fixtures.js';
import { startTestResolver } from './test-resolver.js';

const frame = (msg: Buffer): Buffer => {
  const out = Buffer.alloc(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
};

/** A connected socket that collects framed replies and notes when the server closed it. */
async function client(port: number): Promise<{
  socket: Socket;
  replies: Buffer[];
  closed: () => boolean;
}> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const replies: Buffer[] = [];
  let buf = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return { socket, replies, closed: () => closed };
}

const source = new MemoryCatalogSource(
  snapshot([{ service: 'web', address: '127.0.0.2' }], undefined, { index: 3n }),
);

t.test('a client pipelining 5,000 queries and never reading: server RSS bounded', async (t) => {
  const script = fileURLToPath(new URL('./serve-child.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.stdin.end();
    child.kill();
  });
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> => new Promise((r) => lines.once('line', r));
  const port = Number((await next()).split(' ')[1]);
  const stats = async (): Promise<{ answered: number }> => {
    child.stdin.write('stats\n');
    return JSON.parse(await next()) as { answered: number };
  };
  const rss = (): number => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) * 1024;
  };
  // Warm up (JIT, table, first TCP connection) before the baseline.
  const warm = await client(port);
  for (let i = 0; i < 200; i++) warm.socket.write(frame(query('big.service.consul', TYPE.A)));
  await eventually('warm-up replies', () => warm.replies.length === 200);
  warm.socket.destroy();
  const before = rss();

  const greedy = await client(port);
  greedy.socket.pause(); // never reads: the server's replies pile up unless it stops reading
  const q = frame(query('big.service.consul', TYPE.A, { id: 7 }));
  greedy.socket.write(Buffer.concat(Array.from({ length: 5000 }, () => q)));
  // Wait until the server has done all it will: its answer count stops moving.
  let last = -1;
  let peak = before;
  await eventually(
    'the server to stop answering the greedy client',
    async () => {
      peak = Math.max(peak, rss());
      const { answered } = await stats();
      const still = answered === last;
      last = answered;
      return still;
    },
    { timeoutMs: 20_000, intervalMs: 300 },
  );
  peak = Math.max(peak, rss());
  const grew = (peak - before) / 2 ** 20;
  t.comment(`answered ${last - 200} of 5,000 (the rest wait for the client to read)`);
  t.comment(
    `server RSS ${(before / 2 ** 20).toFixed(1)} MiB -> peak ${(peak / 2 ** 20).toFixed(1)} MiB`,
  );
  // Each reply is 16 KB: holding all of them would take ~80 MiB.
  t.ok(grew < 24, `server RSS grew ${grew.toFixed(1)} MiB (bound 24 MiB)`);
  greedy.socket.destroy();
});

t.test('a message dripped byte by byte is cut at the read deadline', async (t) => {
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], tcpReadTimeout: 300, tcpIdleTimeout: 10_000 },
    source,
  );
  t.teardown(() => server.close());
  const c = await client(server.addresses[0]?.port ?? 0);
  const bytes = frame(query('web.service.consul', TYPE.A));
  const t0 = Date.now();
  let sent = 0;
  // One byte every 100 ms: the whole message would take ~3.6 s.
  while (sent < bytes.length && !c.closed()) {
    c.socket.write(bytes.subarray(sent, sent + 1));
    sent++;
    await sleep(100);
  }
  await eventually('the server closes the connection', () => c.closed());
  const ms = Date.now() - t0;
  t.ok(sent < bytes.length, `cut after ${sent} of ${bytes.length} bytes, ${ms} ms`);
  t.equal(c.replies.length, 0, 'no reply to the dripped message');
});

t.test('idle timeout between messages; activity keeps a connection open', async (t) => {
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], tcpReadTimeout: 5000, tcpIdleTimeout: 400 },
    source,
  );
  t.teardown(() => server.close());
  const c = await client(server.addresses[0]?.port ?? 0);
  for (let i = 0; i < 5; i++) {
    c.socket.write(frame(query('web.service.consul', TYPE.A, { id: i })));
    await eventually(`reply ${i}`, () => c.replies.length === i + 1);
    await sleep(200); // half the idle timeout between queries
  }
  t.notOk(c.closed(), 'open while queries keep coming');
  const quiet = Date.now();
  await eventually('closed once idle', () => c.closed(), { timeoutMs: 3000 });
  t.comment(`closed ${Date.now() - quiet} ms after the last activity (idle timeout 400 ms)`);
});

t.test('connection cap: the connection idle the longest makes room', async (t) => {
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], maxTcpConnections: 3 },
    source,
  );
  t.teardown(() => server.close());
  const port = server.addresses[0]?.port ?? 0;
  const ask = async (c: Awaited<ReturnType<typeof client>>, id: number): Promise<void> => {
    const n = c.replies.length;
    c.socket.write(frame(query('web.service.consul', TYPE.A, { id })));
    await eventually('reply', () => c.replies.length === n + 1);
  };
  const a = await client(port);
  await ask(a, 1);
  const b = await client(port);
  await ask(b, 2);
  const busy = await client(port);
  busy.socket.write(frame(query('web.service.consul', TYPE.A)).subarray(0, 10)); // mid-message
  await ask(a, 3); // a was used last: b is now the one idle the longest
  await eventually('three connections', () => server.tcpConnections === 3);

  const d = await client(port);
  await ask(d, 4);
  await eventually('b closed to make room', () => b.closed());
  t.notOk(a.closed(), 'a (more recently active) kept');
  t.notOk(busy.closed(), 'the connection in the middle of a message kept');

  const e = await client(port);
  await ask(e, 5);
  await eventually('a closed next', () => a.closed());
  t.notOk(busy.closed() || d.closed(), 'busy and d kept');
  for (const c of [busy, d, e]) c.socket.destroy();
});

t.test('replies go out after the client half-closes, forwarded ones too', async (t) => {
  const upstream = await startTestResolver({ 'example.com': ['127.0.0.99'] });
  t.teardown(() => upstream.close());
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], recursor: [upstream.address] },
    source,
  );
  t.teardown(() => server.close());
  const c = await client(server.addresses[0]?.port ?? 0);
  c.socket.end(
    Buffer.concat([
      frame(query('web.service.consul', TYPE.A, { id: 1 })),
      frame(query('example.com', TYPE.A, { id: 2 })),
    ]),
  );
  await eventually('both replies, then the server closes', () => c.closed());
  const got = c.replies.map((r) => decode(r));
  t.strictSame(got.map((d) => d.id).sort(), [1, 2]);
  t.strictSame(
    got.find((d) => d.id === 2)?.answers.map((a) => a.data),
    ['127.0.0.99'],
    'the forwarded reply',
  );
});
