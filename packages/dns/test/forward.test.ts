/**
 * Forwarding (issue 14): a recursor whose port is closed fails at once (ICMP port
 * unreachable) instead of costing the timeout; recursors that keep failing are skipped and
 * let back by one probe; failed forwards log one line per recursor per interval, not one per
 * query.
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { Writable } from 'node:stream';
import { Health, Shutdown, createLogger, createRegistry, loadConfig } from '@berth/daemon';
import { eventually, stays } from '@berth/daemon/testing';
import { Forwarder, TYPE, dnsOptions, runDns, startDns } from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { decode, query } from './decode.js';
import { digAt, snapshot } from './fixtures.js';
import { startTestResolver } from './test-resolver.js';

const source = new MemoryCatalogSource(snapshot([{ service: 'web', address: '127.0.0.2' }]));

/** A UDP port nobody listens on (bound, noted, closed). */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A recursor we steer: silent (queries time out) or answering NOERROR; counts queries. */
async function steeredRecursor(): Promise<{
  address: string;
  queries: () => number;
  answer: (on: boolean) => void;
  close: () => void;
}> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let count = 0;
  let answering = false;
  sock.on('message', (msg, rinfo) => {
    count++;
    if (!answering) return;
    const reply = Buffer.from(msg);
    reply[2] = 0x80 | ((msg[2] as number) & 0x01);
    reply[3] = 0x80;
    sock.send(reply, rinfo.port, rinfo.address);
  });
  return {
    address: `127.0.0.1:${sock.address().port}`,
    queries: () => count,
    answer: (on) => (answering = on),
    close: () => sock.close(),
  };
}

t.test('a closed-port recursor fails at once: the next one answers', async (t) => {
  const good = await startTestResolver({ 'example.com': ['127.0.0.99'] });
  t.teardown(() => good.close());
  const server = await startDns(
    {
      listen: [{ host: '127.0.0.1', port: 0 }],
      recursor: [`127.0.0.1:${await closedPort()}`, good.address],
      recursorTimeout: 3000,
    },
    source,
  );
  t.teardown(() => server.close());
  const port = server.addresses[0]?.port ?? 0;
  const t0 = Date.now();
  const r = await digAt(port, ['example.com']);
  const ms = Date.now() - t0;
  t.strictSame(r.answer, ['example.com. 60 IN A 127.0.0.99']);
  t.ok(ms < 1500, `answered in ${ms} ms, not after the 3 s timeout`);
});

t.test('only a closed-port recursor: SERVFAIL at once', async (t) => {
  const server = await startDns(
    {
      listen: [{ host: '127.0.0.1', port: 0 }],
      recursor: [`127.0.0.1:${await closedPort()}`],
      recursorTimeout: 3000,
    },
    source,
  );
  t.teardown(() => server.close());
  const t0 = Date.now();
  const r = await digAt(server.addresses[0]?.port ?? 0, ['+tcp', 'example.com']);
  const ms = Date.now() - t0;
  t.equal(r.status, 'SERVFAIL');
  t.ok(ms < 1500, `SERVFAIL in ${ms} ms, not after the 3 s timeout`);

  // A burst: every query is already waiting on the recursor when the first refusal arrives
  // (the kernel reports it once per socket, and rate-limits ICMP machine-wide).
  const sock = createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  t.teardown(() => sock.close());
  let replies = 0;
  sock.on('message', () => replies++);
  const t1 = Date.now();
  for (let i = 0; i < 200; i++)
    sock.send(
      query(`b${i}.example.com`, TYPE.A, { id: i }),
      server.addresses[0]?.port ?? 0,
      '127.0.0.1',
    );
  await eventually('200 replies', () => replies === 200);
  const burst = Date.now() - t1;
  t.ok(burst < 1500, `200 concurrent queries answered in ${burst} ms, not after the 3 s timeout`);
});

t.test('a recursor that keeps failing is skipped; one probe lets it back', async (t) => {
  const flaky = await steeredRecursor();
  const good = await startTestResolver({ 'example.com': ['127.0.0.99'] });
  t.teardown(async () => {
    flaky.close();
    await good.close();
  });
  let now = 1_000_000;
  const f = new Forwarder({
    recursors: [flaky.address, good.address].map((a) => ({
      host: '127.0.0.1',
      port: Number(a.split(':')[1]),
    })),
    timeoutMs: 150,
    health: { backoff: { baseMs: 1000, maxMs: 8000, jitter: 'none' } },
    now: () => now,
  });
  t.teardown(() => f.close());
  const events: string[] = [];
  f.on('skip', (e) => events.push(`skip ${e.skipMs}`));
  f.on('back', () => events.push('back'));
  const ask = async (): Promise<string[]> => {
    const msg = query('example.com', TYPE.A);
    const reply = await f.forward(msg, msg.length, 512);
    return reply ? decode(reply).answers.map((a) => a.data) : [];
  };
  for (let i = 0; i < 3; i++)
    t.strictSame(await ask(), ['127.0.0.99'], `timeout ${i + 1}, then good`);
  t.equal(flaky.queries(), 3);
  t.strictSame(events, ['skip 1000'], 'skipped after three timeouts in a row');
  for (let i = 0; i < 5; i++) t.strictSame(await ask(), ['127.0.0.99']);
  t.equal(flaky.queries(), 3, 'not asked while skipped');

  now += 1000;
  t.strictSame(await ask(), ['127.0.0.99'], 'probe timed out; good answered');
  t.equal(flaky.queries(), 4, 'one probe');
  t.strictSame(events, ['skip 1000', 'skip 2000'], 'the next skip is longer');

  flaky.answer(true);
  now += 2000;
  const probe = ask();
  const other = ask();
  await Promise.all([probe, other]);
  t.equal(flaky.queries(), 5, 'only one of two concurrent queries probes');
  t.strictSame(events, ['skip 1000', 'skip 2000', 'back']);
  t.strictSame(await ask(), [], 'flaky (answering NOERROR, no records) is first again');
  t.equal(flaky.queries(), 6);
});

t.test('failed forwards log one line per recursor per interval', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const ctx = {
    log: createLogger({ component: 'dns', level: 'info', destination }),
    registry: createRegistry('dns', false),
    health: new Health(),
    shutdown: new Shutdown(5000),
  };
  const dead = [await closedPort(), await closedPort()];
  const cfg = loadConfig(
    dnsOptions,
    [
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      ...dead.flatMap((p) => ['--recursor', `127.0.0.1:${p}`]),
    ],
    {},
  );
  const { server } = await runDns(cfg, ctx, source);
  t.teardown(() => ctx.shutdown.run());
  const port = server.addresses[0]?.port ?? 0;
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => udp.close());
  let replies = 0;
  udp.on('message', () => replies++);
  for (let i = 0; i < 300; i++)
    udp.send(query(`n${i}.example.com`, TYPE.A, { id: i }), port, '127.0.0.1');
  await eventually('300 SERVFAIL replies', () => replies === 300);
  const failed = lines.filter((l) => l.includes('"msg":"recursor failed"'));
  t.equal(failed.length, 2, `${failed.length} 'recursor failed' lines for 300 failed forwards`);
  const skips = lines.filter((l) => l.includes('skipped for'));
  t.equal(skips.length, 2, 'one line each when they start being skipped');
  const count = (): number => lines.filter((l) => l.includes('"recursor":"')).length;
  t.equal(count(), 4);
  await stays('no more recursor lines', () => count() === 4, { periodMs: 300 });
});
