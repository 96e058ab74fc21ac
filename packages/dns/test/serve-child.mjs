// A berth dns in its own process, for tests that measure the server alone (its RSS): serves
// `big.service.consul` (INSTANCES distinct addresses) from an in-memory source on 127.0.0.1,
// prints `ready <port>`, and answers each `stats` line on stdin with a JSON line. Exits when
// stdin closes. DNS_MODULE points at another build (its dist/index.js) to check a test
// against older code.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const mod = process.env.DNS_MODULE ? pathToFileURL(process.env.DNS_MODULE).href : '@berth/dns';
const dns = await import(mod);
const MemoryCatalogSource =
  dns.MemoryCatalogSource ??
  (
    await import(
      process.env.DNS_MODULE ? new URL('testing/index.js', mod).href : '@berth/dns/testing'
    )
  ).MemoryCatalogSource;

const count = Number(process.env.INSTANCES ?? 1000);
const big = Array.from({ length: count }, (_, i) => ({
  id: `n1:big:${i}`,
  service: 'big',
  node: 'n1',
  nodeAddress: '127.0.0.1',
  address: `127.2.${i >> 8}.${i & 0xff}`,
  port: 20000 + i,
  tags: [],
  meta: {},
  checks: [],
  status: 'passing',
  maintenance: false,
  modifyIndex: 1,
}));
const source = new MemoryCatalogSource({
  index: 1n,
  datacenter: 'dc1',
  services: new Map([['big', big]]),
  nodes: new Map([['n1', { name: 'n1', address: '127.0.0.1', datacenter: 'dc1', meta: {} }]]),
  fetchedAt: Date.now(),
});
const server = await dns.startDns({ listen: [{ host: '127.0.0.1', port: 0 }] }, source);
process.stdout.write(`ready ${server.addresses[0].port}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const answered = server.stats.answers.reduce((a, b) => a + b, 0);
  const rss = process.memoryUsage.rss();
  process.stdout.write(`${JSON.stringify({ answered, rss, tcp: server.tcpConnections })}\n`);
});
lines.on('close', () => server.close().then(() => process.exit(0)));
