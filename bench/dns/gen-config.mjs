// Writes the benchmark inputs into DIR: dnsmasq.conf + hosts (the same A/SRV records berth
// serves) and queries.txt for dnsperf. Usage: node gen-config.mjs DIR PORT
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchQueries, benchRecords } from './records.mjs';

const [dir = '.', port = '8700'] = process.argv.slice(2);
const recs = benchRecords();
const hosts = [];
const conf = [
  `port=${port}`,
  'listen-address=127.0.0.1',
  'bind-interfaces',
  'no-resolv',
  'no-hosts',
  'local=/consul/',
  `addn-hosts=${join(dir, 'hosts')}`,
  'cache-size=10000',
  'no-negcache',
];
for (const n of recs.nodes) hosts.push(`${n.address} ${n.name}.node.dc1.consul`);
for (const s of recs.services) {
  for (const i of s.instances) {
    hosts.push(`${i.address} ${s.service}.service.consul`);
    conf.push(`srv-host=_${s.service}._tcp.service.consul,${i.node}.node.dc1.consul,${i.port},1,1`);
  }
}
writeFileSync(join(dir, 'hosts'), hosts.join('\n') + '\n');
writeFileSync(join(dir, 'dnsmasq.conf'), conf.join('\n') + '\n');
writeFileSync(join(dir, 'queries.txt'), benchQueries(recs));
