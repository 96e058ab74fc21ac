/**
 * The console's URLs: each view has a stable path that can be shared, and this maps a path to
 * the view and its parameters. Pure (no DOM); must never navigate by itself.
 */

export type Route =
  | { readonly view: 'home' }
  | { readonly view: 'overview'; readonly cluster: string }
  | { readonly view: 'services'; readonly cluster: string }
  | { readonly view: 'service'; readonly cluster: string; readonly name: string }
  | { readonly view: 'tasks'; readonly cluster: string }
  | { readonly view: 'task'; readonly cluster: string; readonly id: string }
  | { readonly view: 'instances'; readonly cluster: string }
  | { readonly view: 'instance'; readonly cluster: string; readonly id: string }
  | { readonly view: 'families' }
  | { readonly view: 'task-definition'; readonly name: string }
  | { readonly view: 'edit-task-definition'; readonly name: string }
  | { readonly view: 'discovery' }
  | { readonly view: 'registry' }
  | { readonly view: 'not-found'; readonly path: string };

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The route of a path (`/c/default/services/hello`). */
export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(dec);
  const [a, b, c, d, e] = parts;
  if (parts.length === 0) return { view: 'home' };
  if (a === 'c' && b) {
    if (c === undefined) return { view: 'overview', cluster: b };
    if (e === undefined) {
      if (c === 'services')
        return d ? { view: 'service', cluster: b, name: d } : { view: 'services', cluster: b };
      if (c === 'tasks')
        return d ? { view: 'task', cluster: b, id: d } : { view: 'tasks', cluster: b };
      if (c === 'instances')
        return d ? { view: 'instance', cluster: b, id: d } : { view: 'instances', cluster: b };
    }
  }
  if (a === 'task-definitions') {
    if (b === undefined) return { view: 'families' };
    if (c === undefined) return { view: 'task-definition', name: b };
    if (c === 'edit' && d === undefined) return { view: 'edit-task-definition', name: b };
  }
  if (a === 'discovery' && b === undefined) return { view: 'discovery' };
  if (a === 'registry' && b === undefined) return { view: 'registry' };
  return { view: 'not-found', path };
}

const enc = encodeURIComponent;

/** Paths of the views, the one way pages link to each other. */
export const paths = {
  overview: (cluster: string) => `/c/${enc(cluster)}`,
  services: (cluster: string) => `/c/${enc(cluster)}/services`,
  service: (cluster: string, name: string) => `/c/${enc(cluster)}/services/${enc(name)}`,
  tasks: (cluster: string) => `/c/${enc(cluster)}/tasks`,
  task: (cluster: string, id: string) => `/c/${enc(cluster)}/tasks/${enc(id)}`,
  instances: (cluster: string) => `/c/${enc(cluster)}/instances`,
  instance: (cluster: string, id: string) => `/c/${enc(cluster)}/instances/${enc(id)}`,
  families: () => '/task-definitions',
  taskDefinition: (name: string) => `/task-definitions/${enc(name)}`,
  editTaskDefinition: (name: string) => `/task-definitions/${enc(name)}/edit`,
  discovery: () => '/discovery',
  registry: () => '/registry',
};

/** The cluster a route is about, if any. */
export function routeCluster(r: Route): string | undefined {
  return 'cluster' in r ? r.cluster : undefined;
}
