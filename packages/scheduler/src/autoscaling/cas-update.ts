/**
 * The one read-modify-write of a JSON record in Consul KV that auto scaling's stores share
 * (scalable targets, alarms): read, let `fn` decide, CAS-write (or CAS-delete), and on a
 * conflict read again, at most `ATTEMPTS` times. Must never write without CAS and never loop
 * forever: after the last conflict it throws what `conflict()` makes.
 */
import type { ConsulKv } from '@berth/consul';

const ATTEMPTS = 8;

/** What an update function returns to leave the record as it is. */
export const UNCHANGED = Symbol('unchanged');

/**
 * Applies `fn` to the record at `key` (undefined when absent) and CAS-writes its result;
 * `null` deletes; `UNCHANGED` writes nothing. Resolves with what is stored afterwards.
 */
export async function casUpdate<T>(
  kv: ConsulKv,
  key: string,
  fn: (prev: T | undefined) => T | null | typeof UNCHANGED,
  conflict: () => Error,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const got = await kv.getJson<T>(key);
    const prev = got?.value;
    const next = fn(prev);
    if (next === UNCHANGED) return prev;
    const index = got?.entry.modifyIndex ?? 0;
    if (next === null) {
      if (!got) return undefined;
      if (await kv.delete(key, { cas: index })) return undefined;
      continue;
    }
    if (await kv.casJson(key, next, index)) return next;
  }
  throw conflict();
}
