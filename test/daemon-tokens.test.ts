/**
 * Issue 17: every catalog request of every berth daemon carries the daemon's token. Each daemon
 * (`berth scheduler`, `dns`, `router`, `console`, `registrator`, its own process) is given its
 * token as CONSUL_HTTP_TOKEN in its environment, as `berth dev` does, and reaches an ACL
 * catalog (default deny) through its own recording proxy, which notes the `X-Consul-Token` and
 * the answer of each request: blocking watches, KV, sessions, transactions, the agent API and
 * the checks registered with a service. A request without the token would be filtered (lists)
 * or refused, silently for a list: this names the path that dropped it. The registrator part
 * needs Docker; the rest runs anywhere.
 */
import t from 'tap';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
  request,
} from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { CatalogAcl } from '../packages/cli/src/dev/catalog-acl.js';
import { BERTH } from './helpers/berth-dev.js';
import {
  TEST_IMAGE,
  TEST_LABEL,
  newRunId,
  removeTestContainers,
  requireDocker,
} from './helpers/docker.js';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
  status?: number;
}

/** A proxy to `target` that records every request's token and answer. */
async function recordingProxy(
  t: { teardown(fn: () => unknown): void },
  target: string,
): Promise<{ url: string; seen: Seen[] }> {
  const to = new URL(target);
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['x-consul-token'];
    const entry: Seen = {
      method: req.method ?? '',
      path: req.url ?? '',
      token: Array.isArray(header) ? header[0] : header,
    };
    seen.push(entry);
    const up = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** `berth <args>` with `token` in its environment; stopped (SIGTERM, then SIGKILL) at teardown. */
function daemon(
  t: { teardown(fn: () => unknown): void },
  args: readonly string[],
  token: string,
): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_TOKEN: token };
  const child = spawn(process.execPath, [BERTH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  return { child, output: () => out.slice(-2000) };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const MGMT = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

t.test('every catalog call of every daemon carries its own token', async (t) => {
  const catalog = await startCatalog({
    listen: '127.0.0.1:0',
    node: 'node1',
    aclEnabled: true,
    aclDefaultPolicy: 'deny',
  });
  t.teardown(() => catalog.close());
  const labels = ['scheduler', 'dns', 'router', 'console', 'registrator'];
  const acl = new CatalogAcl({ url: catalog.url, managementSecret: MGMT, labels });
  await acl.ensure();
  const token = (label: string): string => acl.token(label)!.secretId;
  const mgmt = (method: string, path: string, body?: string) =>
    fetch(`${catalog.url}${path}`, {
      method,
      headers: { 'X-Consul-Token': MGMT },
      ...(body === undefined ? {} : { body }),
    }).then((r) => r.text());
  // Something for the watches to fetch: a service with a check, the router's manual routes.
  await mgmt(
    'PUT',
    '/v1/agent/service/register',
    JSON.stringify({ ID: 'web-1', Name: 'web', Port: 8080, Check: { TTL: '60s' } }),
  );
  await mgmt('PUT', '/v1/kv/fabio/config', 'route add manual /manual http://127.0.0.1:9/');

  const proxies = new Map<string, Awaited<ReturnType<typeof recordingProxy>>>();
  for (const l of labels) proxies.set(l, await recordingProxy(t, catalog.url));
  const via = (l: string): string => proxies.get(l)!.url;

  const schedulerPort = await freePort();
  const scheduler = daemon(
    t,
    ['scheduler', '--consul', via('scheduler'), '--listen', `127.0.0.1:${schedulerPort}`],
    token('scheduler'),
  );
  const dnsAdmin = await freePort();
  const dns = daemon(
    t,
    [
      'dns',
      '--consul',
      via('dns'),
      '--listen',
      `127.0.0.1:${await freePort()}`,
      '--admin',
      `127.0.0.1:${dnsAdmin}`,
    ],
    token('dns'),
  );
  const routerAdmin = await freePort();
  const router = daemon(
    t,
    [
      'router',
      '--consul',
      via('router'),
      '--proxy',
      `127.0.0.1:${await freePort()}`,
      '--admin',
      `127.0.0.1:${routerAdmin}`,
    ],
    token('router'),
  );
  const consolePort = await freePort();
  const consoleD = daemon(
    t,
    [
      'console',
      '--consul',
      via('console'),
      '--scheduler',
      `http://127.0.0.1:${schedulerPort}`,
      '--listen',
      `127.0.0.1:${consolePort}`,
      '--router-port',
      '0',
      '--dns',
      '',
    ],
    token('console'),
  );
  const ready: [string, string, () => string][] = [
    ['scheduler', `http://127.0.0.1:${schedulerPort}/health`, scheduler.output],
    ['dns', `http://127.0.0.1:${dnsAdmin}/health`, dns.output],
    ['router', `http://127.0.0.1:${routerAdmin}/health`, router.output],
    ['console', `http://127.0.0.1:${consolePort}/health`, consoleD.output],
  ];
  for (const [label, url, output] of ready) {
    await eventually(`${label} is healthy: ${output()}`, () => healthy(url), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
  }
  // The dns and the console saw the service, the router its manual route: their watches ran.
  await eventually(
    'the router read its manual routes',
    async () => {
      const res = await fetch(`http://127.0.0.1:${routerAdmin}/api/manual`);
      return ((await res.json()) as { text: string }).text.includes('/manual');
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  for (const l of ['dns', 'console']) {
    await eventually(
      `${l} fetched the service's node`,
      () => proxies.get(l)!.seen.some((s) => s.path.startsWith('/v1/catalog/node/node1')),
      { timeoutMs: 30_000, intervalMs: 200 },
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}: ${proxies
          .get(l)!
          .seen.map((s) => s.path)
          .join(' ')}`,
      );
    });
  }
  // A write, so the scheduler's transactions run too.
  const ecs = await fetch(`http://127.0.0.1:${schedulerPort}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster',
    },
    body: JSON.stringify({ clusterName: 'tokens' }),
  });
  t.equal(ecs.status, 200, `CreateCluster ${await ecs.text()}`);

  // The registrator (Docker): a container with a published port, a Docker health check
  // mirrored into a TTL check, registered with its checks.
  const docker = await requireDocker(t);
  if (docker) {
    const runId = newRunId();
    t.teardown(() => removeTestContainers(docker, runId));
    const registratorAdmin = await freePort();
    const registrator = daemon(
      t,
      [
        'registrator',
        '--consul',
        via('registrator'),
        '--ip',
        '127.0.0.1',
        '--hostname',
        `tokens-${runId}`,
        '--label-filter',
        `${TEST_LABEL}=${runId}`,
        '--admin',
        `127.0.0.1:${registratorAdmin}`,
        '--resync',
        '2s',
      ],
      token('registrator'),
    );
    await eventually(
      `registrator is healthy: ${registrator.output()}`,
      () => healthy(`http://127.0.0.1:${registratorAdmin}/health`),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const c = await docker.createContainer({
      Image: TEST_IMAGE,
      Labels: { [TEST_LABEL]: runId },
      Env: ['SERVICE_NAME=tokens', 'SERVICE_CHECK_HTTP=/health', 'SERVICE_CHECK_INTERVAL=1s'],
      ExposedPorts: { '8080/tcp': {} },
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'],
        Interval: 1e9,
        Timeout: 1e9,
        Retries: 3,
      },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    await c.start();
    await eventually(
      'the container is registered and its health mirrored',
      () =>
        proxies.get('registrator')!.seen.some((s) => s.path.startsWith('/v1/agent/check/update/')),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await c.remove({ force: true });
    await eventually(
      'and deregistered',
      () =>
        proxies
          .get('registrator')!
          .seen.some((s) => s.path.startsWith('/v1/agent/service/deregister/')),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  for (const [label, proxy] of proxies) {
    if (label === 'registrator' && !docker) continue;
    const kinds = [...new Set(proxy.seen.map((s) => `${s.method} ${s.path.split('?')[0]}`))];
    t.ok(proxy.seen.length > 0, `${label} made ${proxy.seen.length} calls: ${kinds.join(', ')}`);
    const without = proxy.seen.filter((s) => s.token !== token(label));
    t.same(
      without.map((s) => `${s.method} ${s.path}`),
      [],
      `every call of the ${label} carries its token`,
    );
    const refused = proxy.seen.filter((s) => s.status === 403);
    t.same(
      refused.map((s) => `${s.method} ${s.path}`),
      [],
      `no call of the ${label} was refused`,
    );
  }
  const scheduled = proxies.get('scheduler')!.seen.map((s) => s.path);
  t.ok(
    scheduled.some((p) => p.startsWith('/v1/session/create')),
    'scheduler: a session',
  );
  t.ok(
    scheduled.some((p) => p.startsWith('/v1/txn')),
    'scheduler: a transaction',
  );
  t.ok(
    scheduled.some((p) => /[?&]acquire=/.test(p)),
    'scheduler: the lock acquired',
  );
  t.ok(
    scheduled.some((p) => /[?&]index=/.test(p)),
    'scheduler: a blocking read (the leader key)',
  );
  const dnsPaths = proxies.get('dns')!.seen.map((s) => s.path);
  t.ok(
    dnsPaths.some((p) => p.startsWith('/v1/health/state/any') && /[?&]index=/.test(p)),
    'dns: a blocking watch',
  );
  if (docker) {
    const reg = proxies.get('registrator')!.seen.map((s) => s.path);
    t.ok(
      reg.some((p) => p.startsWith('/v1/agent/service/register')),
      'registrator: register',
    );
    t.ok(
      reg.some((p) => p.startsWith('/v1/agent/checks')),
      'registrator: lists checks',
    );
  }
});
