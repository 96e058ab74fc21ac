/**
 * Reads an AWS shared-credentials file (`[profile]` sections with aws_access_key_id /
 * aws_secret_access_key) into a map access key ID -> secret: every profile's pair is
 * accepted by the scheduler. Must never log or return secrets in error messages.
 */
import { readFile } from 'node:fs/promises';
import { CredentialsFileError } from '../errors.js';

/** One profile's key pair. */
export interface ProfileKeys {
  readonly profile: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Parses the INI text of a shared-credentials file. Profiles without both keys are skipped. */
export function parseCredentialsFile(text: string): ProfileKeys[] {
  const out: ProfileKeys[] = [];
  let profile: string | undefined;
  let values: Record<string, string> = {};
  const flush = (): void => {
    const id = values['aws_access_key_id'];
    const secret = values['aws_secret_access_key'];
    if (profile !== undefined && id && secret) {
      out.push({ profile, accessKeyId: id, secretAccessKey: secret });
    }
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      flush();
      profile = section[1] as string;
      values = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    values[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  flush();
  return out;
}

/** Reads the file at `path` into access key ID -> secret access key. */
export async function loadCredentialsFile(path: string): Promise<Map<string, string>> {
  const profiles = await loadCredentialProfiles(path);
  return new Map(profiles.map((p) => [p.accessKeyId, p.secretAccessKey]));
}

/** Reads the file at `path` into its profiles (at least one). */
export async function loadCredentialProfiles(path: string): Promise<ProfileKeys[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CredentialsFileError(
      `cannot read credentials file ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const profiles = parseCredentialsFile(text);
  if (profiles.length === 0) {
    throw new CredentialsFileError(
      `credentials file ${path} holds no profile with aws_access_key_id and aws_secret_access_key`,
    );
  }
  return profiles;
}
