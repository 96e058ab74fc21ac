/**
 * @berth/router: a Fabio-like HTTP router fed by the Consul catalog, behind an ELB.
 * Re-exports only.
 */
export { command, routerOptions } from './command.js';
export {
  startRouter,
  type RouterOptions,
  type RunningRouter,
  type RouterEvents,
} from './router.js';
export { type RouteSource, type RouteSourceSink, MemoryRouteSource } from './route-source.js';
export { ConsulRouteSource, type ConsulSourceOptions } from './consul-source.js';
export { routesFromSnapshot, type RouteSnapshot, type SnapshotRoutes } from './snapshot-routes.js';
export {
  parseRouteCommands,
  formatRouteCommand,
  type RouteCommand,
  type AddCommand,
  type DelCommand,
  type WeightCommand,
} from './route-command.js';
export { routeFromTag } from './route-tag.js';
export { buildTable, RouteTable, type Route, type Target, type Matcher } from './route-table.js';
export { pickTarget, type Strategy } from './balancer.js';
export { type TargetGroup, type ElbTarget, AwsTargetGroup, ElbRegistrar } from './target-group.js';
export * from './errors.js';
