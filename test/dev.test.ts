/**
 * The README's first command in a test: `berth dev --demo` starts every daemon as its own
 * process, runs three containers as service `hello`, shows them answering through the router
 * and DNS, and on Ctrl-C removes what it started.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { requireDocker } from './helpers/docker.js';

const berth = fileURLToPath(new URL('../packages/cli/bin/berth.js', import.meta.url));

t.test('berth dev --demo shows discovery working and cleans up on Ctrl-C', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  // Every default port + offset stays below the ephemeral range Docker hands out.
  const offset = 10_000 + Math.floor(Math.random() * 12_000);
  const child = spawn(process.execPath, [berth, 'dev', '--demo', '--port-offset', String(offset)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const deadline = Date.now() + 120_000;
  while (!/berth is running|demo failed|failed to start/.test(out) && Date.now() < deadline) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.match(out, /all 3 containers routable/, 'the demo became routable');
  const answered = new Set([...out.matchAll(/200 from (hello-\d)/g)].map((m) => m[1]));
  t.equal(answered.size, 3, 'three requests answered by three different containers');
  const srv = out.match(/hello\.service\.consul\.\s+\d+\s+IN\s+SRV\s+1 1 \d+/g) ?? [];
  t.equal(srv.length, 3, 'dig shows three SRV records');
  for (const name of ['catalog', 'registrator', 'dns', 'router']) {
    t.match(out, new RegExp(`^${name}\\s+\\| .*started`, 'm'), `${name} logs with its prefix`);
  }

  child.kill('SIGINT');
  const [code] = await exited;
  t.equal(code, 0, 'exits 0 after Ctrl-C');
  t.match(out, /removed containers: (berth-demo-hello-\S+(, )?){3}/);
  t.match(out, /stopped: router, dns, registrator, catalog/);
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`berth.dev.demo=dev-${8500 + offset}`] },
  });
  t.equal(left.length, 0, 'no demo container left behind');
});
