/**
 * AWS credentials from the standard chain, as far as a host agent needs it: the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the shared credentials
 * file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials) and config file (AWS_CONFIG_FILE or
 * ~/.aws/config) for AWS_PROFILE (default `default`). The INI parsing is pure; only
 * `loadCredentials` reads files. It must never log or return a secret in an error message.
 */

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError } from '../errors.js';

/** A key pair, optionally with a session token. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses INI text into sections of key/value pairs (`[profile x]` keeps its full name). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = (header[1] as string).trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}

/** Credentials of `profile` in parsed credentials/config files, if complete. */
export function credentialsFromIni(
  credentialsFile: Map<string, Map<string, string>>,
  configFile: Map<string, Map<string, string>>,
  profile: string,
): AwsCredentials | undefined {
  const candidates = [
    credentialsFile.get(profile),
    configFile.get(profile === 'default' ? 'default' : `profile ${profile}`),
  ];
  for (const s of candidates) {
    const accessKeyId = s?.get('aws_access_key_id');
    const secretAccessKey = s?.get('aws_secret_access_key');
    if (accessKeyId && secretAccessKey) {
      const sessionToken = s?.get('aws_session_token');
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    }
  }
  return undefined;
}

async function readIni(path: string): Promise<Map<string, Map<string, string>>> {
  try {
    return parseIni(await readFile(path, 'utf8'));
  } catch {
    return new Map();
  }
}

/** Resolves credentials from `env`, then the shared files; throws CredentialsError. */
export async function loadCredentials(env: Env): Promise<AwsCredentials> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    const sessionToken = env.AWS_SESSION_TOKEN;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  const home = env.HOME || homedir();
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const configPath = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const found = credentialsFromIni(
    await readIni(credentialsPath),
    await readIni(configPath),
    profile,
  );
  if (found) return found;
  throw new CredentialsError(
    `no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile ` +
      `"${profile}" in ${credentialsPath} (berth dev prints the credentials to use)`,
  );
}
