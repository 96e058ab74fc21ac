// Issue 4: `kill -9` the registrator (a real child process, dist/daemon/main.js) while containers
// change; a restarted one makes the catalog match Docker exactly: nothing stale, nothing
// missing. Also checks the restarted daemon's /health and /metrics.
//
// Only containers labelled berth.test=<run id> are created, registered and removed; the child
// processes are killed by pid in teardown.
import { sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import { TEST_LABEL, newRunId, requireDocker, testRun } from '../../../test/helpers/docker.js';
import { ownedServices } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/daemon/main.js', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  /** Resolves with `host:port` of the admin listener once the daemon logged it. */
  readonly admin: Promise<string>;
}

function spawnRegistrator(args: string[]): Child {
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const admin = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      try {
        const rec = JSON.parse(line) as { msg?: string; admin?: string };
        if (rec.msg === 'admin listening' && rec.admin) resolve(rec.admin);
      } catch {
        // not a log line
      }
    });
    proc.on('exit', (code) => reject(new Error(`registrator exited with ${code}`)));
  });
  admin.catch(() => {});
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 4000) stderr = stderr.slice(-4000);
  });
  proc.on('exit', (code, signal) => {
    if (code && code !== 0)
      process.stderr.write(`registrator child exited ${code} ${signal}: ${stderr}\n`);
  });
  return { proc, admin };
}

function killNow(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill('SIGKILL');
  });
}

t.test('issue 4: kill -9 while containers change, restart → catalog matches Docker', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  if (!existsSync(MAIN)) {
    t.fail(`${MAIN} is missing: build first (npx tsc -b packages/registrator)`);
    return;
  }
  const run = testRun(docker, t, newRunId());
  const hostname = `kill9-${run.runId}`;
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const args = [
    '--consul',
    catalog.url,
    '--ip',
    '127.0.0.1',
    '--hostname',
    hostname,
    '--label-filter',
    `${TEST_LABEL}=${run.runId}`,
    '--admin',
    '127.0.0.1:0',
    '--resync',
    '0',
    '--log-level',
    'info',
  ];
  const children: Child[] = [];
  t.teardown(async () => {
    for (const c of children) await killNow(c);
  });
  const services = () => ownedServices(catalog.url, hostname);
  const name = (n: string) => `${n}-${run.runId}`;

  const first = spawnRegistrator(args);
  children.push(first);
  await first.admin;
  const a = await run.createContainer({ name: name('a'), ports: [8080] });
  const b = await run.createContainer({ name: name('b'), ports: [8080] });
  const c = await run.createContainer({ name: name('c'), ports: [8080] });
  await eventually('a, b, c registered', async () => (await services()).size === 3, {
    timeoutMs: 15_000,
  });

  // Change things, and kill -9 the registrator in the middle of it.
  const stopping = a.container.stop({ t: 1 });
  const d = run.createContainer({ name: name('d'), ports: [8080] });
  await sleep(100); // choreography, not a check: the kill lands while Docker is changing
  await killNow(first);
  await stopping;
  await d;
  await b.container.remove({ force: true });
  await c.container.rename({ name: name('c2') });
  await run.createContainer({ name: name('e'), ports: [8080] });
  const stale = await services();
  t.ok(
    stale.has(`${hostname}:${name('b')}:8080`) && stale.has(`${hostname}:${name('c')}:8080`),
    'the dead registrator left stale entries behind (b removed, c renamed)',
  );

  const second = spawnRegistrator(args);
  children.push(second);
  const expected = async (): Promise<Map<string, number>> => {
    const list = await docker.listContainers({
      filters: { label: [`${TEST_LABEL}=${run.runId}`] },
    });
    const out = new Map<string, number>();
    for (const info of list) {
      const port = info.Ports.find(
        (p) => p.PrivatePort === 8080 && p.PublicPort && !p.IP?.includes(':'),
      );
      out.set(
        `${hostname}:${(info.Names[0] ?? '').replace(/^\//, '')}:8080`,
        port?.PublicPort ?? -1,
      );
    }
    return out;
  };
  const actual = async (): Promise<Map<string, number>> =>
    new Map([...(await services())].map(([id, s]) => [id, s.Port]));
  const same = (x: Map<string, number>, y: Map<string, number>): boolean =>
    x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);

  await eventually('catalog matches Docker', async () => same(await expected(), await actual()), {
    timeoutMs: 15_000,
  });
  const want = await expected();
  t.same(
    [...want.keys()].sort(),
    [name('c2'), name('d'), name('e')].map((n) => `${hostname}:${n}:8080`).sort(),
  );
  t.same(await actual(), want, 'nothing stale, nothing missing, right ports');

  const admin = await second.admin;
  const health = await fetch(`http://${admin}/health`);
  t.equal(health.status, 200, '/health is ok');
  t.match(await health.json(), { status: 'ok' });
  const metrics = await (await fetch(`http://${admin}/metrics`)).text();
  t.match(metrics, /berth_registrator_reconcile_actions_total\{action="deregister"[^}]*\} [1-9]/);
  t.match(metrics, /berth_registrator_services\{[^}]*\} 3/);
});

t.test('issue 4: a bad flag stops the daemon at start with a message naming it', async (t) => {
  if (!existsSync(MAIN)) {
    t.fail(`${MAIN} is missing: build first`);
    return;
  }
  const table: { args: string[]; want: RegExp; code: number }[] = [
    { args: ['--deregister', 'never'], want: /--deregister/, code: 2 },
    { args: ['--retry-attempts', 'x'], want: /--retry-attempts/, code: 2 },
    { args: ['--resync', 'soon'], want: /--resync/, code: 2 },
    { args: ['--ip', '999.1.1.1'], want: /--ip/, code: 1 },
    { args: ['--retry-interval', 'fast'], want: /--retry-interval/, code: 1 },
    { args: ['--label-filter', '=x'], want: /--label-filter/, code: 1 },
  ];
  for (const c of table) {
    const proc = spawn(
      process.execPath,
      [MAIN, '--admin', '127.0.0.1:0', '--docker', '/nonexistent.sock', ...c.args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    clearTimeout(timer);
    t.equal(code, c.code, `${c.args.join(' ')} exits ${c.code}`);
    t.match(out, c.want, `the message names the flag: ${out.trim().split('\n').pop()}`);
  }
});
