// The write-ahead log in isolation: record framing, torn tails cut, snapshots rotate the log.
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { decodeRecord, encodeRecord, Wal, type WalRecord } from '../src/adapters/wal.js';

const rec = (i: number): WalRecord => ({
  i,
  at: 1,
  op: { t: 'kv-set', key: `k${i}`, value: null, flags: '0' },
});

t.test('record framing', async (t) => {
  const line = encodeRecord(rec(7)).trimEnd();
  const cases = [
    { name: 'intact', input: line, want: true },
    { name: 'cut short', input: line.slice(0, -3), want: false },
    { name: 'bad checksum', input: `00000000${line.slice(8)}`, want: false },
    { name: 'flipped byte', input: line.replace('k7', 'k8'), want: false },
    { name: 'empty', input: '', want: false },
  ];
  for (const c of cases) t.equal(decodeRecord(c.input) !== undefined, c.want, c.name);
});

t.test('snapshots rotate the log and drop what they cover', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-wal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let index = 0;
  const opts = {
    snapshotEvery: 5,
    snapshotState: () => ({ index, json: JSON.stringify({ index }) }),
    onWarn: (m: string) => t.fail(m),
  };
  const { wal, loaded } = await Wal.open(dir, opts);
  t.same(loaded, { snapshot: null, records: [] });
  for (let i = 1; i <= 7; i++) {
    index = i;
    await wal.append(rec(i));
  }
  const mid = await Wal.open(dir, { ...opts, onWarn: () => {} });
  t.equal(mid.loaded.snapshot?.index, 5, 'a snapshot after 5 records');
  t.same(
    mid.loaded.records.map((r) => r.i),
    [6, 7],
    'only the records after the snapshot are replayed',
  );
  await mid.wal.close();
  await wal.close();
  const logs = (await readdir(dir)).filter((f) => f.startsWith('wal-'));
  t.equal(logs.length, 1, 'covered logs deleted');
  const last = await Wal.open(dir, opts);
  t.equal(last.loaded.snapshot?.index, 7, 'close wrote a final snapshot');
  t.same(last.loaded.records, []);
  await last.wal.close();
});

t.test('a torn tail is truncated with a warning', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-wal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const opts = {
    snapshotEvery: 1000,
    snapshotState: () => ({ index: 0, json: '{}' }),
    onWarn: (m: string) => warnings.push(m),
  };
  const { wal } = await Wal.open(dir, opts);
  await wal.append(rec(1));
  await wal.append(rec(2));
  // Simulate a crash: no close (no snapshot), then a half-written record.
  const file = (await readdir(dir)).find((f) => f.startsWith('wal-')) as string;
  const good = (await readFile(join(dir, file))).length;
  await appendFile(join(dir, file), '1234abcd {"i":3,"at"');
  const reopened = await Wal.open(dir, opts);
  t.same(
    reopened.loaded.records.map((r) => r.i),
    [1, 2],
  );
  t.equal(warnings.length, 1);
  t.match(warnings[0], /torn or corrupt record at byte \d+/);
  t.equal((await readFile(join(dir, file))).length, good, 'file cut back to the last good record');
  await reopened.wal.close();
  await wal.close().catch(() => {});
});
