/**
 * The write context of one applied operation: it carries the index the operation will get,
 * the clock reading passed in by the caller, and records what was touched so the store can
 * raise per-table and per-service indexes and describe the change. No I/O, no clock reads.
 */
import type { State } from './state.js';
import type { Change, CheckRec, Table } from './types.js';

export class Tx {
  readonly #tables = new Set<Table>();
  readonly #kvKeys: string[] = [];
  readonly #serviceNames = new Set<string>();
  readonly #checks: string[] = [];
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

  kv(key: string): void {
    this.#tables.add('kv');
    this.#kvKeys.push(key);
    this.state.tableIndex.kv = this.index;
  }

  /** A service instance was added, changed or removed. */
  service(name: string): void {
    this.#tables.add('services');
    this.state.tableIndex.services = this.index;
    this.serviceHealth(name);
  }

  /** Something about a service's instances' health changed (not the service list). */
  serviceHealth(name: string): void {
    this.#serviceNames.add(name);
    this.state.serviceIndex.set(name, this.index);
  }

  #servicesOn(node: string): void {
    for (const s of this.state.services.get(node)?.values() ?? []) this.serviceHealth(s.service);
  }

  check(rec: CheckRec): void {
    this.#tables.add('checks');
    this.state.tableIndex.checks = this.index;
    this.#checks.push(`${rec.node}\0${rec.checkId}`);
    if (rec.serviceId !== '') {
      if (rec.serviceName !== '') this.serviceHealth(rec.serviceName);
    } else {
      this.#servicesOn(rec.node);
    }
  }

  node(name: string): void {
    this.#tables.add('nodes');
    this.state.tableIndex.nodes = this.index;
    this.#servicesOn(name);
  }

  session(): void {
    this.#tables.add('sessions');
    this.state.tableIndex.sessions = this.index;
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
