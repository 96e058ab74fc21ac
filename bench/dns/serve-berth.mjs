// Runs berth dns (built @berth/dns) on 127.0.0.1:PORT serving the benchmark records from an
// in-memory catalog source, until SIGTERM. Usage: node serve-berth.mjs PORT
import { startDns } from '@berth/dns';
import { MemoryCatalogSource } from '@berth/dns/testing';
import { benchRecords } from './records.mjs';

const port = Number(process.argv[2] ?? 8600);
const recs = benchRecords();
const services = new Map();
for (const s of recs.services) {
  services.set(
    s.service,
    s.instances.map((i) => ({
      id: i.id,
      service: s.service,
      node: i.node,
      nodeAddress: i.address,
      address: i.address,
      port: i.port,
      tags: [],
      meta: {},
      checks: [],
      status: 'passing',
      maintenance: false,
      modifyIndex: 1,
    })),
  );
}
const nodes = new Map(
  recs.nodes.map((n) => [
    n.name,
    { name: n.name, address: n.address, datacenter: 'dc1', meta: {} },
  ]),
);
const source = new MemoryCatalogSource({
  index: 1n,
  datacenter: 'dc1',
  services,
  nodes,
  fetchedAt: Date.now(),
});
const server = await startDns({ listen: [{ host: '127.0.0.1', port }] }, source);
process.stdout.write(`ready ${server.addresses[0]?.port}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
