/**
 * Scalable targets in Consul KV: read one, list all, and change one with a CAS write redone
 * on conflict (any replica may serve the API; the leader's scaling loop writes too). Must
 * never write without CAS, and never loop forever: ConcurrentUpdateException after 8 tries.
 */
import type { ConsulKv } from '@berth/consul';
import { EcsError } from '../errors.js';
import { casUpdate, type UNCHANGED } from './cas-update.js';
import type { ScalingLayout, TargetRecord } from './scaling-records.js';

export class TargetStore {
  readonly #kv: ConsulKv;
  readonly #layout: ScalingLayout;

  constructor(kv: ConsulKv, layout: ScalingLayout) {
    this.#kv = kv;
    this.#layout = layout;
  }

  async get(cluster: string, service: string): Promise<TargetRecord | undefined> {
    const got = await this.#kv.getJson<TargetRecord>(this.#layout.target(cluster, service));
    return got?.value;
  }

  /** Every target, sorted by cluster then service. */
  async list(): Promise<TargetRecord[]> {
    const entries = await this.#kv.getTree(this.#layout.root);
    const out: TargetRecord[] = [];
    for (const e of entries) {
      if (e.value === null) continue;
      try {
        out.push(JSON.parse(e.value) as TargetRecord);
      } catch {
        // A foreign or torn value is skipped, not fatal to the others.
      }
    }
    return out;
  }

  /**
   * Applies `fn` to the current record (undefined when absent) and CAS-writes its result;
   * `null` deletes; `UNCHANGED` writes nothing. Returns what was written (or kept).
   */
  async update(
    cluster: string,
    service: string,
    fn: (prev: TargetRecord | undefined) => TargetRecord | null | typeof UNCHANGED,
  ): Promise<TargetRecord | undefined> {
    return casUpdate(
      this.#kv,
      this.#layout.target(cluster, service),
      fn,
      () =>
        new EcsError(
          'ConcurrentUpdateException',
          'Concurrent updates to the scalable target; retry.',
        ),
    );
  }
}
