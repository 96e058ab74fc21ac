// Issue 3 follow-up, point 1 (acknowledged-before-durable visibility): with --data-dir a read
// or a blocked watcher must never observe a write whose fsync has not returned, or after a
// crash a client may see values vanish and the index go backwards. Real child process,
// writers and readers on loopback, kill -9 mid-stream, restart, compare.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { sleep } from '@berth/daemon';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly port: number;
}

async function startChild(dataDir: string): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [MAIN, '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--node', 'dur'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const m = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
    if (m) return { proc, port: Number(m[1]) };
    if (proc.exitCode !== null) break;
    await sleep(20);
  }
  proc.kill('SIGKILL');
  throw new Error(`catalog did not start:\n${out}`);
}

function kill(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill('SIGKILL');
  });
}

function call(
  port: number,
  agent: Agent,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; index: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          index: Number(res.headers['x-consul-index'] ?? 0),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Entry {
  Key: string;
  Value: string | null;
}

/** Writer w's counter value per key, from a `?recurse` answer. */
function counters(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of JSON.parse(body) as Entry[]) {
    out.set(e.Key, Number(Buffer.from(e.Value ?? '', 'base64').toString()));
  }
  return out;
}

interface Observed {
  readonly value: Map<string, number>;
  index: number;
  reads: number;
}

/** Writers, readers and blocked watchers against `child` until it is killed. */
async function loadUntilKilled(child: Child, agent: Agent, seen: Observed): Promise<void> {
  const observe = (r: { status: number; index: number; body: string }): void => {
    if (r.status !== 200) return;
    seen.reads++;
    seen.index = Math.max(seen.index, r.index);
    for (const [k, v] of counters(r.body)) seen.value.set(k, Math.max(seen.value.get(k) ?? 0, v));
  };
  let stop = false;
  // Each writer overwrites its own key with a growing counter, so a later state never holds a
  // smaller value: any value a reader saw must still be there (or a larger one) after restart.
  const writer = async (w: number): Promise<void> => {
    const start = (seen.value.get(`v/${w}`) ?? 0) + 1_000_000;
    for (let i = start; i < start + 20_000 && !stop; i++) {
      try {
        await call(child.port, agent, 'PUT', `/v1/kv/v/${w}`, String(i));
      } catch {
        return;
      }
    }
  };
  const reader = async (): Promise<void> => {
    for (let i = 0; i < 50_000 && !stop; i++) {
      try {
        observe(await call(child.port, agent, 'GET', '/v1/kv/v/?recurse'));
      } catch {
        return;
      }
    }
  };
  const watcher = async (): Promise<void> => {
    let index = 1;
    for (let i = 0; i < 50_000 && !stop; i++) {
      try {
        const r = await call(child.port, agent, 'GET', `/v1/kv/v/?recurse&index=${index}&wait=2s`);
        observe(r);
        index = Math.max(r.index, 1);
      } catch {
        return;
      }
    }
  };
  const load = [0, 1, 2, 3].map(writer).concat([reader(), reader(), watcher(), watcher()]);
  await sleep(700 + Math.floor(Math.random() * 400));
  await kill(child);
  stop = true;
  await Promise.all(load);
}

t.test('reads and watchers never see a write before its fsync (kill -9, restart)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-catalog-reads-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  t.teardown(() => agent.destroy());
  // Three crashes: the window in which a non-durable write could be seen is short, so one
  // crash alone may miss it; each restart checks what the previous run's readers saw.
  for (let round = 1; round <= 3; round++) {
    const seen: Observed = { value: new Map(), index: 0, reads: 0 };
    const child = await startChild(dir);
    t.teardown(() => kill(child));
    await loadUntilKilled(child, agent, seen);
    t.ok(seen.reads > 20, `round ${round}: ${seen.reads} reads answered before the kill`);
    const again = await startChild(dir);
    t.teardown(() => kill(again));
    const after = await call(again.port, agent, 'GET', '/v1/kv/v/?recurse');
    const now = counters(after.body);
    const lost = [...seen.value].filter(([k, v]) => (now.get(k) ?? 0) < v);
    t.same(lost, [], `round ${round}: every value a reader saw survived the crash`);
    t.ok(
      after.index >= seen.index,
      `round ${round}: index ${after.index} ≥ highest index read ${seen.index}`,
    );
    await kill(again);
  }
});
