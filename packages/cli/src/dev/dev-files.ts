/**
 * The files `berth dev` leaves for the user and the verbs: a generated AWS shared-credentials
 * file (kept across runs) and `dev.json` naming the endpoint, region and simulated hosts. It
 * only writes under the directory it is given; it never prints a secret.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../commands.js';

/** What `berth dev` tells the verbs (`berth ps`, ...) about itself. */
export interface DevFile {
  readonly endpoint: string;
  readonly region: string;
  readonly cluster: string;
  readonly credentialsFile: string;
  readonly catalog: string;
  /**
   * The file (mode 0600) holding the catalog's ACL management secret: `CONSUL_HTTP_TOKEN_FILE`
   * for Consul tools. dev.json itself holds no secret.
   */
  readonly catalogTokenFile?: string;
  /** `berth dev`'s control endpoint (add a host, stop / start one daemon); see the README. */
  readonly control?: string;
  readonly hosts: readonly {
    readonly name: string;
    readonly instanceId: string;
    readonly ip: string;
    readonly agent: string;
    readonly router: string;
    readonly dns: string;
  }[];
}

/** Where berth keeps its per-user files: `$BERTH_HOME`, else `~/.berth`. */
export function berthHome(env: Env): string {
  return env.BERTH_HOME || join(homedir(), '.berth');
}

/** Key pair of a shared-credentials file's `[default]` profile, if present. */
export function parseDefaultProfile(text: string): { id: string; secret: string } | undefined {
  let section = '';
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (section === 'default' && kv) values.set(kv[1]!.toLowerCase(), kv[2]!.trim());
  }
  const id = values.get('aws_access_key_id');
  const secret = values.get('aws_secret_access_key');
  return id && secret ? { id, secret } : undefined;
}

/**
 * Returns the key pair in `file`, generating the file (mode 0600) when it does not exist yet.
 * Safe when two `berth dev` race: the first writer wins and both use its keys.
 */
export async function ensureCredentials(file: string): Promise<{ id: string; secret: string }> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  const parsed = existing === undefined ? undefined : parseDefaultProfile(existing);
  if (parsed) return parsed;
  const id = `AKBERTH${randomBytes(7).toString('hex').toUpperCase()}`;
  const secret = randomBytes(30).toString('base64url');
  const text = `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`;
  await mkdir(join(file, '..'), { recursive: true });
  try {
    await writeFile(file, text, { mode: 0o600, flag: existing === undefined ? 'wx' : 'w' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const again = parseDefaultProfile(await readFile(file, 'utf8'));
    if (again) return again;
    throw err;
  }
  return { id, secret };
}

/** Writes `dev.json` into `dir` atomically; returns its path. */
export async function writeDevFile(dir: string, dev: DevFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'dev.json');
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(dev, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}

/** Reads a dev file; undefined when it does not exist. */
export async function readDevFile(path: string): Promise<DevFile | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as DevFile);
}
