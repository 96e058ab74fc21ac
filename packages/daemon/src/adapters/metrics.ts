/**
 * One prom-client Registry per daemon with Node's default process metrics, labelled with the
 * component. Packages create their own metrics on the registry they are handed.
 */

import { Registry, collectDefaultMetrics } from 'prom-client';

export { Registry, Counter, Gauge, Histogram, Summary } from 'prom-client';

/** A fresh registry carrying process and Node.js metrics and a `component` label. */
export function createRegistry(component: string, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return registry;
}
