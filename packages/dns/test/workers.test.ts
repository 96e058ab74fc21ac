/**
 * `berth dns --workers 2` as a real process against the real catalog: both workers share
 * one UDP and TCP port, the primary's /health is ok once both are, /metrics sums them, a
 * worker that dies is restarted, and SIGTERM stops everything.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startCatalog } from '@berth/catalog';
import { eventually } from '@berth/daemon/testing';
import { digAt } from './fixtures.js';

t.test('two workers share the sockets; one dies and is restarted', async (t) => {
  const catalog = await startCatalog({
    listen: '127.0.0.1:0',
    node: 'node1',
    advertise: '127.0.0.1',
  });
  t.teardown(() => catalog.close());
  const r = await fetch(`${catalog.url}/v1/agent/service/register`, {
    method: 'PUT',
    body: JSON.stringify({ ID: 'web-1', Name: 'web', Address: '127.0.0.5', Port: 80 }),
  });
  t.equal(r.status, 200);

  const main = fileURLToPath(new URL('../dist/daemon/main.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      main,
      '--workers',
      '2',
      '--consul',
      catalog.url,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    try {
      logs.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const workers = (): Record<string, unknown>[] =>
    logs.filter((l) => l.msg === 'berth dns worker listening');
  await eventually('two workers listening', () => workers().length === 2);
  const ports = new Set(workers().map((l) => String((l.listen as string[])[0]).split(':')[2]));
  t.equal(ports.size, 1, 'both workers on one port');
  const port = Number([...ports][0]);
  const admin = String(logs.find((l) => l.msg?.toString().startsWith('berth dns primary'))?.admin);
  const health = async (): Promise<string> =>
    ((await (await fetch(`http://${admin}/health`)).json()) as { status: string }).status;
  await eventually('primary /health ok', async () => (await health()) === 'ok');

  for (let i = 0; i < 6; i++)
    t.strictSame((await digAt(port, ['web.service.consul'])).answer, [
      'web.service.consul. 0 IN A 127.0.0.5',
    ]);
  t.equal((await digAt(port, ['+tcp', 'web.service.consul'])).answer.length, 1, 'TCP too');
  const metrics = await (await fetch(`http://${admin}/metrics`)).text();
  const udpA = /berth_dns_queries_total\{proto="udp",type="A",rcode="NOERROR"[^}]*\} (\d+)/.exec(
    metrics,
  );
  t.equal(Number(udpA?.[1]), 6, "the workers' counters summed");

  const victim = Number(workers()[0]?.pid);
  process.kill(victim, 'SIGKILL');
  await eventually('the primary restarts it', () =>
    logs.some((l) => l.msg === 'dns worker exited; restarting'),
  );
  await eventually('a third worker listening', () => workers().length === 3, { timeoutMs: 10_000 });
  await eventually('ok again', async () => (await health()) === 'ok');
  t.equal((await digAt(port, ['web.service.consul'])).answer.length, 1, 'still answering');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM stops the primary and its workers');
});
