// Issue 20: `berth registry` — the config berth writes for Debian's docker-registry, the
// htpasswd users, `berth dev`'s registry child and the scheduler's secrets key, and (with
// Docker) a real registry: htpasswd auth refuses anonymous clients, /v1/repositories lists
// tags with sizes, and garbage collection deletes an untagged image's blobs and serves again.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, createRegistry, Health } from '@berth/daemon';
import t from 'tap';
import { parse } from 'yaml';
import { devPlan } from '../src/dev/dev-plan.js';
import { htpasswdLine, htpasswdMatches } from '../src/registry/htpasswd.js';
import { parseGcSummary, registryConfig } from '../src/registry/registry-config.js';
import { startRegistry } from '../src/registry/registry-daemon.js';

const exec = promisify(execFile);
const BINARY = '/usr/bin/docker-registry';

t.test('the registry config berth writes', async (t) => {
  const c = parse(
    registryConfig({
      listen: '127.0.0.1:5000',
      storageDir: '/d/storage',
      htpasswd: '/d/htpasswd',
      realm: 'berth-registry',
      httpSecret: 's',
    }),
  ) as Record<string, Record<string, unknown>>;
  t.match(c, {
    http: { addr: '127.0.0.1:5000', secret: 's' },
    storage: { filesystem: { rootdirectory: '/d/storage' }, delete: { enabled: true } },
    auth: { htpasswd: { path: '/d/htpasswd', realm: 'berth-registry' } },
  });
  const none = parse(
    registryConfig({
      listen: '127.0.0.1:5000',
      storageDir: '/s',
      htpasswd: undefined,
      realm: 'r',
      httpSecret: 's',
    }),
  ) as Record<string, unknown>;
  t.notOk('auth' in none, 'no auth section without htpasswd');
  t.same(parseGcSummary('x\n3 blobs marked, 2 blobs and 1 manifests eligible for deletion\n'), {
    blobs: 2,
    manifests: 1,
  });
  t.equal(parseGcSummary('nothing'), undefined);
  const line = htpasswdLine('berth', 'pw');
  t.match(line, /^berth:\$2[aby]\$10\$/);
  t.ok(htpasswdMatches(`${line}\n`, 'berth', 'pw'));
  t.notOk(htpasswdMatches(`${line}\n`, 'berth', 'other'));
});

t.test('berth dev plans the registry on 5000+offset and gives the scheduler a key', async (t) => {
  const plan = devPlan({
    hosts: 1,
    portOffset: 7,
    agentsDir: '/tmp/a',
    credentialsFile: '/tmp/c',
    region: 'us-east-1',
    agentGrace: '30s',
    lostAfter: '2m',
    registryDir: '/tmp/r',
    secretsKey: '/tmp/k',
  });
  t.equal(plan.registry, '127.0.0.1:5007');
  const reg = plan.children.find((c) => c.label === 'registry');
  t.same(reg?.args, [
    'registry',
    '--listen',
    '127.0.0.1:5007',
    '--admin',
    '127.0.0.1:5008',
    '--data-dir',
    '/tmp/r',
    '--auth',
    'none',
  ]);
  const sched = plan.children.find((c) => c.label === 'scheduler')?.args ?? [];
  t.equal(sched[sched.indexOf('--secrets-key') + 1], '/tmp/k');
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function dockerUp(): Promise<boolean> {
  try {
    await exec('docker', ['version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

t.test('a real registry: auth, repositories, garbage collection', async (t) => {
  const ci = process.env['CI'] === 'true';
  for (const [ok, why] of [
    [existsSync(BINARY), `${BINARY} is missing: apt-get install -y docker-registry`],
    [await dockerUp(), 'the Docker engine does not answer: scripts/ensure-docker'],
  ] as const) {
    if (!ok) {
      if (ci) t.fail(why);
      else t.plan(0, why);
      return;
    }
  }
  const dir = t.testdir({});
  const port = await freePort();
  const adminPort = await freePort();
  const registry = createRegistry('registry-test', false);
  const running = await startRegistry({
    listen: `127.0.0.1:${port}`,
    admin: `127.0.0.1:${adminPort}`,
    dataDir: dir,
    auth: 'htpasswd',
    user: 'berth',
    realm: 'berth-registry',
    gcIntervalMs: 0,
    binary: BINARY,
    log: createLogger({ component: 'registry-test', level: 'silent' }),
    registry,
    health: new Health(),
  });
  t.teardown(() => running.close());
  const creds = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as {
    username: string;
    password: string;
  };
  const auth = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  t.equal((await fetch(`${running.url}/v2/_catalog`)).status, 401, 'anonymous clients refused');

  const ref = `127.0.0.1:${port}/gc/app:one`;
  const env = { ...process.env, DOCKER_CONFIG: join(dir, 'docker-config') };
  const docker = (args: string[], input?: string) => {
    const p = exec('docker', args, { env, timeout: 120_000 });
    if (input !== undefined) p.child.stdin?.end(input);
    return p;
  };
  await docker(
    ['login', `127.0.0.1:${port}`, '-u', creds.username, '--password-stdin'],
    creds.password,
  );
  await docker(['tag', 'berth/busybox:test', ref]);
  t.teardown(() => docker(['rmi', ref]).catch(() => undefined));
  await docker(['push', ref]);
  await docker(['logout', `127.0.0.1:${port}`]);

  const listed = (await (await fetch(`${running.adminUrl}/v1/repositories`)).json()) as {
    Repositories: { name: string; tags: { tag: string; digest: string; size: number }[] }[];
  };
  t.match(listed.Repositories, [{ name: 'gc/app', tags: [{ tag: 'one', digest: /^sha256:/ }] }]);
  const tag = listed.Repositories[0]?.tags[0];
  t.ok((tag?.size ?? 0) > 1000, 'size from the manifest');

  t.same(await running.gc(), { blobs: 0, manifests: 0, ran: false }, 'nothing to collect yet');
  const del = await fetch(`${running.url}/v2/gc/app/manifests/${tag?.digest}`, {
    method: 'DELETE',
    headers: { authorization: auth },
  });
  t.equal(del.status, 202, 'manifest deleted (storage.delete.enabled)');
  const gc = await fetch(`${running.adminUrl}/v1/gc`, { method: 'POST' });
  const result = (await gc.json()) as { blobs: number; ran: boolean };
  t.ok(result.ran && result.blobs > 0, `garbage collected ${result.blobs} blobs`);
  const after = await fetch(`${running.url}/v2/_catalog`, { headers: { authorization: auth } });
  t.equal(after.status, 200, 'the registry serves again after the collection');
  const metrics = await (await fetch(`${running.adminUrl}/metrics`)).text();
  t.match(metrics, /berth_registry_gc_runs_total(\{[^}]*\})? 1\n/);
});
