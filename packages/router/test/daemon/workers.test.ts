import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Consul from 'consul';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { startBackend, request, deadPort } from '../helpers.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const MAIN = fileURLToPath(new URL('../../dist/daemon/main.js', import.meta.url));

t.test(
  '--workers 2: two processes share the proxy port; the primary aggregates admin',
  async (t) => {
    const catalog = await startCatalog({ listen: '127.0.0.1:0' });
    const web = await startBackend('web');
    // --scheduler: the primary reports what both workers counted
    const reports: { instances: { instanceId: string; requests: number }[] }[] = [];
    const sched = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        reports.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => sched.listen(0, '127.0.0.1', () => r()));
    const reported = () => reports.flatMap((r) => r.instances).reduce((n, i) => n + i.requests, 0);
    t.teardown(async () => {
      sched.closeAllConnections();
      await new Promise<void>((r) => sched.close(() => r()));
      await web.close();
      await catalog.close();
    });
    const consul = new Consul({ host: '127.0.0.1', port: catalog.address.port });
    await consul.agent.service.register({
      id: 'web-1',
      meta: { 'berth-container': 'c1' },
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
        '--scheduler',
        `http://127.0.0.1:${(sched.address() as AddressInfo).port}`,
        '--report-interval',
        '200ms',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDW', AWS_SECRET_ACCESS_KEY: 'secret' },
      },
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
    const sent = served.reduce((n, m) => n + Number(m[1]), 0);
    t.match(
      metrics,
      new RegExp(`berth_router_instance_requests_total\\{[^}]*instance="web-1"[^}]*\\} ${sent}`),
    );
    await eventually("the primary reported both workers' counts", () => reported() === sent, {
      timeoutMs: 10_000,
    });
    t.ok(
      reports.every((r) => r.instances.filter((i) => i.instanceId === 'web-1').length <= 1),
      'one entry per instance, summed over the workers',
    );
    t.match((await request(admin, '/api/routes?format=text')).body, /^route add web \//);
    child.kill('SIGTERM');
    t.equal(await exited, 0, 'the primary stops its workers and exits cleanly');
    t.match(log, /router workers started/);
  },
);
