/**
 * Issue 15: `berth dev` as a real supervisor, with one simulated host. A killed daemon is
 * restarted (the others and the containers keep running); a second `berth dev` on the same
 * home is refused naming the first; SIGKILL of `berth dev` takes every daemon with it (their
 * lifelines) and frees every port; SIGHUP stops like Ctrl-C; a failed start exits promptly
 * with a non-zero code and leaves nothing running.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@berth/daemon/testing';
import { requireDocker } from './helpers/docker.js';
import {
  BERTH,
  type DaemonState,
  alive,
  processesMatching,
  startDev,
} from './helpers/berth-dev.js';

t.test('a killed daemon is restarted; nothing else is touched', async (t) => {
  if (!(await requireDocker(t))) return;
  const dev = await startDev(t, []);
  const before = await dev.daemons();
  const agent = before.find((d) => d.label === 'agent')!;
  process.kill(agent.pid!, 'SIGKILL');
  const after = await eventually(
    'the agent runs again under a new pid',
    async () => {
      const now = await dev.daemons();
      const a = now.find((d) => d.label === 'agent');
      return a?.running && a.pid !== agent.pid ? now : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const pids = (list: DaemonState[]) =>
    list.filter((d) => d.label !== 'agent').map((d) => `${d.label}:${d.pid}`);
  t.same(pids(after), pids(before), 'the other daemons kept their processes');
  t.match(dev.output(), /WARN agent exited unexpectedly \(SIGKILL\); restarting it/);
  await eventually(
    'the restart is logged',
    () => /agent restarted \(pid \d+, attempt 1\)/.test(dev.output()),
    { timeoutMs: 30_000 },
  );
  t.notMatch(dev.output(), /stopping/, 'berth dev did not stop');

  const second = await dev.berth(['dev', '--port-offset', String(dev.offset)], 30_000);
  t.equal(second.code, 1, 'a second berth dev on the same home exits 1');
  t.match(second.stderr, new RegExp(`already runs with this home \\(pid ${dev.child.pid}`));

  const home2 = await mkdtemp(join(tmpdir(), 'berth-home-'));
  t.teardown(() => rm(home2, { recursive: true, force: true }));
  const third = await dev.berth(['dev', '--port-offset', String(dev.offset)], 30_000, {
    BERTH_HOME: home2,
  });
  t.equal(third.code, 1, 'another home on the same ports exits 1');
  t.match(
    third.stderr,
    /\(for catalog\) is in use by pid \d+: .*berth\.js catalog/,
    'naming the holder',
  );

  t.equal(await dev.stop(), 0, 'Ctrl-C still stops it cleanly');
});

t.test('SIGKILL of berth dev takes its daemons with it', async (t) => {
  if (!(await requireDocker(t))) return;
  const dev = await startDev(t, []);
  const daemons = await dev.daemons();
  // berth dev runs the image registry too where Debian's docker-registry is installed (CI).
  const expected = existsSync('/usr/bin/docker-registry') ? 8 : 7;
  t.equal(
    daemons.length,
    expected,
    "catalog, scheduler, console, the host's four, and the registry where installed",
  );
  dev.child.kill('SIGKILL');
  await eventually('every daemon exited', () => daemons.every((d) => !alive(d.pid!)), {
    timeoutMs: 25_000,
    intervalMs: 200,
  });
  // The same home and ports start again at once: nothing holds them.
  const again = await startDev(t, [], { home: dev.home, offset: dev.offset });
  t.equal(
    (await again.daemons()).filter((d) => d.running).length,
    expected,
    'a new berth dev runs',
  );
  again.child.kill('SIGHUP');
  const [code] = (await once(again.child, 'exit')) as [number | null];
  t.equal(code, 0, 'SIGHUP stops it like Ctrl-C');
  t.match(again.output(), /SIGHUP: stopping/);
  t.match(again.output(), /stopped: agent, /);
  t.ok((await again.daemons().catch(() => [])).length === 0, 'the control endpoint is closed');
});

t.test('a failed start exits promptly, non-zero, leaving nothing', async (t) => {
  if (!(await requireDocker(t))) return;
  const home = await mkdtemp(join(tmpdir(), 'berth-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  // The catalog's data dir is a file: the catalog cannot start.
  const dataDir = join(home, 'data');
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'catalog'), 'not a directory');
  const offset = 10_000 + Math.floor(Math.random() * 12_000);
  const child = spawn(
    process.execPath,
    [BERTH, 'dev', '--port-offset', String(offset), '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BERTH_HOME: home } },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  t.equal(code, 1, `exits 1 by itself: ${out.slice(-600)}`);
  t.match(out, /failed to start: catalog exited/);
  t.match(out, /stopped: /);
  t.same(await processesMatching(`127.0.0.1:${8500 + offset}`), [], 'no daemon left');
});

t.test('SIGTERM while it starts: it stops at once, the control endpoint never opens', async (t) => {
  if (!(await requireDocker(t))) return;
  const home = await mkdtemp(join(tmpdir(), 'berth-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const offset = 10_000 + Math.floor(Math.random() * 12_000);
  const child = spawn(process.execPath, [BERTH, 'dev', '--port-offset', String(offset)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BERTH_HOME: home },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.teardown(() => clearTimeout(timer));
  await eventually('the catalog is up', () => /catalog ready/.test(out), { timeoutMs: 30_000 });
  child.kill('SIGTERM');
  const [code] = await exited;
  t.equal(code, 0, `it stopped on SIGTERM: ${out.slice(-400)}`);
  t.match(out, /SIGTERM: stopping/);
  t.notMatch(out, /control +http/, 'the control endpoint never opened');
  t.same(await processesMatching(`127.0.0.1:${8500 + offset}`), [], 'no daemon left');
});
