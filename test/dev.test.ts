/**
 * The README's first command in a test: `berth dev --demo` starts every daemon as its own
 * process (catalog, scheduler, and the agent, registrator, dns and router of one host), starts
 * three tasks of service `hello` through the ECS API, shows them answering through the router
 * and DNS, and on Ctrl-C removes what it started.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireDocker } from './helpers/docker.js';

const berth = fileURLToPath(new URL('../packages/cli/bin/berth.js', import.meta.url));

t.test('berth dev --demo shows discovery working and cleans up on Ctrl-C', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  // Every default port + offset stays below the ephemeral range Docker hands out.
  const offset = 10_000 + Math.floor(Math.random() * 12_000);
  const home = await mkdtemp(join(tmpdir(), 'berth-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawn(process.execPath, [berth, 'dev', '--demo', '--port-offset', String(offset)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BERTH_HOME: home },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const deadline = Date.now() + 150_000;
  while (!/berth is running|demo failed|failed to start/.test(out) && Date.now() < deadline) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.match(out, /all 3 containers routable/, 'the demo became routable');
  const answered = new Set([...out.matchAll(/ 200 from (\S+):/g)].map((m) => m[1]));
  t.equal(answered.size, 3, 'requests answered by three different containers');
  const srv = out.match(/hello\.service\.consul\.\s+\d+\s+IN\s+SRV\s+1 1 \d+/g) ?? [];
  t.equal(srv.length, 3, 'dig shows three SRV records');
  t.match(out, /registered task definition hello:\d+/, 'the demo registers its task definition');
  t.match(out, /aws ecs --endpoint-url http:\/\/127\.0\.0\.1:\d+ /, 'an aws ecs line to try');
  const dev = JSON.parse(await readFile(join(home, 'dev.json'), 'utf8')) as { endpoint: string };
  t.equal(dev.endpoint, `http://127.0.0.1:${8700 + offset}`, 'dev.json names the scheduler');
  const credentials = await readFile(join(home, 'credentials'), 'utf8');
  t.match(credentials, /aws_access_key_id = AKBERTH/, 'credentials were generated');
  for (const name of ['catalog', 'scheduler', 'agent', 'registrator', 'dns', 'router']) {
    t.match(out, new RegExp(`^${name}\\s+\\| .*started`, 'm'), `${name} logs with its prefix`);
  }

  child.kill('SIGINT');
  const [code] = await exited;
  t.equal(code, 0, 'exits 0 after Ctrl-C');
  t.match(out, /removed containers: (ecs-hello-\d+-hello-\S+(, )?){3}/);
  t.match(
    out,
    /stopped: agent, (registrator|dns|router|console|registry)(, (registrator|dns|router|console|registry)){3,4}, scheduler, catalog/,
  );
  t.match(
    out,
    /console: http:\/\/127\.0\.0\.1:\d+\/c\/default\/services\/hello/,
    '--demo names the console',
  );
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`berth.dev.demo=dev-${8500 + offset}`] },
  });
  t.equal(left.length, 0, 'no demo container left behind');
});
