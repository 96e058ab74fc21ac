// The record set both servers serve in the DNS benchmark: S services with I instances each,
// spread over N loopback "hosts" (127.10.0.x) on distinct ports, and the query mix. Pure.

/** The forwarded names live under this domain, answered by the local recursor. */
export const FORWARDED_DOMAIN = 'fwd.test';
/** What the recursor answers for every forwarded name. */
export const FORWARDED_ADDRESS = '127.0.0.9';

/** @param {{ services?: number, instances?: number, nodes?: number }} [o] */
export function benchRecords(o = {}) {
  const services = o.services ?? 100;
  const instances = o.instances ?? 3;
  const nodeCount = o.nodes ?? 10;
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    name: `host${i}`,
    address: `127.10.0.${i + 1}`,
  }));
  const list = [];
  for (let s = 0; s < services; s++) {
    const inst = [];
    for (let k = 0; k < instances; k++) {
      const node = nodes[(s + k) % nodeCount];
      inst.push({
        id: `${node.name}:svc${s}:${k}`,
        node: node.name,
        address: node.address,
        port: 20000 + s * 10 + k,
      });
    }
    list.push({ service: `svc${s}`, instances: inst });
  }
  return { nodes, services: list };
}

/**
 * dnsperf query lines, per 100: 5 forwarded (names outside consul, to the recursor), 38
 * service A, 38 RFC 2782 SRV (with target addresses), 19 NXDOMAIN: the old 40/40/20 mix
 * with 5% forwarded.
 */
export function benchQueries(recs, count = 10000) {
  const lines = [];
  const n = recs.services.length;
  for (let i = 0; i < count; i++) {
    const s = recs.services[(i * 7919) % n].service;
    const r = i % 100;
    if (r < 5) lines.push(`f${i % 500}.${FORWARDED_DOMAIN} A`);
    else if (r < 43) lines.push(`${s}.service.consul A`);
    else if (r < 81) lines.push(`_${s}._tcp.service.consul SRV`);
    else lines.push(`nosuch${i}.service.consul A`);
  }
  return lines.join('\n') + '\n';
}
