/**
 * The `[default]` key pair of an AWS shared-credentials file (`aws_access_key_id`,
 * `aws_secret_access_key`). Pure; must never log what it reads.
 */
import type { KeyPair } from './sessions.js';

export function defaultKeyPair(text: string): KeyPair | undefined {
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
    if (section === 'default' && kv)
      values.set((kv[1] as string).toLowerCase(), (kv[2] as string).trim());
  }
  const accessKeyId = values.get('aws_access_key_id');
  const secretAccessKey = values.get('aws_secret_access_key');
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}
