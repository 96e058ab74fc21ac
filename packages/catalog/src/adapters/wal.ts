/**
 * Durability for `--data-dir`: an append-only log of applied operations, fsynced before any
 * write is acknowledged (group commit: one fsync covers every record queued meanwhile), plus
 * periodic snapshots of the whole state so restart replays only the log's tail. A torn or
 * corrupt tail is cut with a warning, never a refusal to start. It must never acknowledge a
 * record before the fsync that covers it has returned.
 */
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { WalError } from '../errors.js';
import type { Op } from '../core/types.js';

export interface WalRecord {
  /** The index the operation was applied at. */
  readonly i: number;
  /** Wall-clock ms when it was applied. */
  readonly at: number;
  readonly op: Op;
}

export interface WalOptions {
  /** Take a snapshot after this many records since the last one. */
  readonly snapshotEvery: number;
  /** Returns the current state as JSON and its index, for snapshots. */
  readonly snapshotState: () => { index: number; json: string };
  readonly onWarn: (message: string) => void;
  /** Seconds each fsync took (for the fsync latency histogram). */
  readonly onFsync?: (seconds: number) => void;
}

export interface LoadedWal {
  readonly snapshot: { index: number; json: string } | null;
  readonly records: readonly WalRecord[];
}

const SNAPSHOT = 'snapshot.json';
const walName = (seq: number): string => `wal-${String(seq).padStart(12, '0')}.log`;
const seqOf = (name: string): number | undefined => {
  const m = /^wal-(\d{12})\.log$/.exec(name);
  return m ? Number(m[1]) : undefined;
};
const hex = (text: string): string => crc32(text).toString(16).padStart(8, '0');

/** Encodes a record as one line: `<crc32 hex> <json>\n`. */
export function encodeRecord(rec: WalRecord): string {
  const json = JSON.stringify(rec);
  return `${hex(json)} ${json}\n`;
}

/** Decodes one line; undefined when torn or corrupt. */
export function decodeRecord(line: string): WalRecord | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const json = line.slice(9);
  if (hex(json) !== line.slice(0, 8)) return undefined;
  try {
    const rec = JSON.parse(json) as WalRecord;
    return typeof rec.i === 'number' && typeof rec.op === 'object' ? rec : undefined;
  } catch {
    return undefined;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The log of one data directory. Create it with `Wal.open`. */
export class Wal {
  readonly #dir: string;
  readonly #opts: WalOptions;
  #seq: number;
  #fh: FileHandle;
  #queue: { line: string; done: (err?: Error) => void }[] = [];
  #flushing: Promise<void> | null = null;
  #sinceSnapshot = 0;
  #failed: Error | null = null;
  #closed = false;

  private constructor(dir: string, seq: number, fh: FileHandle, opts: WalOptions) {
    this.#dir = dir;
    this.#seq = seq;
    this.#fh = fh;
    this.#opts = opts;
  }

  /** Opens (creating) the directory, reads the snapshot and the log, cuts a torn tail. */
  static async open(dir: string, opts: WalOptions): Promise<{ wal: Wal; loaded: LoadedWal }> {
    await mkdir(dir, { recursive: true });
    let snapshot: LoadedWal['snapshot'] = null;
    try {
      const text = await readFile(join(dir, SNAPSHOT), 'utf8');
      const nl = text.indexOf('\n');
      const head = text.slice(0, nl);
      const json = text.slice(nl + 1);
      const m = /^(\d+) ([0-9a-f]{8})$/.exec(head);
      if (nl < 0 || !m || hex(json) !== m[2]) {
        throw new WalError(`snapshot ${join(dir, SNAPSHOT)} is corrupt; refusing to start`);
      }
      snapshot = { index: Number(m[1]), json };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const seqs = (await readdir(dir))
      .map(seqOf)
      .filter((s): s is number => s !== undefined)
      .sort((a, b) => a - b);
    const records: WalRecord[] = [];
    let cut = false;
    for (const seq of seqs) {
      const path = join(dir, walName(seq));
      if (cut) {
        opts.onWarn(`removing log ${path}: it follows a corrupt record`);
        await rm(path, { force: true });
        continue;
      }
      const buf = await readFile(path);
      let offset = 0;
      while (offset < buf.length) {
        const nl = buf.indexOf(10, offset);
        const rec = nl < 0 ? undefined : decodeRecord(buf.toString('utf8', offset, nl));
        if (!rec) {
          opts.onWarn(
            `log ${path}: torn or corrupt record at byte ${offset} of ${buf.length}; ` +
              `cutting the log there (${buf.length - offset} bytes dropped)`,
          );
          const fh = await open(path, 'r+');
          try {
            await fh.truncate(offset);
            await fh.sync();
          } finally {
            await fh.close();
          }
          cut = true;
          break;
        }
        if (!snapshot || rec.i > snapshot.index) records.push(rec);
        offset = nl + 1;
      }
    }
    const seq = seqs.length > 0 ? (seqs[seqs.length - 1] as number) : 1;
    const fh = await open(join(dir, walName(seq)), 'a');
    if (seqs.length === 0) await fsyncDir(dir);
    const wal = new Wal(dir, seq, fh, opts);
    wal.#sinceSnapshot = records.length;
    return { wal, loaded: { snapshot, records } };
  }

  /** Appends a record; resolves once it is on disk (fsync returned). */
  append(rec: WalRecord): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#closed) return Promise.reject(new WalError('log is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line: encodeRecord(rec), done: (err) => (err ? reject(err) : resolve()) });
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = null;
      if (this.#queue.length > 0 && !this.#failed) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#fh.write(batch.map((b) => b.line).join(''));
        const t0 = process.hrtime.bigint();
        await this.#fh.datasync();
        this.#opts.onFsync?.(Number(process.hrtime.bigint() - t0) / 1e9);
      } catch (err) {
        this.#failed = new WalError(`writing the log failed: ${(err as Error).message}`, {
          cause: err,
        });
        for (const b of [...batch, ...this.#queue]) b.done(this.#failed);
        this.#queue = [];
        return;
      }
      for (const b of batch) b.done();
      this.#sinceSnapshot += batch.length;
      if (this.#sinceSnapshot >= this.#opts.snapshotEvery) await this.#snapshot();
    }
  }

  /** Writes a snapshot of the current state, then drops the logs it covers. */
  async #snapshot(): Promise<void> {
    const { index, json } = this.#opts.snapshotState();
    const oldSeq = this.#seq;
    try {
      const next = await open(join(this.#dir, walName(oldSeq + 1)), 'a');
      await this.#fh.close();
      this.#fh = next;
      this.#seq = oldSeq + 1;
      this.#sinceSnapshot = 0;
      const tmp = join(this.#dir, `${SNAPSHOT}.tmp`);
      const fh = await open(tmp, 'w');
      try {
        await fh.write(`${index} ${hex(json)}\n${json}`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.#dir, SNAPSHOT));
      await fsyncDir(this.#dir);
      for (const name of await readdir(this.#dir)) {
        const s = seqOf(name);
        if (s !== undefined && s <= oldSeq) await rm(join(this.#dir, name), { force: true });
      }
    } catch (err) {
      // The log still holds everything: a failed snapshot only makes restart slower.
      this.#opts.onWarn(`snapshot failed: ${(err as Error).message}`);
    }
  }

  /** Flushes what is queued, writes a final snapshot and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    if (!this.#failed && this.#sinceSnapshot > 0) await this.#snapshot();
    await this.#fh.close();
  }
}
