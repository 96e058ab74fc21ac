/**
 * ZoneAssembler: merges zone fragments into one name → entry view and, after fragments are
 * replaced, says which names changed and what they hold now, so a rebuild touches only
 * those names. Decides what one fragment cannot: a name several fragments answer goes to
 * the smallest owner key (deterministic); empty non-terminals are counted claims (NODATA
 * while any fragment claims them and none answers them); PTR targets and `<hex>.addr`
 * names are counted claims too. Pure data structure; `E` is the entry type.
 * Must never throw once a fragment is accepted (callers build fragments first, then apply).
 */
import type { Fragment } from './fragment-builder.js';

/** How the assembler makes the entries it decides itself. */
export interface EntryMakers<E> {
  /** The NODATA entry of an empty non-terminal in domain `domain`. */
  empty(domain: number): E;
  /** The PTR entry of a reverse name pointing at `targets` (sorted, not empty). */
  ptr(targets: readonly string[]): E;
  /** The `<hex>.addr` names of `address` and their entries (the same names every time). */
  addr(address: string): readonly (readonly [string, E])[];
}

/** Sink for changed names: `entry` undefined means the name is gone. */
export type NameSink<E> = (name: string, entry: E | undefined) => void;

export class ZoneAssembler<E> {
  readonly #makers: EntryMakers<E>;
  readonly #fragments = new Map<string, Fragment<E>>();
  /** name → owner, or owners (sorted) when several fragments answer it. */
  readonly #real = new Map<string, string | string[]>();
  readonly #empty = new Map<string, { domain: number; count: number }>();
  /** reverse name → target → count. */
  readonly #ptr = new Map<string, Map<string, number>>();
  readonly #addr = new Map<string, number>();
  #names = new Set<string>();
  #revs = new Set<string>();
  #addrs = new Set<string>();

  constructor(makers: EntryMakers<E>) {
    this.#makers = makers;
  }

  /** The fragment of `owner` in use. */
  fragment(owner: string): Fragment<E> | undefined {
    return this.#fragments.get(owner);
  }

  /** Owners with a fragment in use. */
  owners(): IterableIterator<string> {
    return this.#fragments.keys();
  }

  /** Puts `next` in place of owner's fragment (undefined removes it). */
  replace(owner: string, next: Fragment<E> | undefined): void {
    const prev = this.#fragments.get(owner);
    if (prev === next) return;
    if (prev) this.#withdraw(owner, prev);
    if (next) {
      this.#fragments.set(owner, next);
      this.#claim(owner, next);
    } else this.#fragments.delete(owner);
  }

  #claim(owner: string, f: Fragment<E>): void {
    for (const name of f.names.keys()) {
      const cur = this.#real.get(name);
      if (cur === undefined) this.#real.set(name, owner);
      else if (typeof cur === 'string') {
        if (cur !== owner) this.#real.set(name, [cur, owner].sort());
      } else if (!cur.includes(owner)) this.#real.set(name, [...cur, owner].sort());
      this.#names.add(name);
    }
    for (const [name, domain] of f.empties) {
      const cur = this.#empty.get(name);
      if (cur) cur.count++;
      else this.#empty.set(name, { domain, count: 1 });
      this.#names.add(name);
    }
    for (const [rev, target] of f.ptr) {
      let targets = this.#ptr.get(rev);
      if (!targets) this.#ptr.set(rev, (targets = new Map()));
      targets.set(target, (targets.get(target) ?? 0) + 1);
      this.#revs.add(rev);
    }
    for (const address of f.addrs) {
      this.#addr.set(address, (this.#addr.get(address) ?? 0) + 1);
      this.#addrs.add(address);
    }
  }

  #withdraw(owner: string, f: Fragment<E>): void {
    for (const name of f.names.keys()) {
      const cur = this.#real.get(name);
      if (cur === owner) this.#real.delete(name);
      else if (Array.isArray(cur)) {
        const rest = cur.filter((o) => o !== owner);
        this.#real.set(name, rest.length === 1 ? (rest[0] as string) : rest);
      }
      this.#names.add(name);
    }
    for (const name of f.empties.keys()) {
      const cur = this.#empty.get(name);
      if (cur && --cur.count === 0) this.#empty.delete(name);
      this.#names.add(name);
    }
    for (const [rev, target] of f.ptr) {
      const targets = this.#ptr.get(rev);
      const n = targets?.get(target) ?? 0;
      if (n > 1) targets?.set(target, n - 1);
      else targets?.delete(target);
      if (targets?.size === 0) this.#ptr.delete(rev);
      this.#revs.add(rev);
    }
    for (const address of f.addrs) {
      const n = this.#addr.get(address) ?? 0;
      if (n > 1) this.#addr.set(address, n - 1);
      else this.#addr.delete(address);
      this.#addrs.add(address);
    }
  }

  /** The entry `name` resolves to among real and empty claims. */
  #resolve(name: string): E | undefined {
    const owners = this.#real.get(name);
    if (owners !== undefined) {
      const owner = typeof owners === 'string' ? owners : (owners[0] as string);
      return this.#fragments.get(owner)?.names.get(name);
    }
    const empty = this.#empty.get(name);
    return empty ? this.#makers.empty(empty.domain) : undefined;
  }

  /**
   * Sends every name changed since the last flush, with its entry now, to `sink`; returns
   * those names. Names whose claims changed but resolve the same are sent too.
   */
  flush(sink: NameSink<E>): string[] {
    const touched: string[] = [];
    for (const name of this.#names) {
      sink(name, this.#resolve(name));
      touched.push(name);
    }
    for (const rev of this.#revs) {
      const targets = this.#ptr.get(rev);
      sink(rev, targets ? this.#makers.ptr([...targets.keys()].sort()) : undefined);
      touched.push(rev);
    }
    for (const address of this.#addrs) {
      const live = this.#addr.has(address);
      for (const [name, entry] of this.#makers.addr(address)) {
        sink(name, live ? entry : undefined);
        touched.push(name);
      }
    }
    this.#names = new Set();
    this.#revs = new Set();
    this.#addrs = new Set();
    return touched;
  }
}
