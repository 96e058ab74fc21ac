/**
 * The write context of one applied operation: it carries the index the operation will get,
 * the clock reading passed in by the caller, records what was touched so the store can raise
 * per-table and per-service indexes and describe the change, and journals every mutation so
 * that a failed operation (a throw, or a transaction with errors) is rolled back completely.
 * No I/O, no clock reads. Every mutation of the state must go through `put`/`drop`/`field`.
 */
import type { State } from './state.js';
import type { Change, CheckRec, Table } from './types.js';

export class Tx {
  readonly #tables = new Set<Table>();
  readonly #kvKeys: string[] = [];
  readonly #serviceNames = new Set<string>();
  readonly #checks: string[] = [];
  readonly #undo: (() => void)[] = [];
  readonly sessionsDestroyed: string[] = [];
  readonly sessionsCreated: string[] = [];

  constructor(
    readonly state: State,
    readonly index: number,
    readonly now: number,
    readonly replay: boolean,
  ) {}

  get dirty(): boolean {
    return this.#tables.size > 0;
  }

  /** `map.set(key, value)`, journaled. */
  put<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.has(key)) {
      const old = map.get(key) as V;
      this.#undo.push(() => map.set(key, old));
    } else {
      this.#undo.push(() => map.delete(key));
    }
    map.set(key, value);
  }

  /** `map.delete(key)`, journaled; false when the key was absent. */
  drop<K, V>(map: Map<K, V>, key: K): boolean {
    if (!map.has(key)) return false;
    const old = map.get(key) as V;
    this.#undo.push(() => map.set(key, old));
    map.delete(key);
    return true;
  }

  /** `obj[prop] = value`, journaled. */
  field<T extends object, P extends keyof T>(obj: T, prop: P, value: T[P]): void {
    const old = obj[prop];
    this.#undo.push(() => {
      obj[prop] = old;
    });
    obj[prop] = value;
  }

  /** Undoes every mutation of this operation and forgets what it touched. */
  rollback(): void {
    for (let i = this.#undo.length - 1; i >= 0; i--) (this.#undo[i] as () => void)();
    this.#undo.length = 0;
    this.#tables.clear();
    this.#kvKeys.length = 0;
    this.#serviceNames.clear();
    this.#checks.length = 0;
    this.sessionsDestroyed.length = 0;
    this.sessionsCreated.length = 0;
  }

  kv(key: string): void {
    this.#tables.add('kv');
    this.#kvKeys.push(key);
    this.field(this.state.tableIndex, 'kv', this.index);
  }

  /** A service instance was added, changed or removed. */
  service(name: string): void {
    this.#tables.add('services');
    this.field(this.state.tableIndex, 'services', this.index);
    this.serviceHealth(name);
  }

  /** Something about a service's instances' health changed (not the service list). */
  serviceHealth(name: string): void {
    this.#serviceNames.add(name);
    this.put(this.state.serviceIndex, name, this.index);
  }

  #servicesOn(node: string): void {
    for (const s of this.state.services.get(node)?.values() ?? []) this.serviceHealth(s.service);
  }

  check(rec: CheckRec): void {
    this.#tables.add('checks');
    this.field(this.state.tableIndex, 'checks', this.index);
    this.#checks.push(`${rec.node}\0${rec.checkId}`);
    if (rec.serviceId !== '') {
      if (rec.serviceName !== '') this.serviceHealth(rec.serviceName);
    } else {
      this.#servicesOn(rec.node);
    }
  }

  node(name: string): void {
    this.#tables.add('nodes');
    this.field(this.state.tableIndex, 'nodes', this.index);
    this.#servicesOn(name);
  }

  /** Touches a table without finer-grained indexes (ACLs, prepared queries). */
  table(t: 'acl' | 'queries'): void {
    this.#tables.add(t);
    this.field(this.state.tableIndex, t, this.index);
  }

  session(): void {
    this.#tables.add('sessions');
    this.field(this.state.tableIndex, 'sessions', this.index);
  }

  change(): Change {
    return {
      index: this.index,
      tables: this.#tables,
      kvKeys: this.#kvKeys,
      serviceNames: this.#serviceNames,
      sessionsDestroyed: this.sessionsDestroyed,
      sessionsCreated: this.sessionsCreated,
      checks: this.#checks,
    };
  }
}
