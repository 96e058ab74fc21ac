/**
 * The SSM parameter store on Consul KV: one JSON record per parameter (parameter-record.ts),
 * values sealed with the keyring's primary key. Every write is a CAS transaction that also
 * checks `ssm/key-id` (the id of the key new values must be sealed under), so a write racing a
 * key rotation fails and is redone under the new key. It needs no leader: any replica serves
 * it. Rotation re-encrypts every value and retires the old keys only once none is left under
 * them. Must never write a key or a plaintext to KV, and never put a value in an error.
 */
import { TxnFailedError, type ConsulKv, type KvEntry, type TxnOp } from '@berth/consul';
import { EcsError } from '../errors.js';
import { newSecretKey, open, SealError, seal, sealedKeyId, type SecretKey } from './cipher.js';
import { type Keyring, loadKeyFile, writeKeyFile } from './key-file.js';
import type { SsmLayout } from './parameter-names.js';
import type { ParameterRecord } from './parameter-record.js';
import { ssmError } from './ssm-errors.js';

/** A parameter and the KV ModifyIndex it was read at. */
export interface StoredParameter {
  readonly record: ParameterRecord;
  readonly index: number;
}

/** What an update function returns: the next record, null to delete, undefined for no change. */
export type Update = (
  prev: ParameterRecord | undefined,
  key: SecretKey,
) => ParameterRecord | null | undefined;

/** Result of a key rotation. */
export interface Rotation {
  readonly keyId: string;
  readonly reEncrypted: number;
  readonly retired: readonly string[];
}

const ATTEMPTS = 8;

const internal = (message: string): EcsError => new EcsError('InternalServerError', message, 500);

function decode(e: KvEntry): ParameterRecord {
  return JSON.parse(e.value ?? '{}') as ParameterRecord;
}

/** The KV-backed parameter store of one scheduler process. */
export class ParameterStore {
  readonly #kv: ConsulKv;
  readonly #layout: SsmLayout;
  readonly #keyFile: string;
  #ring: Keyring;
  #primary: { key: SecretKey; index: number } | undefined;
  #rotating: Promise<Rotation> | undefined;

  constructor(kv: ConsulKv, layout: SsmLayout, keyFile: string, ring: Keyring) {
    this.#kv = kv;
    this.#layout = layout;
    this.#keyFile = keyFile;
    this.#ring = ring;
  }

  get layout(): SsmLayout {
    return this.#layout;
  }

  /** Key ids in the keyring, primary first (for tests and logs; never the keys). */
  get keyIds(): string[] {
    return this.#ring.keys.map((k) => k.id);
  }

  #key(id: string): SecretKey | undefined {
    return this.#ring.keys.find((k) => k.id === id);
  }

  async #reload(): Promise<void> {
    this.#ring = (await loadKeyFile(this.#keyFile)).ring;
  }

  /** The key new values are sealed under, as KV names it, and that entry's index. */
  async #current(): Promise<{ key: SecretKey; index: number }> {
    if (this.#primary) return this.#primary;
    let entry = await this.#kv.get(this.#layout.keyId);
    if (!entry) {
      await this.#kv.cas(this.#layout.keyId, (this.#ring.keys[0] as SecretKey).id, 0);
      entry = await this.#kv.get(this.#layout.keyId);
      if (!entry) throw internal('cannot record the secrets key id in KV');
    }
    const id = entry.value ?? '';
    let key = this.#key(id);
    if (!key) {
      await this.#reload();
      key = this.#key(id);
    }
    if (!key) {
      throw internal(
        `KV names secrets key ${id} as current, but the key file ${this.#keyFile} lacks it; copy the key file of the replica that rotated the key`,
      );
    }
    this.#primary = { key, index: entry.modifyIndex };
    return this.#primary;
  }

  /** The parameter named `name`, if any. */
  async get(name: string): Promise<StoredParameter | undefined> {
    const e = await this.#kv.get(this.#layout.parameter(name));
    return e?.value ? { record: decode(e), index: e.modifyIndex } : undefined;
  }

  /** Every parameter whose KV key starts with `prefix` (a layout prefix), sorted by name. */
  async list(prefix: string = this.#layout.parameters): Promise<StoredParameter[]> {
    const out: StoredParameter[] = [];
    for (const e of await this.#kv.getTree(prefix)) {
      if (!e.value || this.#layout.nameOf(e.key) === undefined) continue;
      out.push({ record: decode(e), index: e.modifyIndex });
    }
    return out.sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
  }

  /** The plaintext of version `version` of `p` (reloads the key file for an unknown key). */
  async reveal(p: ParameterRecord, version: number): Promise<string> {
    const v = p.versions.find((x) => x.version === version);
    if (!v) throw internal(`version ${version} of ${p.name} is not stored`);
    const keyOf = (id: string): SecretKey | undefined => this.#key(id);
    try {
      return open(keyOf, p.name, version, v.value);
    } catch (e) {
      if (!(e instanceof SealError)) throw e;
      if (e.keyId !== undefined && !this.#key(e.keyId)) {
        await this.#reload();
        try {
          return open(keyOf, p.name, version, v.value);
        } catch (again) {
          if (again instanceof SealError) throw internal(again.message);
          throw again;
        }
      }
      throw internal(e.message);
    }
  }

  /**
   * Applies `fn` to the parameter under CAS, retried on conflicts (ATTEMPTS times, then SSM's
   * TooManyUpdates). Resolves with what was written (null: deleted; undefined: no change).
   */
  async update(name: string, fn: Update): Promise<ParameterRecord | null | undefined> {
    const key = this.#layout.parameter(name);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.#current();
      const entry = await this.#kv.get(key);
      const prev = entry?.value ? decode(entry) : undefined;
      const next = fn(prev, current.key);
      if (next === undefined) return undefined;
      if (next === null && !entry) return null;
      const ops: TxnOp[] = [{ verb: 'check-index', key: this.#layout.keyId, index: current.index }];
      if (next === null) ops.push({ verb: 'delete-cas', key, index: entry?.modifyIndex ?? 0 });
      else
        ops.push({ verb: 'cas', key, value: JSON.stringify(next), index: entry?.modifyIndex ?? 0 });
      try {
        await this.#kv.txnAtomic(ops);
        return next;
      } catch (e) {
        if (!(e instanceof TxnFailedError)) throw e;
        // Someone wrote first, or the key was rotated: read both again.
        this.#primary = undefined;
      }
    }
    throw ssmError(
      'TooManyUpdates',
      'There are concurrent updates for a resource that supports one update at a time.',
    );
  }

  /**
   * Rotation by re-encryption: a new primary key goes into the key file (old keys kept), KV's
   * key id moves to it (so every later write seals with it), every value under another key is
   * re-sealed, pass after pass until a pass finds none; only then are the old keys removed from
   * the file. A crash at any step leaves every value readable with the file as it is.
   */
  rotate(): Promise<Rotation> {
    this.#rotating ??= this.#rotate().finally(() => {
      this.#rotating = undefined;
    });
    return this.#rotating;
  }

  async #rotate(): Promise<Rotation> {
    await this.#reload();
    const fresh = newSecretKey();
    const old = this.#ring.keys;
    this.#ring = { keys: [fresh, ...old] };
    await writeKeyFile(this.#keyFile, this.#ring);
    for (let i = 0; ; i++) {
      const entry = await this.#kv.get(this.#layout.keyId);
      if (await this.#kv.cas(this.#layout.keyId, fresh.id, entry?.modifyIndex ?? 0)) break;
      if (i >= ATTEMPTS) throw internal('cannot switch the secrets key id in KV');
    }
    this.#primary = undefined;
    let reEncrypted = 0;
    for (let pass = 0; ; pass++) {
      let changed = 0;
      for (const { record } of await this.list()) {
        if (record.versions.every((v) => sealedKeyId(v.value) === fresh.id)) continue;
        const opened = new Map<number, string>();
        for (const v of record.versions) {
          if (sealedKeyId(v.value) !== fresh.id)
            opened.set(v.version, await this.reveal(record, v.version));
        }
        await this.update(record.name, (prev, key) => {
          if (!prev) return undefined;
          let touched = false;
          const versions = prev.versions.map((v) => {
            if (sealedKeyId(v.value) === key.id) return v;
            const plain = opened.get(v.version);
            if (plain === undefined) return v; // written meanwhile: the next pass sees it
            touched = true;
            return { ...v, value: seal(key, prev.name, v.version, plain) };
          });
          return touched ? { ...prev, versions } : undefined;
        });
        changed++;
      }
      reEncrypted += changed;
      if (changed === 0) break;
      if (pass >= ATTEMPTS)
        throw internal('values kept changing during the key rotation; old keys kept');
    }
    this.#ring = { keys: [fresh] };
    await writeKeyFile(this.#keyFile, this.#ring);
    return { keyId: fresh.id, reEncrypted, retired: old.map((k) => k.id) };
  }
}
