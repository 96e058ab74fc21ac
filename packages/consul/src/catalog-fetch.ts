/**
 * The catalog watch's reads beyond its two long-polls: the changed services' health
 * (/v1/health/service/:name, a bounded number at once), the node list, and the full per-node
 * resync (/v1/catalog/nodes + /v1/catalog/node/:node). Each folds what it read into the
 * working maps a round of catalog-watch.ts commits only when the whole round succeeds. Must
 * never touch the watch's committed state, and never retry (the watch backs off).
 */
import { mapLimit } from '@berth/daemon';
import type { ConsulClient } from './adapters/client.js';
import type { CatalogWatchStats } from './catalog-watch-events.js';
import type { Overlay } from './core/catalog-diff.js';
import {
  nodesFromCatalog,
  registrationsFromHealth,
  registrationsFromNode,
  type Registration,
} from './core/snapshot-build.js';
import type { NodeInfo } from './core/snapshot.js';

/** The working maps of one round: registrations by service, nodes, check overlays. */
export interface RoundMaps {
  readonly regs: Map<string, readonly Registration[]>;
  readonly nodes: Map<string, NodeInfo>;
  readonly overlays: Map<string, Overlay>;
}

/** How the reads are made. */
export interface FetchContext {
  readonly consul: ConsulClient;
  readonly concurrency: number;
  readonly datacenter: string;
  readonly signal: AbortSignal;
  readonly stats: CatalogWatchStats;
}

/**
 * Reads the health of `names` and folds it into `maps`. An answer newer than `checksIndex`
 * also becomes that service's check overlay, so a new instance never shows up without its
 * checks (and so as healthy) before the check long-poll catches up. Returns the highest
 * index of the answers (0n when none carried one).
 */
export async function fetchServices(
  c: FetchContext,
  names: readonly string[],
  checksIndex: bigint,
  maps: RoundMaps,
): Promise<bigint> {
  const fetched = await mapLimit(names, c.concurrency, (name) => {
    c.stats.serviceFetches++;
    return c.consul.healthService(name, { signal: c.signal });
  });
  let maxFetched = 0n;
  names.forEach((name, i) => {
    const r = fetched[i]!;
    if (r.index !== undefined && r.index > maxFetched) maxFetched = r.index;
    if (r.index !== undefined && r.index > checksIndex) {
      maps.overlays.set(name, { index: r.index, entries: r.body ?? [] });
    }
    const got = registrationsFromHealth(r.body, c.datacenter);
    if (got.instances.length) maps.regs.set(name, got.instances);
    else maps.regs.delete(name);
    for (const n of got.nodes) maps.nodes.set(n.name, n);
  });
  return maxFetched;
}

/** Reads the node list and adds every node to `nodes`. */
export async function fetchNodes(c: FetchContext, nodes: Map<string, NodeInfo>): Promise<void> {
  c.stats.nodeListFetches++;
  const r = await c.consul.catalogNodes({ signal: c.signal });
  for (const n of nodesFromCatalog(r.body, c.datacenter)) nodes.set(n.name, n);
}

/**
 * Replaces `regs` and `nodes` with what every node's catalog entry says (a full resync).
 * `onNodes` hears the node count before the per-node reads start. Overlays are the caller's.
 */
export async function fetchEveryNode(
  c: FetchContext,
  maps: Pick<RoundMaps, 'regs' | 'nodes'>,
  onNodes: (count: number) => void,
): Promise<void> {
  c.stats.resyncs++;
  c.stats.nodeListFetches++;
  const list = await c.consul.catalogNodes({ signal: c.signal });
  const catalogNodes = nodesFromCatalog(list.body, c.datacenter);
  onNodes(catalogNodes.length);
  const perNode = await mapLimit(catalogNodes, c.concurrency, (n) => {
    c.stats.nodeFetches++;
    return c.consul.catalogNode(n.name, { signal: c.signal });
  });
  maps.regs.clear();
  maps.nodes.clear();
  for (const n of catalogNodes) maps.nodes.set(n.name, n);
  for (const r of perNode) {
    const got = registrationsFromNode(r.body, c.datacenter);
    for (const n of got.nodes) maps.nodes.set(n.name, n);
    for (const inst of got.instances) {
      const list = maps.regs.get(inst.service);
      maps.regs.set(inst.service, list ? [...list, inst] : [inst]);
    }
  }
}
