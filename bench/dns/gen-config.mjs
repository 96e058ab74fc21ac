// Writes the benchmark inputs into DIR: dnsmasq.conf + hosts for the reference (the same
// A/SRV records berth serves, other names forwarded to the recursor), recursor.conf for the
// local dnsmasq recursor both servers forward to, and queries.txt for dnsperf.
// Usage: node gen-config.mjs DIR PORT RECURSOR_PORT
//
// Neither dnsmasq caches (cache-size=0): berth does not cache forwarded answers, so the
// reference forwards every forwarded query too; its hosts and srv-host records are served
// either way.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORWARDED_ADDRESS, FORWARDED_DOMAIN, benchQueries, benchRecords } from './records.mjs';

const [dir = '.', port = '8700', recursorPort = '8800'] = process.argv.slice(2);
const recs = benchRecords();
const hosts = [];
const conf = [
  `port=${port}`,
  'listen-address=127.0.0.1',
  'bind-interfaces',
  'no-resolv',
  'no-hosts',
  'local=/consul/',
  `server=127.0.0.1#${recursorPort}`,
  `addn-hosts=${join(dir, 'hosts')}`,
  'cache-size=0',
  'no-negcache',
];
for (const n of recs.nodes) hosts.push(`${n.address} ${n.name}.node.dc1.consul`);
for (const s of recs.services) {
  for (const i of s.instances) {
    hosts.push(`${i.address} ${s.service}.service.consul`);
    conf.push(`srv-host=_${s.service}._tcp.service.consul,${i.node}.node.dc1.consul,${i.port},1,1`);
  }
}
const recursor = [
  `port=${recursorPort}`,
  'listen-address=127.0.0.1',
  'bind-interfaces',
  'no-resolv',
  'no-hosts',
  `address=/${FORWARDED_DOMAIN}/${FORWARDED_ADDRESS}`,
  'cache-size=0',
];
writeFileSync(join(dir, 'hosts'), hosts.join('\n') + '\n');
writeFileSync(join(dir, 'dnsmasq.conf'), conf.join('\n') + '\n');
writeFileSync(join(dir, 'recursor.conf'), recursor.join('\n') + '\n');
writeFileSync(join(dir, 'queries.txt'), benchQueries(recs));
