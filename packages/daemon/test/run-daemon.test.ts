import { eventually } from '../src/testing/index.js';
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/sleepy-daemon.mjs', import.meta.url));

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [fixture, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const port = new Promise<number>((resolve, reject) => {
    const onData = () => {
      const m = /listening (\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    };
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
  });
  port.catch(() => {});
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, port, exited, out: () => stdout, err: () => stderr };
}

t.test('SIGTERM runs close steps in reverse order and exits 0', async (t) => {
  const d = start([]);
  const port = await d.port;
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  t.equal(res.status, 200);
  await res.text();
  const sent = Date.now();
  d.child.kill('SIGTERM');
  const [code] = await d.exited;
  t.equal(code, 0);
  t.ok(Date.now() - sent < 5000, 'exited promptly');
  const closes = d.err().match(/close:\w+/g);
  t.same(closes, ['close:last', 'close:listener', 'close:first']);
  const lines = d
    .out()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.ok(
    lines.every((l) => l.component === 'sleepy'),
    'structured JSON logs with the component',
  );
  t.ok(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'));
});

t.test('a hanging close step is cut at the bound and the exit code says so', async (t) => {
  const d = start(['--hang', '--shutdown-timeout', '300ms']);
  await d.port;
  const sent = Date.now();
  d.child.kill('SIGTERM');
  const [code] = await d.exited;
  t.equal(code, 1);
  t.ok(Date.now() - sent < 3000, 'exited within the bound');
  t.same(d.err().match(/close:\w+/g), ['close:last'], 'steps after the hang did not run');
});

t.test('a second signal exits at once', async (t) => {
  const d = start(['--hang', '--shutdown-timeout', '60s']);
  await d.port;
  d.child.kill('SIGTERM');
  await eventually('the first signal handled', () => d.out().includes('shutting down'));
  d.child.kill('SIGINT');
  const [code] = await d.exited;
  t.equal(code, 130);
});

t.test('a bad flag stops the daemon at start naming the flag', async (t) => {
  const d = start(['--listen', 'nonsense']);
  const [code] = await d.exited;
  t.equal(code, 2);
  t.match(d.err(), /berth sleepy: invalid value for --listen \(flag --listen\): "nonsense"/);
});

t.test('env and config file feed the same keys', async (t) => {
  const d = start([], { BERTH_SLEEPY_LISTEN: 'nonsense' });
  const [code] = await d.exited;
  t.equal(code, 2);
  t.match(d.err(), /env BERTH_SLEEPY_LISTEN/);
});

t.test('--help lists every option with defaults and env vars', async (t) => {
  const d = start(['--help']);
  const [code] = await d.exited;
  t.equal(code, 0);
  t.match(d.out(), /Usage: berth sleepy \[options\]/);
  t.match(
    d.out(),
    /--listen HOST:PORT\s+admin address \(default 127\.0\.0\.1:0; env BERTH_SLEEPY_LISTEN\)/,
  );
  t.match(d.out(), /--log-level/);
});
