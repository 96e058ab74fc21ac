/**
 * Issue 17 point 2 end to end: `berth dev --demo --data-dir DIR` runs the catalog with ACLs on
 * (default deny), bootstraps it, and hands every daemon its own least-privilege token in its
 * environment. The anonymous token is refused or filtered; each daemon's token does its job and
 * nothing more; the daemons' own calls are never refused (the catalog's 403 counter stays at 0
 * for them), through a scale-in (the scheduler drains through its token), a daemon killed and
 * restarted (same token), the catalog restarted on its data dir (tokens durable) and `berth dev`
 * itself restarted (bootstrap already done: read back). No secret is on any command line or in
 * dev.json.
 */
import t from 'tap';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { eventually } from '@berth/daemon/testing';
import { requireDocker } from './helpers/docker.js';
import { type RunningDev, startDev } from './helpers/berth-dev.js';
import { ecsFor, srv } from './helpers/e2e.js';

// The catalog is the one that checks tokens; the agent and the registry never call it.
const NO_TOKEN = new Set(['catalog', 'agent', 'registry']);

/** The NUL-separated entries of /proc/<pid>/<file>. */
async function proc(pid: number, file: 'environ' | 'cmdline'): Promise<string[]> {
  return (await readFile(`/proc/${pid}/${file}`, 'utf8')).split('\0').filter(Boolean);
}

/** Every daemon's CONSUL_HTTP_TOKEN (undefined when it has none), read from its environment. */
async function daemonTokens(dev: RunningDev): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const d of await dev.daemons()) {
    const env = await proc(d.pid!, 'environ');
    const entry = env.find((e) => e.startsWith('CONSUL_HTTP_TOKEN='));
    out.set(d.label, entry?.slice('CONSUL_HTTP_TOKEN='.length));
  }
  return out;
}

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

async function call(
  dev: RunningDev,
  token: string | undefined,
  method: string,
  path: string,
  body?: string,
): Promise<Answer> {
  const res = await fetch(`${dev.info.catalog}${path}`, {
    method,
    headers: token ? { 'X-Consul-Token': token } : {},
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** How often `METHOD route` answered `code` (the catalog's request counter). */
async function answered(dev: RunningDev, method: string, route: string, code = 200) {
  const text = await (
    await fetch(`${dev.info.catalog}/metrics`, { signal: AbortSignal.timeout(10_000) })
  ).text();
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(
        `berth_catalog_http_requests_total{route="${route}",method="${method}",code="${code}"`,
      ),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const entries = (a: Answer): number =>
  a.status === 200 ? Object.keys(a.json as object).length : -1;

t.test('berth dev with ACLs on: each daemon its own least-privilege token', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const home = await mkdtemp(join(tmpdir(), 'berth-home-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-data-'));
  t.teardown(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });
  const offset = 10_000 + Math.floor(Math.random() * 12_000);
  // Tokens of the shell (the user's own Consul, a daemon's option) must reach no daemon.
  const shell = {
    CONSUL_HTTP_TOKEN: 'the-users-own-consul',
    BERTH_DNS_CONSUL_TOKEN: 'from-the-shell',
  };
  const dev = await startDev(t, ['--demo', '--data-dir', dataDir], {
    home,
    offset,
    timeoutMs: 150_000,
    env: shell,
  });
  t.match(dev.output(), /all 3 containers routable/, 'the demo works with ACLs on');
  t.same(await dev.refusedCalls(), new Map(), 'no daemon call was refused during the demo');

  // The management secret: in a 0600 file beside the data, named (not held) by dev.json.
  t.equal(dev.info.catalogTokenFile, join(dataDir, 'catalog-token'));
  t.equal((await stat(dev.info.catalogTokenFile!)).mode & 0o777, 0o600, 'token file is 0600');
  const mgmt = dev.catalogToken;
  t.match(mgmt, /^[0-9a-f-]{36}$/);

  // Each daemon its own token, in its environment and never on its command line.
  const tokens = await daemonTokens(dev);
  for (const [label, token] of tokens) {
    if (NO_TOKEN.has(label)) t.equal(token, undefined, `${label} has no catalog token`);
    else t.ok(token, `${label} has its own CONSUL_HTTP_TOKEN`);
  }
  const given = [...tokens.values()].filter((x): x is string => x !== undefined);
  t.notOk(given.includes(shell.CONSUL_HTTP_TOKEN), 'the shell’s CONSUL_HTTP_TOKEN reached none');
  const dnsPid = (await dev.daemons()).find((d) => d.label === 'dns')!.pid!;
  t.notOk(
    (await proc(dnsPid, 'environ')).some((e) => e.startsWith('BERTH_DNS_CONSUL_TOKEN=')),
    'nor a daemon token option of the shell',
  );
  t.equal(given.length, 5, 'scheduler, registrator, dns, router and console');
  t.equal(new Set([...given, mgmt]).size, 6, 'all different, none the management token');
  const secrets = [mgmt, ...given];
  const texts: [string, string][] = [
    ['dev.json', await readFile(join(home, 'dev.json'), 'utf8')],
    ['berth dev argv', (await proc(dev.child.pid!, 'cmdline')).join(' ')],
    ['berth dev output', dev.output()],
  ];
  for (const d of await dev.daemons()) {
    texts.push([`${d.label} argv`, (await proc(d.pid!, 'cmdline')).join(' ')]);
  }
  for (const [what, text] of texts) {
    t.notOk(
      secrets.some((s) => text.includes(s)),
      `no secret in ${what}`,
    );
  }
  const tok = (label: string): string => tokens.get(label)!;

  // Anonymous: lists filtered to nothing, the rest refused.
  t.equal(
    entries(await call(dev, undefined, 'GET', '/v1/catalog/services')),
    0,
    'anonymous sees no service',
  );
  t.equal(entries(await call(dev, undefined, 'GET', '/v1/health/service/hello')), 0);
  t.equal((await call(dev, undefined, 'GET', '/v1/kv/berth/scheduler/leader')).status, 403);
  t.equal((await call(dev, undefined, 'PUT', '/v1/kv/probe', 'x')).status, 403);
  t.equal(
    entries(await call(dev, mgmt, 'GET', '/v1/health/service/hello')),
    3,
    'management sees all',
  );

  // Each token: its job, and not the others'.
  t.equal(entries(await call(dev, tok('dns'), 'GET', '/v1/health/service/hello')), 3, 'dns reads');
  t.equal(
    (await call(dev, tok('dns'), 'PUT', '/v1/kv/probe', 'x')).status,
    403,
    'dns cannot write KV',
  );
  t.equal(entries(await call(dev, tok('registrator'), 'GET', '/v1/agent/services')), 3);
  t.equal(
    (await call(dev, tok('registrator'), 'GET', '/v1/kv/berth/scheduler/leader')).status,
    403,
    'the registrator cannot read the scheduler’s KV',
  );
  t.equal((await call(dev, tok('registrator'), 'PUT', '/v1/session/create', '{}')).status, 403);
  t.equal((await call(dev, tok('scheduler'), 'GET', '/v1/kv/berth/scheduler/leader')).status, 200);
  t.equal((await call(dev, tok('scheduler'), 'PUT', '/v1/kv/fabio/config', 'x')).status, 403);
  t.equal((await call(dev, tok('scheduler'), 'GET', '/v1/acl/tokens')).status, 403);
  t.equal(entries(await call(dev, tok('console'), 'GET', '/v1/health/service/hello')), 3);
  const probe = JSON.stringify({ ID: 'probe', Name: 'probe', Port: 1 });
  t.equal(
    (await call(dev, tok('console'), 'PUT', '/v1/agent/service/register', probe)).status,
    403,
    'the console cannot register',
  );
  t.equal((await call(dev, tok('router'), 'GET', '/v1/kv/berth/scheduler/leader')).status, 403);
  t.equal((await call(dev, tok('router'), 'PUT', '/v1/kv/fabio/config', 'x')).status, 403);
  // The router reads its manual routes with its token (a blocking KV watch).
  const manual = 'route add acl-probe /acl-probe http://127.0.0.1:9/';
  t.equal((await call(dev, mgmt, 'PUT', '/v1/kv/fabio/config', manual)).status, 200);
  const routerAdmin = dev.info.hosts[0]!.router.replace(
    /:(\d+)$/,
    (_, p: string) => `:${Number(p) - 1}`,
  );
  await eventually(
    'the router shows the manual route from KV',
    async () => {
      const res = await fetch(`${routerAdmin}/api/manual`, { signal: AbortSignal.timeout(5000) });
      return ((await res.json()) as { text: string }).text === manual;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  const before = await dev.refusedCalls();

  // Scale in: the scheduler drains the task through its own token (maintenance), then stops it.
  const ecs = await ecsFor(t, dev);
  const drains = await answered(dev, 'PUT', '/v1/agent/service/maintenance/');
  await ecs.send(
    new UpdateServiceCommand({ cluster: 'default', service: 'hello', desiredCount: 2 }),
  );
  const scaled = await eventually(
    'n === 2',
    async () => {
      const n = await (
        await ecs.send(new DescribeServicesCommand({ cluster: 'default', services: ['hello'] }))
      ).services?.[0]?.runningCount;
      return n === 2 ? n : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  t.equal(scaled, 2, 'scaled in to 2');
  t.ok(
    (await answered(dev, 'PUT', '/v1/agent/service/maintenance/')) > drains,
    'the scheduler put the task in maintenance before stopping it',
  );
  const host = dev.info.hosts[0]!;
  const [dnsHost, dnsPort] = host.dns.split(':') as [string, string];
  t.equal(
    (
      await eventually(
        'a.length === 2',
        async () => {
          const a = await srv(dnsHost, dnsPort);
          return a.length === 2 ? a : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      )
    ).length,
    2,
  );

  // A daemon killed is restarted with the same token.
  const registrator = (await dev.daemons()).find((d) => d.label === 'registrator')!;
  process.kill(registrator.pid!, 'SIGKILL');
  const again = await eventually(
    'the registrator runs again',
    async () => {
      const d = (await dev.daemons()).find((x) => x.label === 'registrator');
      return d?.ready && d.pid !== registrator.pid ? d : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const envAgain = await proc(again.pid!, 'environ');
  t.ok(envAgain.includes(`CONSUL_HTTP_TOKEN=${tok('registrator')}`), 'the same token back');
  t.same(
    await dev.refusedCalls(),
    before,
    'no daemon call refused through the scale-in and restart',
  );

  // The catalog restarted on its data dir: tokens and policies are durable.
  const tokenList = async (d: RunningDev): Promise<string[]> => {
    const list = (await call(d, mgmt, 'GET', '/v1/acl/tokens')).json as {
      AccessorID: string;
      CreateIndex: number;
    }[];
    return list.map((x) => `${x.AccessorID}@${x.CreateIndex}`).sort();
  };
  const listed = await tokenList(dev);
  t.equal(listed.length, 7, 'anonymous, the bootstrap token and the 5 daemons’');
  t.equal((await dev.control('POST', '/daemons/catalog/restart')).status, 200, 'catalog restarted');
  t.same(await tokenList(dev), listed, 'the same tokens, not recreated');
  t.equal(
    (
      await eventually(
        'a.length === 2',
        async () => {
          const a = await srv(dnsHost, dnsPort);
          return a.length === 2 ? a : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 200 },
      )
    ).length,
    2,
  );
  t.same(await dev.refusedCalls(), new Map(), 'no daemon call refused by the restarted catalog');

  // berth dev itself again, same data dir: the bootstrap is done, its tokens are read back.
  t.equal(await dev.stop(), 0, 'berth dev stopped');
  const second = await startDev(t, ['--data-dir', dataDir], { home, offset, timeoutMs: 120_000 });
  t.equal(second.catalogToken, mgmt, 'the same management secret');
  t.same(await daemonTokens(second), tokens, 'every daemon gets the same token back');
  t.same(await tokenList(second), listed, 'read back, none recreated');
  t.equal(
    entries(await call(second, tok('dns'), 'GET', '/v1/catalog/services')) >= 1,
    true,
    'the dns token works on the restarted dev',
  );
  t.same(await second.refusedCalls(), new Map(), 'no daemon call refused after the restart');
});
