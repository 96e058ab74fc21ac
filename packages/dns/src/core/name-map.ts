/**
 * NameMap: the name → answers map of a table, split into shards by nameHash so that a new
 * table after a small catalog change copies only the few shards whose names changed and
 * shares every other shard with the table before it (a persistent map: old tables stay
 * valid and unchanged). Must never be mutated once built; edits go through a draft.
 */
import { nameHash } from './wire.js';

/** Target names per shard; the shard count is re-chosen when a table drifts 4x from it. */
const PER_SHARD = 16;
const MAX_BITS = 16;

function bitsFor(size: number): number {
  let bits = 0;
  while (bits < MAX_BITS && size > PER_SHARD << bits) bits++;
  return bits;
}

/** An immutable map from lower-case names to entries, sharded by nameHash. */
export class NameMap<E> {
  /** Shards, indexed by `hash & mask`. Read-only. */
  readonly shards: readonly ReadonlyMap<string, E>[];
  readonly mask: number;
  readonly size: number;

  private constructor(shards: readonly ReadonlyMap<string, E>[], size: number) {
    this.shards = shards;
    this.mask = shards.length - 1;
    this.size = size;
    Object.freeze(this);
  }

  /** A map of `entries` (later duplicates win). */
  static of<E>(entries: Iterable<readonly [string, E]>): NameMap<E> {
    const list = Array.isArray(entries)
      ? (entries as readonly (readonly [string, E])[])
      : [...entries];
    return NameMap.#spread([list], list.length);
  }

  /**
   * An empty map with as many shards as `expected` names want, so that a first build of
   * that many names through a draft fills small shards and is not re-sharded at the end.
   */
  static sized<E>(expected: number): NameMap<E> {
    return new NameMap(
      Array.from({ length: 1 << bitsFor(expected) }, () => new Map<string, E>()),
      0,
    );
  }

  /** The entries of `sources` spread over shards chosen for `count` names. */
  static #spread<E>(sources: Iterable<Iterable<readonly [string, E]>>, count: number): NameMap<E> {
    const shards = Array.from({ length: 1 << bitsFor(count) }, () => new Map<string, E>());
    const mask = shards.length - 1;
    for (const source of sources)
      for (const [name, e] of source)
        (shards[nameHash(name) & mask] as Map<string, E>).set(name, e);
    return new NameMap(
      shards,
      shards.reduce((n, s) => n + s.size, 0),
    );
  }

  /** @internal NameMapDraft.finish's re-sharding. */
  static reshard<E>(shards: readonly ReadonlyMap<string, E>[], size: number): NameMap<E> {
    return NameMap.#spread(
      shards.map((s) => s.entries()),
      size,
    );
  }

  /** The entry of `name`; `hash` is nameHash(name) when the caller already has it. */
  get(name: string, hash: number = nameHash(name)): E | undefined {
    return (this.shards[hash & this.mask] as ReadonlyMap<string, E>).get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every entry, in no particular order. */
  *entries(): IterableIterator<[string, E]> {
    for (const s of this.shards) yield* s.entries();
  }

  /** A draft to derive a new map from this one; this map is never changed. */
  edit(): NameMapDraft<E> {
    return new NameMapDraft(this.shards, this.size, (shards, size) => new NameMap(shards, size));
  }
}

/** Changes on the way to a new NameMap: shards are copied on their first write only. */
export class NameMapDraft<E> {
  readonly #shards: ReadonlyMap<string, E>[];
  readonly #copied: boolean[];
  readonly #make: (shards: readonly ReadonlyMap<string, E>[], size: number) => NameMap<E>;
  #size: number;
  #done = false;

  /** @internal Use NameMap.edit(). */
  constructor(
    shards: readonly ReadonlyMap<string, E>[],
    size: number,
    make: (shards: readonly ReadonlyMap<string, E>[], size: number) => NameMap<E>,
  ) {
    this.#shards = [...shards];
    this.#copied = new Array<boolean>(shards.length).fill(false);
    this.#size = size;
    this.#make = make;
  }

  #writable(name: string): Map<string, E> {
    if (this.#done) throw new Error('NameMapDraft already finished');
    const i = nameHash(name) & (this.#shards.length - 1);
    const shard = this.#shards[i] as ReadonlyMap<string, E>;
    if (this.#copied[i]) return shard as Map<string, E>;
    const copy = new Map(shard);
    this.#shards[i] = copy;
    this.#copied[i] = true;
    return copy;
  }

  set(name: string, entry: E): void {
    const shard = this.#writable(name);
    if (!shard.has(name)) this.#size++;
    shard.set(name, entry);
  }

  delete(name: string): void {
    const i = nameHash(name) & (this.#shards.length - 1);
    if (!(this.#shards[i] as ReadonlyMap<string, E>).has(name)) return;
    this.#writable(name).delete(name);
    this.#size--;
  }

  /** The new map; re-sharded when its size drifted far from the shard count. */
  finish(): NameMap<E> {
    this.#done = true;
    const bits = Math.log2(this.#shards.length);
    const want = bitsFor(this.#size);
    if (Math.abs(want - bits) >= 2) {
      return NameMap.reshard(this.#shards, this.#size);
    }
    return this.#make(this.#shards, this.#size);
  }
}
