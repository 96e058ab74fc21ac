/**
 * The scheduler's secrets key file (`--secrets-key FILE`, JSON, mode 0600): a keyring whose
 * first key seals new values and whose every key opens old ones. Created with one new key when
 * missing; rewritten atomically (temp file + rename) on rotation. The keys live only here and
 * in memory: never in KV, a log line or an error message.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { SchedulerOptionError } from '../errors.js';
import { newSecretKey, type SecretKey } from './cipher.js';

interface KeyFileJson {
  keys: { id: string; key: string; created?: string }[];
}

/** The keyring as loaded from the file; `keys[0]` is the primary. */
export interface Keyring {
  readonly keys: readonly SecretKey[];
}

function parse(path: string, text: string): Keyring {
  let json: KeyFileJson;
  try {
    json = JSON.parse(text) as KeyFileJson;
  } catch {
    throw new SchedulerOptionError('secretsKey', `${path} is not JSON`);
  }
  const keys = (Array.isArray(json?.keys) ? json.keys : []).map((k, i) => {
    const key = typeof k?.key === 'string' ? Buffer.from(k.key, 'base64') : Buffer.alloc(0);
    if (typeof k?.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(k.id) || key.length !== 32) {
      throw new SchedulerOptionError(
        'secretsKey',
        `${path}: keys[${i}] needs an id and a base64 key of 32 bytes`,
      );
    }
    return { id: k.id, key };
  });
  if (keys.length === 0) {
    throw new SchedulerOptionError('secretsKey', `${path} holds no key`);
  }
  return { keys };
}

/** Writes `ring` to `path` (0600) atomically. */
export async function writeKeyFile(path: string, ring: Keyring): Promise<void> {
  const now = new Date().toISOString();
  const json: KeyFileJson = {
    keys: ring.keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), created: now })),
  };
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** Reads the key file; creates it with one new key when it does not exist. */
export async function loadKeyFile(path: string): Promise<{ ring: Keyring; created: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SchedulerOptionError('secretsKey', `cannot read ${path}: ${(e as Error).message}`);
    }
    const ring = { keys: [newSecretKey()] };
    // 'wx' semantics: two replicas starting at once on one host must agree on one key.
    try {
      const tmpRing = JSON.stringify({
        keys: ring.keys.map((k) => ({
          id: k.id,
          key: k.key.toString('base64'),
          created: new Date().toISOString(),
        })),
      });
      await writeFile(path, `${tmpRing}\n`, { mode: 0o600, flag: 'wx' });
      return { ring, created: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      text = await readFile(path, 'utf8');
    }
  }
  return { ring: parse(path, text), created: false };
}
