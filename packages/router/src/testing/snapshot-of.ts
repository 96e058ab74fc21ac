/**
 * Hand-made catalog snapshots for tests and benchmarks: `{ service: [instances] }` with
 * loopback defaults. Pure data building.
 */
import type { RouteSnapshot } from '../core/snapshot-routes.js';

/** One instance in a hand-made snapshot. */
export interface FakeInstance {
  readonly port: number;
  readonly tags: readonly string[];
  readonly status?: 'passing' | 'warning' | 'critical';
  readonly address?: string;
  readonly maintenance?: boolean;
  /** Consul instance ID (default `<service>-<port>`). */
  readonly id?: string;
  readonly meta?: Readonly<Record<string, string>>;
}

type Instances = RouteSnapshot['services'] extends ReadonlyMap<string, infer V> ? V : never;

/** A RouteSnapshot from `{ service: [instances] }`. */
export function snapshotOf(services: Record<string, readonly FakeInstance[]>): RouteSnapshot {
  const m = new Map<string, Instances>();
  for (const [name, list] of Object.entries(services)) {
    m.set(
      name,
      list.map((i) => ({
        address: i.address ?? '127.0.0.1',
        nodeAddress: '127.0.0.1',
        port: i.port,
        tags: i.tags,
        status: i.status ?? 'passing',
        maintenance: i.maintenance ?? false,
        id: i.id ?? `${name}-${i.port}`,
        meta: i.meta ?? {},
      })),
    );
  }
  return { services: m };
}
