/**
 * Seeded fuzzing of the query path: 100,000 malformed or mutated packets through the same
 * parse -> resolve -> write functions the server uses (in-process, fast), then a share of them
 * over real UDP and TCP sockets, after which the server must still answer correctly.
 */
import t from 'tap';
import { sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  Chase,
  DROP,
  FORWARD,
  TYPE,
  buildZone,
  compileTable,
  parseQuery,
  resolve,
  startDns,
  writeError,
} from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { decode, query } from './decode.js';
import { dig, snapshot } from './fixtures.js';

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20240505;
const COUNT = 100_000;

const seeds = [
  query('web.service.consul', TYPE.A),
  query('web.service.consul', TYPE.SRV, { udpSize: 1232 }),
  query('_web._tcp.service.dc1.consul', TYPE.SRV),
  query('consul', TYPE.SOA, { udpSize: 4096 }),
  query('nope.service.consul', TYPE.A),
  query('example.com', TYPE.A),
  query('2.0.0.127.in-addr.arpa', TYPE.PTR),
];

/** One packet: random bytes, or a valid query with targeted damage. */
function packet(r: () => number): Buffer {
  const int = (n: number): number => Math.floor(r() * n);
  const kind = int(8);
  if (kind === 0) {
    const b = Buffer.alloc(int(600));
    for (let i = 0; i < b.length; i++) b[i] = int(256);
    return b;
  }
  const base = Buffer.from(seeds[int(seeds.length)] as Buffer);
  switch (kind) {
    case 1: // flip bytes
      for (let n = 1 + int(6); n > 0; n--) base[int(base.length)] = int(256);
      return base;
    case 2: // truncate
      return base.subarray(0, int(base.length));
    case 3: // huge or random counts
      base.writeUInt16BE(int(4) === 0 ? 0xffff : int(8), 4 + 2 * int(4));
      return base;
    case 4: {
      // compression pointer somewhere in the name, possibly to itself (a loop)
      const at = 12 + int(Math.max(1, base.length - 16));
      base[at] = 0xc0 | int(64);
      base[at + 1] = int(2) ? at & 0xff : int(256);
      return base;
    }
    case 5: // bad label length
      base[12 + int(8)] = 64 + int(192);
      return base;
    case 6: // other opcodes, QR, random flag bits
      base[2] = int(256);
      base[3] = int(256);
      return base;
    default: {
      // trailing records with random content, maybe several OPTs and pointer loops
      const extra = Buffer.alloc(int(64));
      for (let i = 0; i < extra.length; i++) extra[i] = int(4) === 0 ? 0xc0 : int(256);
      const out = Buffer.concat([base, extra]);
      out.writeUInt16BE(int(5), 10);
      return out;
    }
  }
}

const table = compileTable(
  buildZone(
    snapshot([
      { service: 'web', address: '127.0.0.2', tags: ['v1'] },
      { service: 'web', address: '127.0.0.3' },
    ]),
    {
      domains: ['consul'],
      onlyPassing: false,
      serviceTtl: [],
      nodeTtl: 0,
      aRecordLimit: 0,
      nsAddresses: [],
    },
  ),
  0,
);

t.test(
  `${COUNT} seeded packets in-process: no throw, replies well formed and within limits`,
  async (t) => {
    const r = rng(SEED);
    const tally = { dropped: 0, headerOnly: 0, replies: 0, forwarded: 0 };
    const start = Date.now();
    let bad = 0;
    for (let i = 0; i < COUNT; i++) {
      const msg = packet(r);
      const tcp = (i & 1) === 1;
      try {
        const q = parseQuery(msg);
        if (q === DROP) {
          tally.dropped++;
          continue;
        }
        const res =
          typeof q === 'number'
            ? writeError(msg, q)
            : resolve(
                table,
                table.domains,
                q,
                msg,
                tcp ? 65535 : Math.min(q.udpSize, 4096),
                i % 3 === 0,
              );
        if (res === FORWARD) {
          tally.forwarded++;
          continue;
        }
        const reply = res instanceof Chase ? res.reply : res;
        if (typeof q === 'number') tally.headerOnly++;
        else tally.replies++;
        const limit = typeof q === 'number' || tcp ? 65535 : Math.min(q.udpSize, 4096);
        const d = decode(reply);
        if (d.id !== msg.readUInt16BE(0) || !d.qr || reply.length > limit)
          throw new Error('bad reply');
      } catch (e) {
        if (bad++ < 5) t.fail(`packet ${i} (${msg.toString('hex')}): ${String(e)}`);
      }
    }
    t.equal(bad, 0, 'every packet handled');
    t.ok(tally.dropped > 0 && tally.headerOnly > 0 && tally.replies > 0, JSON.stringify(tally));
    t.comment(`${COUNT} packets in ${Date.now() - start} ms: ${JSON.stringify(tally)}`);
  },
);

t.test('fuzz over real UDP and TCP: the server keeps serving', async (t) => {
  const source = new MemoryCatalogSource(snapshot([{ service: 'web', address: '127.0.0.2' }]));
  const server = await startDns(
    { listen: [{ host: '127.0.0.1', port: 0 }], recursor: ['127.0.0.1:9'], recursorTimeout: 50 },
    source,
  );
  t.teardown(() => server.close());
  const port = server.addresses[0]?.port ?? 0;
  const r = rng(SEED + 1);
  const udp = createSocket('udp4');
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()));
  let answered = 0;
  udp.on('message', () => answered++);
  for (let i = 0; i < 3000; i++) {
    udp.send(packet(r), port, '127.0.0.1');
    if (i % 20 === 0) await sleep(1); // pacing, so the socket buffers do not overflow
  }
  // One TCP connection carrying framed garbage, another with a bad length prefix.
  await new Promise<void>((res) => {
    const c = connect(port, '127.0.0.1', () => {
      for (let i = 0; i < 500; i++) {
        const p = packet(r);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(p.length, 0);
        c.write(Buffer.concat([len, p]));
      }
      c.end(Buffer.from([0x00, 0x05, 1, 2, 3]));
    });
    c.on('data', () => undefined);
    c.on('close', () => res());
    c.on('error', () => res());
  });
  await eventually('UDP replies', () => answered > 100);
  udp.close();
  t.comment(`${answered} UDP replies`);
  const out = await dig([
    '@127.0.0.1',
    '-p',
    String(port),
    '+short',
    '+tries=1',
    '+time=2',
    'web.service.consul',
  ]);
  t.equal(out.trim(), '127.0.0.2', 'still answering');
  const viaTcp = await dig([
    '@127.0.0.1',
    '-p',
    String(port),
    '+tcp',
    '+short',
    '+tries=1',
    '+time=2',
    'web.service.consul',
  ]);
  t.equal(viaTcp.trim(), '127.0.0.2', 'still answering over TCP');
});
