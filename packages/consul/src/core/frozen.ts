/**
 * Deep freezing for snapshots, including a read-only Map (Object.freeze does not stop
 * Map#set). Must never copy more than once: snapshots are built once and shared.
 */

/** A ReadonlyMap that cannot be changed: it has no set/delete/clear at all. */
export class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #m: Map<K, V>;
  constructor(entries: Iterable<readonly [K, V]>) {
    this.#m = new Map(entries);
    Object.freeze(this);
  }
  get size(): number {
    return this.#m.size;
  }
  get(key: K): V | undefined {
    return this.#m.get(key);
  }
  has(key: K): boolean {
    return this.#m.has(key);
  }
  forEach(cb: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.#m.forEach((v, k) => cb.call(thisArg, v, k, this));
  }
  entries(): MapIterator<[K, V]> {
    return this.#m.entries();
  }
  keys(): MapIterator<K> {
    return this.#m.keys();
  }
  values(): MapIterator<V> {
    return this.#m.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#m[Symbol.iterator]();
  }
}

/** Freeze `value` and every plain object / array reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}
