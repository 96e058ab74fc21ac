// Table update latency for bench/router/run.mjs: a real berth catalog, a berth router watching
// it, and N register/deregister rounds; each sample is the time from the catalog write's
// start to the first request that sees the change. Prints JSON {samples, p50, p99, max}.
import http from 'node:http';
import { startCatalog } from '@berth/catalog';
import { startRouter } from '@berth/router';
import Consul from 'consul';
import { performance } from 'node:perf_hooks';

const rounds = Number(process.argv[2] ?? 50);
const backend = http.createServer((req, res) => res.end('ok'));
await new Promise((r) => backend.listen(0, '127.0.0.1', r));
const catalog = await startCatalog({ listen: '127.0.0.1:0' });
const router = await startRouter({
  consul: catalog.url,
  proxy: { host: '127.0.0.1', port: 0 },
  admin: null,
  kvPath: '',
});
const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const status = (path) =>
  new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port: router.proxyAddress.port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', () => resolve(0));
  });
async function waitFor(path, want, t0) {
  for (;;) {
    if ((await status(path)) === want) return performance.now() - t0;
    if (performance.now() - t0 > 5000) return Infinity;
  }
}
const samples = [];
for (let i = 0; i < rounds; i++) {
  const path = `/svc${i}`;
  let t0 = performance.now();
  await consul.agent.service.register({
    name: `svc${i}`,
    id: `svc${i}`,
    address: '127.0.0.1',
    port: backend.address().port,
    tags: [`urlprefix-${path}`],
  });
  samples.push(await waitFor(path, 200, t0));
  t0 = performance.now();
  await consul.agent.service.deregister(`svc${i}`);
  samples.push(await waitFor(path, 404, t0));
}
samples.sort((a, b) => a - b);
const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
process.stdout.write(
  JSON.stringify({ samples: samples.length, p50: q(0.5), p99: q(0.99), max: samples.at(-1) }) +
    '\n',
);
agent.destroy();
await router.close();
await catalog.close();
backend.close();
