/**
 * The console's server without a browser, against a real scheduler and catalog in-process:
 * sign-in judged by the scheduler (a wrong secret refused, nothing secret answered), the session
 * cookie's flags, every API refused without a session, actions refused without the CSRF token
 * or from another site, an action performed and logged, a refused task definition answered with
 * the field, the live feed relaying the scheduler's events, and idle sessions ending.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { startCatalog } from '@berth/catalog';
import { adminHandler, createRegistry, Health } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { startScheduler } from '@berth/scheduler';
import { SimulatedAgent } from '@berth/scheduler/testing';
import { startConsole } from '../src/daemon/start.js';

const KEYS = {
  accessKeyId: 'AKIDCONSOLETEST01',
  secretAccessKey: 'console/test/secret+key000000001',
};

const dir = await mkdtemp(join(tmpdir(), 'berth-console-'));
const credentials = join(dir, 'credentials');
await writeFile(
  credentials,
  `[default]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`,
);
const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
const scheduler = await startScheduler({ consul: catalog.url, listen: '127.0.0.1:0', credentials });
const web = join(dir, 'web');
const health = new Health();
const running = await startConsole({
  scheduler: scheduler.url,
  region: 'us-east-1',
  consul: catalog.url,
  listen: { host: '127.0.0.1', port: 0 },
  agentPort: 1,
  routerPort: 0,
  routers: [],
  dns: '',
  domain: 'consul',
  sessionIdleMs: 1500,
  maxSessions: 10,
  sampleIntervalMs: 60_000,
  catalogWaitMs: 1000,
  secureCookies: false,
  webDir: web,
  admin: adminHandler({ health, registry: createRegistry('console', false) }),
});
t.teardown(async () => {
  await running.close();
  await scheduler.close();
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});
const base = running.url;

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { type: string; message: string; field?: string } } & Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  o: { body?: unknown; cookie?: string; csrf?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
      ...o.headers,
    },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Answer['body']) : {},
  };
}

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const r = await call('POST', '/api/session', { body: KEYS });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, csrf: String(r.body['csrfToken']) };
}

await eventually('the scheduler leads', () => scheduler.replica.isLeader, { timeoutMs: 10_000 });

t.test('sign-in is the scheduler’s decision; nothing secret comes back', async (t) => {
  const wrong = await call('POST', '/api/session', {
    body: { ...KEYS, secretAccessKey: 'wrong-secret-key' },
  });
  t.equal(wrong.status, 401);
  t.equal(wrong.body.error?.type, 'InvalidSignatureException');
  t.equal(wrong.headers.get('set-cookie'), null, 'no cookie for a refused sign-in');
  const unknown = await call('POST', '/api/session', {
    body: { accessKeyId: 'AKIDNOBODY0000', secretAccessKey: 'whatever-it-is' },
  });
  t.equal(unknown.status, 401);
  t.equal(unknown.body.error?.type, 'UnrecognizedClientException');
  const bad = await call('POST', '/api/session', {
    body: { accessKeyId: 'lower case', secretAccessKey: 'x' },
  });
  t.equal(bad.status, 400);
  t.equal(bad.body.error?.field, 'accessKeyId');
  const ok = await call('POST', '/api/session', { body: KEYS });
  t.equal(ok.status, 200);
  const cookie = ok.headers.get('set-cookie') ?? '';
  t.match(cookie, /^berth_console=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict$/);
  t.same(Object.keys(ok.body).sort(), ['accessKeyId', 'csrfToken', 'idleTimeoutMs', 'region']);
  t.notOk(JSON.stringify(ok.body).includes(KEYS.secretAccessKey), 'the secret is not answered');
  t.match(ok.headers.get('content-security-policy'), /default-src 'self'/);
});

t.test('without a session every API answers 401', async (t) => {
  for (const path of ['/api/session', '/api/clusters', '/api/c/default/overview', '/api/events']) {
    t.equal((await call('GET', path)).status, 401, path);
  }
  t.equal(
    (await call('GET', '/api/clusters', { cookie: 'berth_console=forged' })).status,
    401,
    'forged id',
  );
});

t.test('actions need the CSRF token and the same origin', async (t) => {
  const s = await signIn();
  const action = {
    action: {
      kind: 'register-task-definition',
      definition: {
        family: 'web',
        containerDefinitions: [{ name: 'web', image: 'x', memory: 16 }],
      },
    },
  };
  const noToken = await call('POST', '/api/actions', { cookie: s.cookie, body: action });
  t.equal(noToken.status, 403);
  t.equal(noToken.body.error?.type, 'CsrfRefused');
  const wrongToken = await call('POST', '/api/actions', {
    cookie: s.cookie,
    csrf: `${s.csrf}x`,
    body: action,
  });
  t.equal(wrongToken.status, 403);
  const crossSite = await call('POST', '/api/actions', {
    cookie: s.cookie,
    csrf: s.csrf,
    body: action,
    headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
  });
  t.equal(crossSite.status, 403);
  t.equal(crossSite.body.error?.type, 'CrossSiteRefused');
  const families = await call('GET', '/api/task-definitions', { cookie: s.cookie });
  t.same(families.body, [], 'nothing was registered by the refused requests');

  const done = await call('POST', '/api/actions', { cookie: s.cookie, csrf: s.csrf, body: action });
  t.equal(done.status, 200);
  t.match(done.body, { description: /family web/, result: 'registered web:1' });
  const refused = await call('POST', '/api/actions', {
    cookie: s.cookie,
    csrf: s.csrf,
    body: {
      action: {
        kind: 'register-task-definition',
        definition: {
          family: 'web',
          containerDefinitions: [{ name: 'web', image: 'x', memory: 2 }],
        },
      },
    },
  });
  t.equal(refused.status, 400);
  t.match(refused.body.error, {
    type: 'ClientException',
    message: /Invalid 'memory' setting for container 'web'/,
    field: 'containerDefinitions[0].memory',
  });
  const input = await call('POST', '/api/actions', {
    cookie: s.cookie,
    csrf: s.csrf,
    body: { action: { kind: 'scale', cluster: 'default', service: 'x', desiredCount: -1 } },
  });
  t.equal(input.status, 400);
  t.equal(input.body.error?.field, 'desiredCount');
  const detail = await call('GET', '/api/task-definitions/web:1', { cookie: s.cookie });
  t.match(detail.body, { family: 'web', revision: 1, editable: { family: 'web' } });
});

t.test('the live feed relays the scheduler’s events and the console’s actions', async (t) => {
  const s = await signIn();
  const ctl = new AbortController();
  t.teardown(() => ctl.abort());
  const res = await fetch(`${base}/api/events`, {
    headers: { cookie: s.cookie },
    signal: ctl.signal,
  });
  t.equal(res.status, 200);
  let text = '';
  const reader = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      text += decoder.decode(chunk, { stream: true });
  })().catch(() => undefined);
  await eventually(
    'the scheduler stream connected',
    () => text.includes('"scheduler":"connected"'),
    { timeoutMs: 10_000 },
  );
  await call('POST', '/api/actions', {
    cookie: s.cookie,
    csrf: s.csrf,
    body: {
      action: {
        kind: 'register-task-definition',
        definition: {
          family: 'live',
          containerDefinitions: [{ name: 'a', image: 'x', memory: 16 }],
        },
      },
    },
  });
  await eventually(
    'the action on the feed',
    () => /event: action\ndata: .*registered live:1/.test(text),
    { timeoutMs: 10_000 },
  );
  ctl.abort();
  await reader;
});

t.test('an idle session ends, however often the page refreshes by itself', async (t) => {
  const s = await signIn();
  t.equal((await call('GET', '/api/session', { cookie: s.cookie })).status, 200);
  // The page's own refreshes (live updates, the log tail) carry x-berth-auto and are no activity.
  await eventually(
    'the session expired',
    async () =>
      (await call('GET', '/api/clusters', { cookie: s.cookie, headers: { 'x-berth-auto': '1' } }))
        .status === 401 || undefined,
    { timeoutMs: 10_000, intervalMs: 200 },
  );
  t.pass('unused for longer than --session-idle: signed out');
  const out = await signIn();
  const del = await fetch(`${base}/api/session`, {
    method: 'DELETE',
    headers: { cookie: out.cookie, 'x-csrf-token': out.csrf },
  });
  t.equal(del.status, 204);
  t.match(del.headers.get('set-cookie'), /Max-Age=0/);
  t.equal((await call('GET', '/api/session', { cookie: out.cookie })).status, 401, 'signed out');
});

t.test('without a bundle the page says how to build it; /health answers', async (t) => {
  const page = await fetch(`${base}/c/default/services/x`);
  t.equal(page.status, 200);
  t.match(await page.text(), /npm run bundle -w @berth\/console/);
  t.equal((await fetch(`${base}/assets/nope.js`)).status, 404);
  t.equal((await fetch(`${base}/health`)).status, 503, 'the daemon sets /health; here nobody did');
});

t.test(
  'every action against a simulated host: run, force a deployment, drain, activate, stop',
  async (t) => {
    const s = await signIn();
    const agent = new SimulatedAgent({
      endpoint: scheduler.url,
      credentials: KEYS,
      cluster: 'default',
      instanceId: 'sim-1',
      attributes: { 'berth.host': 'sim1' },
      advertiseIp: '127.0.0.2',
      cpu: 2048,
      memory: 2048,
      waitSeconds: 1,
    });
    await agent.register();
    agent.start();
    t.teardown(() => agent.stop());
    const act = (action: Record<string, unknown>): Promise<Answer> =>
      call('POST', '/api/actions', { cookie: s.cookie, csrf: s.csrf, body: { action } });
    const get = async <T>(path: string): Promise<T> =>
      (await call('GET', `/api${path}`, { cookie: s.cookie })).body as unknown as T;
    t.equal(
      (
        await act({
          kind: 'register-task-definition',
          definition: {
            family: 'app',
            containerDefinitions: [{ name: 'app', image: 'x', memory: 32, cpu: 32 }],
          },
        })
      ).status,
      200,
    );
    const run = await act({
      kind: 'run-task',
      cluster: 'default',
      taskDefinition: 'app:1',
      count: 2,
    });
    t.equal(run.status, 200, 'run-task');
    t.match(run.body['result'], /^started \w+, \w+$/);
    await eventually('2 tasks running', async () => {
      const o = await get<{ tasks: Record<string, number> }>('/c/default/overview');
      return o.tasks['RUNNING'] === 2 || undefined;
    });
    const instances =
      await get<{ id: string; host: string; cpu: { used: number; total: number } }[]>(
        '/c/default/instances',
      );
    t.match(
      instances,
      [{ host: 'sim1', cpu: { used: 64, total: 2048 } }],
      'resources as used of total',
    );
    const id = instances[0]!.id;
    const drain = await act({
      kind: 'instance-state',
      cluster: 'default',
      instance: id,
      status: 'DRAINING',
    });
    t.equal(drain.status, 200, 'drain');
    t.match(await get(`/c/default/instances/${id}`), {
      row: { status: 'DRAINING', tone: 'warn' },
      attributes: [{ name: 'berth.advertise-ip' }],
    });
    t.equal(
      (await act({ kind: 'instance-state', cluster: 'default', instance: id, status: 'ACTIVE' }))
        .status,
      200,
      'activate',
    );
    const tasks = await get<{ id: string; lastStatus: string }[]>('/c/default/tasks');
    const stop = await act({ kind: 'stop-task', cluster: 'default', task: tasks[0]!.id });
    t.equal(stop.status, 200, 'stop-task');
    await eventually('the task stopped', async () => {
      const d = await get<{ row: { lastStatus: string; stopCode: string } }>(
        `/c/default/tasks/${tasks[0]!.id}`,
      );
      return d.row.lastStatus === 'STOPPED' || undefined;
    });
    const sdk = new ECSClient({ endpoint: scheduler.url, region: 'us-east-1', credentials: KEYS });
    t.teardown(() => sdk.destroy());
    await sdk.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'app',
        taskDefinition: 'app:1',
        desiredCount: 2,
      }),
    );
    await eventually('service app steady', async () => {
      const d = await get<{ row: { running: number } }>('/c/default/services/app');
      return d.row.running === 2 || undefined;
    });
    const force = await act({
      kind: 'update-service',
      cluster: 'default',
      service: 'app',
      forceNewDeployment: true,
    });
    t.equal(force.status, 200, 'force a new deployment');
    t.match(force.body['description'], /^Force a new deployment of service app/);
    await eventually(
      'the forced deployment completed',
      async () => {
        const d = await get<{
          deployments: { status: string }[];
          progress: { done: boolean; to: string };
        }>('/c/default/services/app');
        return (
          (d.progress.done && d.deployments.length === 1 && d.progress.to === 'app:1') || undefined
        );
      },
      { timeoutMs: 20_000 },
    );
    const missing = await act({
      kind: 'update-service',
      cluster: 'default',
      service: 'nope',
      forceNewDeployment: true,
    });
    t.equal(
      missing.status,
      400,
      'force a deployment of a service that does not exist: the API refusal',
    );
    t.match(missing.body.error, { type: /NotFound|NotActive|InvalidParameter/ });
    const overview = await get<{ events: { source: string; message: string; tone: string }[] }>(
      '/c/default/overview',
    );
    t.ok(
      overview.events.some(
        (e) => e.source === 'console' && e.tone === 'bad' && /Refused/.test(e.message),
      ),
      'a refused action is in the events too',
    );
    t.ok(
      overview.events.some(
        (e) => e.source === 'console' && /Drain container instance/.test(e.message),
      ),
    );
  },
);
