import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Consul from 'consul';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { startBackend, request, deadPort } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/daemon/main.js', import.meta.url));

t.test(
  '--workers 2: two processes share the proxy port; the primary aggregates admin',
  async (t) => {
    const catalog = await startCatalog({ listen: '127.0.0.1:0' });
    const web = await startBackend('web');
    t.teardown(async () => {
      await web.close();
      await catalog.close();
    });
    const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
    await consul.agent.service.register({
      name: 'web',
      port: web.port,
      address: '127.0.0.1',
      tags: ['urlprefix-/'],
    });
    const proxy = await deadPort();
    const admin = await deadPort();
    const child = spawn(
      'node',
      [
        MAIN,
        '--workers',
        '2',
        '--consul',
        catalog.url,
        '--proxy',
        `127.0.0.1:${proxy}`,
        '--admin',
        `127.0.0.1:${admin}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    t.teardown(() => {
      child.kill('SIGKILL');
    });
    await eventually(
      'both workers healthy',
      async () => (await request(admin, '/health')).status === 200,
      {
        timeoutMs: 20_000,
      },
    );
    t.match(JSON.parse((await request(admin, '/health')).body), {
      details: { workers: ['ok', 'ok'] },
    });
    // fresh connections are spread over the workers; request ids carry a per-process prefix
    const prefixes = new Set<string>();
    await eventually(
      'requests answered by both workers',
      async () => {
        const res = await request(proxy, '/');
        const id = JSON.parse(res.body).headers['x-request-id'] as string;
        prefixes.add(id.slice(0, 24));
        return prefixes.size === 2;
      },
      { timeoutMs: 10_000, intervalMs: 1 },
    );
    const metrics = (await request(admin, '/metrics')).body;
    const served = [
      ...metrics.matchAll(/berth_router_requests_total\{[^}]*status="200"[^}]*\} (\d+)/g),
    ];
    t.ok(served.length >= 1, 'request counters aggregated');
    t.match((await request(admin, '/api/routes?format=text')).body, /^route add web \//);
    child.kill('SIGTERM');
    t.equal(await exited, 0, 'the primary stops its workers and exits cleanly');
    t.match(log, /router workers started/);
  },
);
