// Durability with --data-dir (issue 3 point 6): the catalog runs as a real child process,
// takes a stream of writes, is killed with SIGKILL mid-stream and restarted: every
// acknowledged write is there and the index did not go backwards. A torn log tail is cut
// with a warning, and the catalog starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { sleep } from '@berth/daemon';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

async function startChild(dataDir: string, extra: string[] = []): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [MAIN, '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--node', 'dur', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
    if (m) return { proc, url: m[1] as string, output: () => out };
    if (proc.exitCode !== null) break;
    await sleep(20);
  }
  proc.kill('SIGKILL');
  throw new Error(`catalog did not start:\n${out}`);
}

function kill(child: Child, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill(signal);
  });
}

async function tempDir(t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-catalog-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

t.test('kill -9 mid-stream: every acknowledged write survives, index continues', async (t) => {
  const dir = await tempDir(t);
  const first = await startChild(dir, ['--snapshot-every', '15']);
  t.teardown(() => kill(first, 'SIGKILL'));
  const acked = new Map<string, string>();
  let maxAcked = 0;
  let stop = false;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; i < 5000 && !stop; i++) {
      const key = `d/${w}/${i}`;
      const value = `${w}-${i}-${'x'.repeat(i % 50)}`;
      try {
        const r = await fetch(`${first.url}/v1/txn`, {
          method: 'PUT',
          body: JSON.stringify([{ KV: { Verb: 'set', Key: key, Value: b64(value) } }]),
        });
        if (r.status !== 200) continue;
        const body = (await r.json()) as { Results: { KV: { ModifyIndex: number } }[] };
        acked.set(key, value);
        maxAcked = Math.max(maxAcked, body.Results[0]?.KV.ModifyIndex ?? 0);
      } catch {
        return; // the process died under us: this write was not acknowledged
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  await sleep(1200 + Math.floor(Math.random() * 600));
  await kill(first, 'SIGKILL');
  stop = true;
  await Promise.all(writers);
  t.ok(acked.size > 30, `${acked.size} writes acknowledged before the kill`);

  const second = await startChild(dir);
  t.teardown(() => kill(second, 'SIGKILL'));
  const r = await fetch(`${second.url}/v1/kv/d/?recurse`);
  const entries = (await r.json()) as { Key: string; Value: string }[];
  const got = new Map(entries.map((e) => [e.Key, Buffer.from(e.Value, 'base64').toString()]));
  let missing = 0;
  for (const [k, v] of acked) if (got.get(k) !== v) missing++;
  t.equal(missing, 0, `all ${acked.size} acknowledged writes present after restart`);
  const idx = Number(r.headers.get('x-consul-index'));
  t.ok(idx >= maxAcked, `index ${idx} did not go backwards (max acknowledged ${maxAcked})`);
  const put = await fetch(`${second.url}/v1/txn`, {
    method: 'PUT',
    body: JSON.stringify([{ KV: { Verb: 'set', Key: 'after', Value: b64('x') } }]),
  });
  const after = (await put.json()) as { Results: { KV: { ModifyIndex: number } }[] };
  t.ok(
    (after.Results[0]?.KV.ModifyIndex ?? 0) > maxAcked,
    'new writes continue above the old index',
  );
  await kill(second, 'SIGTERM');
  t.equal(second.proc.exitCode, 0, 'clean exit on SIGTERM');
  const files = await readdir(dir);
  t.ok(files.includes('snapshot.json'), 'snapshot written');

  const third = await startChild(dir);
  t.teardown(() => kill(third, 'SIGKILL'));
  const again = (await (await fetch(`${third.url}/v1/kv/?keys`)).json()) as string[];
  t.equal(again.length, got.size + 1, 'restart from the snapshot keeps everything');
  await kill(third, 'SIGKILL');
});

t.test('a torn log tail is cut with a warning; the catalog starts', async (t) => {
  const dir = await tempDir(t);
  const first = await startChild(dir);
  t.teardown(() => kill(first, 'SIGKILL'));
  for (let i = 0; i < 20; i++) {
    await fetch(`${first.url}/v1/kv/t/${i}`, { method: 'PUT', body: `v${i}` });
  }
  await kill(first, 'SIGKILL');
  const wal = (await readdir(dir)).filter((f) => f.startsWith('wal-')).sort();
  const last = wal[wal.length - 1];
  t.ok(last, 'a log file exists');
  const cases = [
    { name: 'half a record', input: '0badc0de {"i":9999,"at":1,"op":{"t":"kv-s' },
    {
      name: 'a bad checksum',
      input: '00000000 {"i":9999,"at":1,"op":{"t":"kv-delete","key":"t/1","recurse":true}}\n',
    },
  ];
  for (const c of cases) {
    await appendFile(join(dir, last as string), c.input);
    const child = await startChild(dir);
    t.teardown(() => kill(child, 'SIGKILL'));
    const keys = (await (await fetch(`${child.url}/v1/kv/t/?keys`)).json()) as string[];
    t.equal(keys.length, 20, `${c.name}: acknowledged writes intact`);
    t.match(child.output(), /torn or corrupt record/, `${c.name}: warned`);
    await kill(child, 'SIGKILL');
  }
  const clean = await startChild(dir);
  t.teardown(() => kill(clean, 'SIGKILL'));
  t.notMatch(clean.output(), /torn or corrupt/, 'the tail was cut: no warning on the next start');
  const r = await fetch(`${clean.url}/v1/kv/t/19?raw`);
  t.equal(await r.text(), 'v19');
  await kill(clean, 'SIGKILL');
});
