/**
 * The immutable view of the catalog that DNS and the router build their tables from.
 * A watch yields a new CatalogSnapshot (deeply frozen) every time the catalog's health or
 * service state changes; consumers read it, never mutate it.
 */

import type { CheckStatus } from '@berth/protocol';

export type { CheckStatus };

export interface InstanceCheck {
  readonly id: string;
  readonly name: string;
  readonly status: CheckStatus;
  /** '' for node-level checks (serfHealth, _node_maintenance). */
  readonly serviceId: string;
  readonly output: string;
}

export interface ServiceInstance {
  /** Consul service ID, e.g. `host:container:8080`. */
  readonly id: string;
  /** Consul service name. */
  readonly service: string;
  readonly node: string;
  /** The node's address (used when the service has none). */
  readonly nodeAddress: string;
  /** The service's own address, or the node's when the service registered none. */
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  /** Node-level and service-level checks, node checks first. */
  readonly checks: readonly InstanceCheck[];
  /** The worst status over `checks` ('passing' when there are none). */
  readonly status: CheckStatus;
  /** True when a service or node maintenance check is present. */
  readonly maintenance: boolean;
  /** The service's Consul ModifyIndex. */
  readonly modifyIndex: number;
  /** Consul's `Weights` (SRV weight while passing / warning); absent means 1 / 1. */
  readonly weights?: ServiceWeights;
}

/** Consul's service `Weights`. */
export interface ServiceWeights {
  readonly passing: number;
  readonly warning: number;
}

export interface NodeInfo {
  readonly name: string;
  readonly address: string;
  readonly datacenter: string;
  readonly meta: Readonly<Record<string, string>>;
}

export interface CatalogSnapshot {
  /** The highest Consul index this snapshot reflects. */
  readonly index: bigint;
  readonly datacenter: string;
  /** Every registered instance (healthy or not) by service name, sorted by instance ID. */
  readonly services: ReadonlyMap<string, readonly ServiceInstance[]>;
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /** Wall-clock ms when this snapshot was fetched. */
  readonly fetchedAt: number;
}
