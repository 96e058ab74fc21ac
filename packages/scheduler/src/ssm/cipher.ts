/**
 * AES-256-GCM sealing of parameter values: `berth1:<key id>:<nonce>:<ciphertext+tag>` (base64),
 * with the parameter's name and version as additional data, so a sealed value copied to
 * another parameter or version fails to open. Pure apart from the random nonce; must never
 * put a value, a key or a plaintext fragment in an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One key of the keyring: 32 random bytes and the id sealed values name it by. */
export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

const PREFIX = 'berth1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why a sealed value cannot be opened (never carries the value). */
export class SealError extends Error {
  readonly keyId: string | undefined;
  constructor(message: string, keyId?: string) {
    super(message);
    this.name = 'SealError';
    this.keyId = keyId;
  }
}

const aad = (name: string, version: number): Buffer => Buffer.from(`${name}\0${version}`, 'utf8');

/** Encrypts `plain` for parameter `name` version `version` under `key`. */
export function seal(key: SecretKey, name: string, version: number, plain: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', key.key, nonce);
  c.setAAD(aad(name, version));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
  return `${PREFIX}:${key.id}:${nonce.toString('base64')}:${body.toString('base64')}`;
}

/** The key id a sealed value names (undefined when it is not a sealed value). */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split(':');
  return parts.length === 4 && parts[0] === PREFIX ? parts[1] : undefined;
}

/** Decrypts a sealed value; `keyOf` finds the key by id. */
export function open(
  keyOf: (id: string) => SecretKey | undefined,
  name: string,
  version: number,
  sealed: string,
): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== PREFIX) {
    throw new SealError(`the stored value of ${name} version ${version} is not a sealed value`);
  }
  const id = parts[1] as string;
  const key = keyOf(id);
  if (!key) {
    throw new SealError(
      `the value of ${name} version ${version} is sealed under key ${id}, which is not in the secrets key file`,
      id,
    );
  }
  const nonce = Buffer.from(parts[2] as string, 'base64');
  const body = Buffer.from(parts[3] as string, 'base64');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) {
    throw new SealError(`the stored value of ${name} version ${version} is malformed`, id);
  }
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, nonce);
    d.setAAD(aad(name, version));
    d.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([d.update(body.subarray(0, body.length - TAG_BYTES)), d.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SealError(
      `the value of ${name} version ${version} does not open with key ${id} (tampered or moved)`,
      id,
    );
  }
}

/** A new random key with a new id. */
export function newSecretKey(): SecretKey {
  return { id: `k${randomBytes(6).toString('hex')}`, key: randomBytes(32) };
}
