// Issue 15: a scheduler after catalog faults. (1) A catalog SIGKILLed and restarted with its
// data dir: while unsure the scheduler answers errors, never an empty success, and it ends
// its own stale leader session (restored by the catalog) instead of following it for 2×TTL.
// (2) A dropped connection during a fenced write ends the term (the view reloads from KV) but
// not the leadership: no step-down, the lock stays held.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { startScheduler, type RunningScheduler } from '../src/index.js';
import { SimulatedAgent } from '../src/testing/index.js';
import { EcsJsonClient } from '../src/client/ecs-json-client.js';
import { CREDS, webTaskDef, writeCredentials } from './fixtures.js';

const BERTH = fileURLToPath(new URL('../../cli/bin/berth.js', import.meta.url));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

t.test(
  'catalog SIGKILL and restart: errors while unsure, the stale own session ended',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cf-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const credentials = await writeCredentials(dir);
    const port = await freePort();
    const consul = `http://127.0.0.1:${port}`;
    let catalog: ChildProcess | undefined;
    const startCatalogChild = async (): Promise<void> => {
      catalog = spawn(
        process.execPath,
        [BERTH, 'catalog', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'catalog')],
        { stdio: 'ignore' },
      );
      await eventually(
        'the catalog answers',
        async () => (await fetch(`${consul}/v1/status/leader`)).ok,
        {
          timeoutMs: 15_000,
        },
      );
    };
    t.teardown(() => void catalog?.kill('SIGKILL'));
    await startCatalogChild();
    const warnings: string[] = [];
    const s: RunningScheduler = await startScheduler({
      consul,
      listen: '127.0.0.1:0',
      credentials,
      onEvent: (e, d) => {
        if (e === 'warn') warnings.push(String(d['message']));
      },
    });
    t.teardown(() => s.close());
    await eventually('leading', () => s.replica.isLeader, { timeoutMs: 20_000 });
    const c = new EcsJsonClient({ endpoint: s.url, credentials: CREDS });
    t.teardown(() => c.close());
    await c.ecs('CreateCluster', { clusterName: 'cf' });
    await c.ecs('RegisterTaskDefinition', webTaskDef('cf'));
    const agent = new SimulatedAgent({
      endpoint: s.url,
      credentials: CREDS,
      cluster: 'cf',
      instanceId: 'i-cf',
      waitSeconds: 2,
    });
    await agent.register();
    agent.start();
    t.teardown(() => agent.stop());
    await c.ecs('RunTask', { cluster: 'cf', taskDefinition: 'cf', count: 3 });
    const list = async (): Promise<number> =>
      (await c.ecs<{ taskArns: string[] }>('ListTasks', { cluster: 'cf' })).taskArns.length;
    await eventually('3 tasks listed', async () => (await list()) === 3);

    // Read all along: an answer is 3 tasks or an error, never fewer with success.
    const answers: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        answers.push(await list().then(String, () => 'error'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    catalog!.kill('SIGKILL');
    await new Promise((r) => catalog!.once('exit', r));
    await eventually('the term ended', () => !s.replica.isLeader, { timeoutMs: 15_000 });
    await startCatalogChild();
    await eventually('leading again', () => s.replica.isLeader, { timeoutMs: 30_000 });
    await eventually('reads answer again', async () => (await list()) === 3, { timeoutMs: 15_000 });
    reading = false;
    await reader;
    t.same(
      [...new Set(answers)].filter((a) => a !== '3' && a !== 'error'),
      [],
      `never an empty or short success (${answers.filter((a) => a === 'error').length} errors)`,
    );
    t.ok(
      warnings.some((w) => /ending this replica's stale leader session/.test(w)),
      'the session the restarted catalog restored was ended, not waited out',
    );
  },
);

t.test('a dropped connection during a write ends the term, not the leadership', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
  t.teardown(() => catalog.close());
  const target = new URL(catalog.url);
  // A proxy that cuts the connection of the next transaction (a dropped connection).
  let dropNextTxn = false;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (dropNextTxn && chunk.toString('latin1').startsWith('PUT /v1/txn')) {
        dropNextTxn = false;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    proxy.close();
  });
  const dir = await mkdtemp(join(tmpdir(), 'berth-cf-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const events: string[] = [];
  const s = await startScheduler({
    consul: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    listen: '127.0.0.1:0',
    credentials: await writeCredentials(dir),
    onEvent: (e, d) => events.push(`${e} ${String(d['message'] ?? d['reason'] ?? '')}`),
  });
  t.teardown(() => s.close());
  await eventually('leading', () => s.replica.isLeader, { timeoutMs: 10_000 });
  const c = new EcsJsonClient({ endpoint: s.url, credentials: CREDS });
  t.teardown(() => c.close());
  await c.ecs('CreateCluster', { clusterName: 'drop' });
  dropNextTxn = true;
  const failed = await c.ecs('RegisterTaskDefinition', webTaskDef('drop')).then(
    () => false,
    () => true,
  );
  t.ok(failed, 'the write whose connection dropped failed');
  await eventually('leading again', () => s.replica.isLeader, { timeoutMs: 10_000 });
  t.same(
    events.filter((e) => e.startsWith('steppedDown')),
    [],
    'it never stepped down',
  );
  t.ok(
    events.some((e) => /leader term ended .*reloading from KV/.test(e)),
    'the term ended and the view was reloaded',
  );
  const td = await c.ecs<{ taskDefinition: { revision: number } }>(
    'RegisterTaskDefinition',
    webTaskDef('drop'),
  );
  t.ok(td.taskDefinition.revision >= 1, 'writes work again');
});

t.test('a replica restarted at its URL ends its earlier process session at once', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
  t.teardown(() => catalog.close());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // What a SIGKILLed replica at this URL leaves: the leader key held by its live session.
  const created = (await (
    await fetch(`${catalog.url}/v1/session/create`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'old process', TTL: '60s', LockDelay: '0s' }),
    })
  ).json()) as { ID: string };
  const acquired = await fetch(
    `${catalog.url}/v1/kv/berth/scheduler/leader?acquire=${created.ID}`,
    {
      method: 'PUT',
      body: url,
    },
  );
  t.equal(await acquired.text(), 'true', 'the old process held the lock');
  const dir = await mkdtemp(join(tmpdir(), 'berth-cf-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const s = await startScheduler({
    consul: catalog.url,
    listen: `127.0.0.1:${port}`,
    credentials: await writeCredentials(dir),
    onEvent: (e, d) => {
      if (e === 'warn') warnings.push(String(d['message']));
    },
  });
  t.teardown(() => s.close());
  // Well within the old session's 60 s TTL.
  await eventually('leading', () => s.replica.isLeader, { timeoutMs: 15_000 });
  t.ok(
    warnings.some((w) => w.includes(`ending this replica's stale leader session ${created.ID}`)),
    'it ended the earlier process session instead of waiting out its TTL',
  );
});

t.test('a follower waits for the next leader instead of relaying "no leader"', async (t) => {
  const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
  t.teardown(() => catalog.close());
  // A replica the key still names but that does not lead (an ex-leader just restarted).
  let forwarded = 0;
  const http = createHttpServer((req, res) => {
    if (req.url !== '/health') forwarded++;
    res.writeHead(req.url === '/health' ? 200 : 503, {
      'content-type': 'application/x-amz-json-1.1',
      'x-berth-no-leader': '1',
    });
    res.end('{"__type":"ServerException","message":"No scheduler leader is available; retry."}');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.teardown(() => http.close());
  const exUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const session = (await (
    await fetch(`${catalog.url}/v1/session/create`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'ex-leader', TTL: '60s', LockDelay: '0s' }),
    })
  ).json()) as { ID: string };
  await fetch(`${catalog.url}/v1/kv/berth/scheduler/leader?acquire=${session.ID}`, {
    method: 'PUT',
    body: exUrl,
  });
  const dir = await mkdtemp(join(tmpdir(), 'berth-cf-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = await startScheduler({
    consul: catalog.url,
    listen: '127.0.0.1:0',
    credentials: await writeCredentials(dir),
  });
  t.teardown(() => s.close());
  await eventually('following the ex-leader', () => s.replica.leaderUrl === exUrl);
  const c = new EcsJsonClient({ endpoint: s.url, credentials: CREDS });
  t.teardown(() => c.close());
  const call = c.ecs<{ clusterArns: string[] }>('ListClusters', {});
  await eventually('the request reached the ex-leader', () => forwarded > 0);
  // The ex-leader's session ends: this replica leads and answers the waiting request.
  await fetch(`${catalog.url}/v1/session/destroy/${session.ID}`, { method: 'PUT' });
  const out = await call;
  t.ok(Array.isArray(out.clusterArns), 'answered by the next leader');
  t.ok(s.replica.isLeader, 'which is this replica');
});
