/**
 * Issue 17, the supervisor's part of `berth dev`'s ACLs, without Docker: a daemon's own
 * environment (its token) reaches it and not its command line, and the catalog's ACL
 * bootstrap runs again after the supervisor restarts a memory-only catalog that was killed,
 * so the daemons' tokens (the same secrets) work again.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { eventually } from '@berth/daemon/testing';
import { devPlan } from '../src/dev/dev-plan.js';
import { CatalogAcl } from '../src/dev/catalog-acl.js';
import { type SupervisorEvent, Supervisor } from '../src/dev/supervisor.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const proc = async (pid: number, file: string): Promise<string[]> =>
  (await readFile(`/proc/${pid}/${file}`, 'utf8')).split('\0');

t.test('the catalog restarted by the supervisor is bootstrapped again', async (t) => {
  const port = await freePort();
  // berth dev's own catalog spec (ACLs on, deny), moved to a free port.
  const planned = devPlan({
    hosts: 1,
    portOffset: 0,
    agentsDir: '/nonexistent',
    credentialsFile: '/nonexistent',
    region: 'us-east-1',
    agentGrace: '30s',
    lostAfter: '2m',
  }).children[0]!;
  const url = `http://127.0.0.1:${port}`;
  const acl = new CatalogAcl({
    url,
    managementSecret: 'd4e5f6a7-b8c9-4012-8def-0123456789ab',
    labels: ['catalog', 'dns'],
  });
  let bootstraps = 0;
  const dnsSecret = acl.token('dns')!.secretId;
  const spec = {
    ...planned,
    args: planned.args.map((a) => (a === '127.0.0.1:8500' ? `127.0.0.1:${port}` : a)),
    readyUrl: `${url}/v1/status/leader`,
    env: { CONSUL_HTTP_TOKEN: dnsSecret }, // only to see it reach the process
    afterReady: async () => {
      await acl.ensure();
      bootstraps++;
    },
  };
  const events: SupervisorEvent[] = [];
  const sup = new Supervisor(() => {}, process.env, {
    restartBackoff: { baseMs: 50, maxMs: 200, jitter: 'none' },
    onEvent: (e) => events.push(e),
  });
  t.teardown(() => sup.stop(5000));
  await sup.start(spec, 30_000);
  t.equal(bootstraps, 1, 'bootstrapped once started');
  const dns = (path: string) =>
    fetch(`${url}${path}`, {
      headers: { 'X-Consul-Token': dnsSecret },
      signal: AbortSignal.timeout(5000),
    }).then((r) => r.status);
  t.equal(await dns('/v1/catalog/services'), 200, 'the dns token works');
  t.equal(
    (await fetch(`${url}/v1/kv/x`, { method: 'PUT', body: 'y' })).status,
    403,
    'anonymous writes are refused',
  );

  const pid = sup.children()[0]!.pid!;
  t.ok((await proc(pid, 'environ')).includes(`CONSUL_HTTP_TOKEN=${dnsSecret}`), 'in its env');
  t.notOk((await proc(pid, 'cmdline')).join(' ').includes(dnsSecret), 'not on its command line');

  process.kill(pid, 'SIGKILL');
  await eventually(
    'restarted and bootstrapped again',
    () => events.some((e) => e.type === 'restarted') && bootstraps === 2,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  t.equal(await dns('/v1/catalog/services').catch(() => 0), 200, 'the same dns token works again');
});
