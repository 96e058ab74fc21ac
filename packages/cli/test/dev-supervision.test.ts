/**
 * Issue 15, `berth dev` as a supervisor, the parts testable without Docker: the lifeline a
 * child watches, the pid/lock file (a live `berth dev` refused, a dead one's daemons named and
 * stopped), the port check naming the holder, and output that survives a broken pipe.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { eventually } from '@berth/daemon/testing';
import { DevRunningError, acquireDevLock } from '../src/dev/dev-lock.js';
import { LIFELINE_ENV, watchLifeline } from '../src/dev/lifeline.js';
import { busyPorts, plannedPorts, procAddress } from '../src/dev/port-check.js';
import { safeLineWriter } from '../src/dev/safe-output.js';

t.test('the lifeline: end of stdin means the supervisor is gone', async (t) => {
  const stdin = new PassThrough();
  let lost = 0;
  const exits: number[] = [];
  t.equal(watchLifeline({ env: {}, stdin, onLost: () => lost++ }), false, 'off without the env');
  t.ok(
    watchLifeline({
      env: { [LIFELINE_ENV]: 'stdin' },
      stdin,
      onLost: () => lost++,
      hardExitMs: 50,
      exit: (code) => exits.push(code),
    }),
  );
  stdin.end();
  await eventually('the lifeline noticed', () => lost === 1);
  await eventually('the hard bound exits', () => exits.length === 1);
  t.same(exits, [1]);
  t.equal(lost, 1, 'shut down once');
});

t.test('a daemon started with a lifeline stops when its supervisor dies', async (t) => {
  // A supervisor that starts `berth catalog` with a lifeline, then is SIGKILLed.
  const berth = new URL('../bin/berth.js', import.meta.url).pathname;
  const script = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, [${JSON.stringify(berth)}, 'catalog', '--listen', '127.0.0.1:0'],
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: { ...process.env, ${LIFELINE_ENV}: 'stdin' } });
    console.log(c.pid);
    setInterval(() => {}, 1000);`;
  const sup = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void sup.kill('SIGKILL'));
  const [line] = (await once(sup.stdout, 'data')) as [Buffer];
  const child = Number(line.toString().trim());
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  t.teardown(() => {
    if (alive(child)) process.kill(child, 'SIGKILL');
  });
  t.ok(alive(child), 'the daemon runs');
  sup.kill('SIGKILL');
  await eventually('the daemon followed its supervisor', () => !alive(child), {
    timeoutMs: 15_000,
    intervalMs: 100,
  });
  t.pass('no orphan left');
});

t.test('the lock file: one berth dev per home', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'berth-lock-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const lock = await acquireDevLock(home, 7);
  t.same(lock.cleaned, [], 'nothing stale');
  await lock.update([{ label: 'catalog', pid: 1234 }]);
  const held = JSON.parse(await readFile(lock.file, 'utf8')) as { pid: number; daemons: unknown };
  t.equal(held.pid, process.pid, 'names the holder');
  t.same(held.daemons, [{ label: 'catalog', pid: 1234 }], 'and its daemons');
  await lock.release();

  // A live `berth dev` (any process whose command line says so) holds the home.
  const fake = spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000)', '/x/berth.js', 'dev'],
    {
      stdio: 'ignore',
    },
  );
  t.teardown(() => void fake.kill('SIGKILL'));
  await writeFile(
    join(home, 'dev.pid'),
    JSON.stringify({ pid: fake.pid, startedAt: 'then', portOffset: 0, daemons: [] }),
  );
  const refused = await acquireDevLock(home, 0).catch((e: unknown) => e);
  t.ok(refused instanceof DevRunningError, 'a second berth dev is refused');
  t.match(String(refused), new RegExp(`already runs with this home \\(pid ${fake.pid}`));

  // A dead one's daemons (still berth daemons by their command line) are stopped and named.
  const orphan = spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000)', '/x/berth.js', 'router'],
    { stdio: 'ignore', detached: true },
  );
  t.teardown(() => void orphan.kill('SIGKILL'));
  const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
  });
  t.teardown(() => void unrelated.kill('SIGKILL'));
  await writeFile(
    join(home, 'dev.pid'),
    JSON.stringify({
      pid: 999_999_999,
      startedAt: 'then',
      portOffset: 0,
      daemons: [
        { label: 'router@h1', pid: orphan.pid },
        { label: 'catalog', pid: unrelated.pid },
      ],
    }),
  );
  const exited = once(orphan, 'exit');
  const taken = await acquireDevLock(home, 0);
  t.same(taken.cleaned, [`router@h1 (pid ${orphan.pid})`], 'the orphan is named');
  await exited;
  t.equal(unrelated.exitCode, null, 'a pid that is no berth daemon is left alone');
  await taken.release();
});

t.test('the port check names what holds a port', async (t) => {
  t.equal(procAddress('127.0.0.1', 8500), '0100007F:2134');
  t.same(
    plannedPorts([
      {
        label: 'dns',
        args: ['dns', '--listen', '127.0.0.2:8600', '--admin', '127.0.0.2:8601'],
        readyUrl: '',
      },
    ]).map((p) => `${p.host}:${p.port}/${p.proto}`),
    ['127.0.0.2:8600/tcp', '127.0.0.2:8600/udp', '127.0.0.2:8601/tcp'],
  );
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  const busy = await busyPorts([{ label: 'catalog', host: '127.0.0.1', port, proto: 'tcp' }]);
  t.equal(busy.length, 1, 'busy');
  if (process.platform === 'linux') t.match(busy[0]?.holder, new RegExp(`^pid ${process.pid}: `));
  server.close();
  await once(server, 'close');
  t.same(await busyPorts([{ label: 'catalog', host: '127.0.0.1', port, proto: 'tcp' }]), []);
});

t.test('output after a broken pipe is dropped, not thrown', async (t) => {
  let writes = 0;
  const sink = new Writable({
    write(_chunk, _enc, cb) {
      writes++;
      const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      cb(e);
    },
  });
  const write = safeLineWriter(sink);
  write('one');
  await eventually('the error seen', () => sink.destroyed);
  write('two');
  t.equal(writes, 1, 'nothing written after the break');
});
