/**
 * The ACL files of a data directory, as Consul keeps them: `acl-tokens.json` holds the agent
 * tokens set through `/v1/agent/token/*` when `enable_token_persistence` is on (written to a
 * temporary file, fsynced, renamed), and `acl-bootstrap-reset` holds the reset index that
 * allows one more `/v1/acl/bootstrap`. Only these two files are ever touched here.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const TOKENS = 'acl-tokens.json';
const RESET = 'acl-bootstrap-reset';

/** The persisted agent tokens (empty when there are none or the file is unreadable). */
export async function readAgentTokens(dir: string): Promise<Record<string, string>> {
  try {
    const v = JSON.parse(await readFile(join(dir, TOKENS), 'utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    return Object.fromEntries(
      Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

export async function writeAgentTokens(dir: string, tokens: Record<string, string>): Promise<void> {
  const path = join(dir, TOKENS);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(tokens));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** The reset index written by an operator, or undefined when there is no reset file. */
export async function readBootstrapReset(dir: string): Promise<number | undefined> {
  try {
    const text = (await readFile(join(dir, RESET), 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function removeBootstrapReset(dir: string): Promise<void> {
  await rm(join(dir, RESET), { force: true });
}
