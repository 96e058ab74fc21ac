// Registrator latency benchmark (issue 4): for N short-lived containers of the test image,
// one after the other, the time from Docker's `start` event (its own timestamp) to the service
// being registered in the berth catalog, and from `die` to deregistered. p50 / p90 / p99 / max.
//
// Everything runs on this machine: an in-process catalog on 127.0.0.1:0, the registrator
// in-process (startRegistrator on the real Docker engine), containers labelled
// berth.bench=<run id> (only those are registered, and only those are removed). Bounded in
// count (--containers) and time (--max-seconds). Writes bench/results/registrator-<date>.{json,md}
// with the commit and the machine, side by side with the previous report.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { commit, machine, summarize as summary } from '../lib/report.mjs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { startCatalog } from '@berth/catalog';
import { startRegistrator } from '@berth/registrator';

const { values: flags } = parseArgs({
  options: {
    containers: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    'max-seconds': { type: 'string', default: '300' },
    out: { type: 'string', default: 'bench/results' },
    quick: { type: 'boolean', default: false },
  },
});
const N = flags.quick ? 10 : Number(flags.containers);
const WARMUP = Number(flags.warmup);
const DEADLINE = Date.now() + Number(flags['max-seconds']) * 1000;
const IMAGE = 'berth/busybox:test';
const LABEL = 'berth.bench';
const runId = `${process.pid}-${Date.now().toString(36)}`;
const now = () => performance.timeOrigin + performance.now();

const docker = new Docker();
await docker
  .getImage(IMAGE)
  .inspect()
  .catch(() => {
    console.error(`image ${IMAGE} is missing: bash scripts/build-test-images`);
    process.exit(2);
  });
const dockerVersion = (await docker.version()).Version;

const catalog = await startCatalog({ listen: '127.0.0.1:0' });
const running = await startRegistrator({
  consul: catalog.url,
  ip: '127.0.0.1',
  hostname: `bench-${runId}`,
  labelFilter: [`${LABEL}=${runId}`],
  resync: 0,
  consulProbe: 0,
});
const reg = running.registrator;
await running.synced;

const waiters = new Map(); // `${kind}:${containerId}` -> resolve
for (const kind of ['register', 'deregister']) {
  reg.on(kind, (e) => {
    const at = now();
    const w = waiters.get(`${kind}:${e.containerId}`);
    if (w) {
      waiters.delete(`${kind}:${e.containerId}`);
      w({ at, eventTime: e.eventTime, id: e.id });
    }
  });
}
function waitFor(kind, id, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(`${kind}:${id}`);
      reject(new Error(`${kind} of ${id.slice(0, 12)} not seen within ${ms} ms`));
    }, ms);
    waiters.set(`${kind}:${id}`, (v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

async function cleanup() {
  const mine = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL}=${runId}`] },
  });
  for (const c of mine) {
    if (c.Labels?.[LABEL] !== runId) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
}

const startLat = [];
const dieLat = [];
let done = 0;
let error;
try {
  for (let i = 0; i < N + WARMUP; i++) {
    if (Date.now() > DEADLINE) {
      error = `stopped at the ${flags['max-seconds']} s bound after ${done} containers`;
      break;
    }
    const c = await docker.createContainer({
      Image: IMAGE,
      name: `bench-${runId}-${i}`,
      Labels: { [LABEL]: runId },
      Env: ['SERVICE_NAME=bench'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    const registered = waitFor('register', c.id);
    await c.start();
    const r = await registered;
    const deregistered = waitFor('deregister', c.id);
    await c.kill();
    const d = await deregistered;
    await c.remove({ force: true });
    if (i >= WARMUP) {
      startLat.push(r.at - r.eventTime);
      dieLat.push(d.at - d.eventTime);
      done++;
    }
    if (done > 0 && done % 10 === 0) process.stderr.write(`[bench/registrator] ${done}/${N}\n`);
  }
} catch (e) {
  error = String(e);
} finally {
  await cleanup();
  await running.close();
  await catalog.close();
}

const result = {
  kind: 'registrator',
  date: new Date().toISOString(),
  commit: commit(),
  machine: { ...machine(), docker: dockerVersion },
  params: { containers: N, warmup: WARMUP, quick: flags.quick },
  startToRegisteredMs: summary(startLat),
  dieToDeregisteredMs: summary(dieLat),
  ...(error ? { error } : {}),
};

mkdirSync(flags.out, { recursive: true });
const previous = readdirSync(flags.out)
  .filter((f) => /^registrator-.*\.json$/.test(f) && f.endsWith('-quick.json') === flags.quick)
  .sort()
  .pop();
const prev = previous ? JSON.parse(readFileSync(join(flags.out, previous), 'utf8')) : undefined;
const stamp = result.date.replace(/[:.]/g, '-');
const base = join(flags.out, `registrator-${stamp}${flags.quick ? '-quick' : ''}`);
writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n');

const row = (label, s, p) =>
  `| ${label} | ${s.n} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |` +
  (p ? ` ${p.p50} | ${p.p99} |` : ' | |');
const md = [
  `# registrator latency ${result.date}`,
  '',
  `commit ${result.commit}; ${result.machine.nproc} × ${result.machine.cpu}, ` +
    `${result.machine.memGiB} GiB, Linux ${result.machine.kernel}, Node ${result.machine.node}, ` +
    `Docker ${result.machine.docker}, load ${result.machine.loadavg.join(' ')}`,
  '',
  `${N} containers of ${IMAGE} one after the other (after ${WARMUP} warm-up), in-process registrator and catalog. ` +
    'Latency from the Docker event timestamp to the Consul write acknowledged, in ms. Target: p99 < 50 ms.',
  '',
  `| path | n | p50 | p90 | p99 | max | previous p50 | previous p99 |`,
  `|---|---|---|---|---|---|---|---|`,
  row('start → registered', result.startToRegisteredMs, prev?.startToRegisteredMs),
  row('die → deregistered', result.dieToDeregisteredMs, prev?.dieToDeregisteredMs),
  '',
  prev ? `previous: ${previous} (commit ${prev.commit})` : 'previous: none',
  ...(error ? ['', `**error:** ${error}`] : []),
  '',
].join('\n');
writeFileSync(`${base}.md`, md);
process.stdout.write(md);
process.exit(error ? 1 : 0);
