/**
 * The registry's users: an htpasswd file of bcrypt entries (the only scheme Docker's registry
 * reads). When berth runs the registry with auth and no file is given, it makes one user with
 * a random password, kept beside it (mode 0600) for `docker login` and for the SSM parameter
 * tasks name in `repositoryCredentials`. Never logs or prints a password.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import bcrypt from 'bcryptjs';

/** One htpasswd line for `user` (bcrypt, cost 10). */
export function htpasswdLine(user: string, password: string): string {
  if (!/^[^:\s]+$/.test(user))
    throw new Error(`registry user ${JSON.stringify(user)} is not valid`);
  return `${user}:${bcrypt.hashSync(password, 10)}`;
}

/** Whether `password` matches `user`'s entry in htpasswd `text`. */
export function htpasswdMatches(text: string, user: string, password: string): boolean {
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i) === user)
      return bcrypt.compareSync(password, line.slice(i + 1).trim());
  }
  return false;
}

/**
 * Makes sure `htpasswd` exists: when missing, writes one for `user` with a new random password
 * and that password (JSON `{"username", "password"}`, the shape `repositoryCredentials` wants)
 * into `credentialsFile`. Returns whether it created them.
 */
export async function ensureHtpasswd(
  htpasswd: string,
  credentialsFile: string,
  user: string,
): Promise<boolean> {
  const existing = await readFile(htpasswd, 'utf8').catch(() => undefined);
  if (existing !== undefined) return false;
  const password = randomBytes(18).toString('base64url');
  await mkdir(dirname(credentialsFile), { recursive: true });
  await writeFile(credentialsFile, `${JSON.stringify({ username: user, password })}\n`, {
    mode: 0o600,
  });
  await mkdir(dirname(htpasswd), { recursive: true });
  await writeFile(htpasswd, `${htpasswdLine(user, password)}\n`, { mode: 0o600 });
  return true;
}

/** Reads the credentials file `ensureHtpasswd` wrote. */
export async function readRegistryCredentials(
  file: string,
): Promise<{ username: string; password: string } | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as { username?: unknown; password?: unknown };
    return typeof v.username === 'string' && typeof v.password === 'string'
      ? { username: v.username, password: v.password }
      : undefined;
  } catch {
    return undefined;
  }
}
