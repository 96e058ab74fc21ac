/**
 * @berth/router: a Fabio-like HTTP router fed by the Consul catalog, behind an ELB.
 * Re-exports only; in-memory fakes are in `@berth/router/testing`.
 */
export { command } from './daemon/command.js';
export { routerOptions } from './daemon/options.js';
export { startRouter, type RouterOptions } from './daemon/start.js';
export { type RunningRouter, type RouterEvents } from './engine.js';
export { type RouteSource, type RouteSourceSink } from './core/route-source.js';
export { ConsulRouteSource, type ConsulSourceOptions } from './adapters/consul-source.js';
export {
  routesFromSnapshot,
  type RouteSnapshot,
  type SnapshotRoutes,
} from './core/snapshot-routes.js';
export {
  parseRouteCommands,
  formatRouteCommand,
  type RouteCommand,
  type AddCommand,
  type DelCommand,
  type WeightCommand,
} from './core/route-command.js';
export { routeFromTag } from './core/route-tag.js';
export {
  buildTable,
  RouteTable,
  type Route,
  type Target,
  type Matcher,
} from './core/route-table.js';
export { pickTarget, type Strategy } from './core/balancer.js';
export * from './errors.js';
