/**
 * The discovery page: the catalog's services with the health of each instance, the routers'
 * tables and what `name.service.consul` answers. Pure: built from a catalog snapshot, the
 * routers' `/api/routes` answers and DNS answers; must never query anything.
 */
import type { CatalogSnapshot } from '@berth/consul';
import type { CatalogEndpoint, RouterTable } from './service-view.js';
import type { CatalogInstanceView, DiscoveryView, DnsAnswer, RouteView } from './view-types.js';

/** Every instance of a snapshot as host:port endpoints (for reach). */
export function catalogEndpoints(snapshot: CatalogSnapshot | undefined): CatalogEndpoint[] {
  if (!snapshot) return [];
  return [...snapshot.services.values()]
    .flat()
    .map((i) => ({ service: i.service, address: i.address, port: i.port }));
}

/** A router's answer, or why there is none. */
export type RouterAnswer = RouterTable & { readonly error: string | undefined };

export function buildDiscovery(
  snapshot: CatalogSnapshot | undefined,
  routers: readonly RouterAnswer[],
  dns: ReadonlyMap<string, DnsAnswer>,
  staleSince: number | undefined,
): DiscoveryView {
  const services = [...(snapshot?.services.entries() ?? [])]
    .filter(([name]) => name !== 'consul')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, list]) => {
      const instances: CatalogInstanceView[] = list.map((i) => ({
        id: i.id,
        node: i.node,
        address: i.address,
        port: i.port,
        status: i.maintenance ? 'maintenance' : i.status,
        tags: [...i.tags],
        checks: i.checks.map((c) => ({ name: c.name, status: c.status, output: c.output })),
      }));
      return {
        name,
        passing: instances.filter((i) => i.status === 'passing').length,
        total: instances.length,
        instances,
        dns: dns.get(name),
      };
    });
  return {
    services,
    routers: routers.map((r) => ({
      url: r.router,
      routes: r.routes.map((x): RouteView => ({
        router: r.router,
        src: x.src,
        targets: x.targets.map((t) => ({ ...t })),
      })),
      error: r.error,
    })),
    staleSince,
  };
}
