/**
 * compileFragment: a zone fragment with its entries in wire form, for the zone assembler.
 * Entries shared between names are compiled once and no second map of every name is made
 * (a full build has 100,000+ names). Pure; must never change the fragment it is given.
 */
import type { Fragment, ZoneFragment } from './fragment-builder.js';
import { WireCompiler, type WireName } from './compile-table.js';
import type { ZoneName } from './zone.js';

/**
 * A fragment's names with their compiled entries, without a second map of every name: the
 * plain map's entries are shared between names (FragmentBuilder), so the compiled form is
 * kept per entry, plus per name for apex names (compiled against themselves). Read-only.
 */
class CompiledNames implements ReadonlyMap<string, WireName> {
  readonly #plain: ReadonlyMap<string, ZoneName>;
  readonly #byEntry = new Map<ZoneName, WireName>();
  readonly #byName = new Map<string, WireName>();

  constructor(plain: ReadonlyMap<string, ZoneName>, domains: readonly string[]) {
    this.#plain = plain;
    const c = new WireCompiler(domains);
    for (const [name, entry] of plain) {
      if (domains.includes(name)) this.#byName.set(name, c.name(name, entry));
      else if (!this.#byEntry.has(entry)) this.#byEntry.set(entry, c.name(name, entry));
    }
  }

  get size(): number {
    return this.#plain.size;
  }

  get(name: string): WireName | undefined {
    const entry = this.#plain.get(name);
    if (entry === undefined) return undefined;
    return this.#byName.get(name) ?? this.#byEntry.get(entry);
  }

  has(name: string): boolean {
    return this.#plain.has(name);
  }

  keys(): MapIterator<string> {
    return this.#plain.keys();
  }

  *entries(): MapIterator<[string, WireName]> {
    for (const name of this.#plain.keys()) yield [name, this.get(name) as WireName];
  }

  *values(): MapIterator<WireName> {
    for (const name of this.#plain.keys()) yield this.get(name) as WireName;
  }

  forEach(cb: (value: WireName, key: string, map: ReadonlyMap<string, WireName>) => void): void {
    for (const [name, w] of this.entries()) cb(w, name, this);
  }

  [Symbol.iterator](): MapIterator<[string, WireName]> {
    return this.entries();
  }
}

/** A fragment with every entry compiled. */
export function compileFragment(f: ZoneFragment, domains: readonly string[]): Fragment<WireName> {
  return {
    names: new CompiledNames(f.names, domains),
    empties: f.empties,
    ptr: f.ptr,
    addrs: f.addrs,
  };
}
