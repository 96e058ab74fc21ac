/**
 * Which entries of a read a token may see, as Consul's ACL filters decide: an instance needs
 * read on its node and its service, a check read on its node and (for a service check) its
 * service, a session read on its node. `keep` reports whether anything was left out (the
 * `X-Consul-Results-Filtered-By-ACLs` header). Pure.
 */
import type { CheckRec } from '../types.js';
import type { Authorizer } from './authorizer.js';

/** The entries `ok` allows, and whether any was dropped. */
export function keep<T>(
  items: readonly T[],
  ok: (x: T) => boolean,
): { items: T[]; filtered: boolean } {
  const kept = items.filter((x) => ok(x));
  return { items: kept, filtered: kept.length !== items.length };
}

export function instanceReadable(a: Authorizer, node: string, service: string): boolean {
  return a.nodeRead(node) && a.serviceRead(service);
}

export function checkReadable(a: Authorizer, c: Pick<CheckRec, 'node' | 'serviceName'>): boolean {
  return a.nodeRead(c.node) && (c.serviceName === '' || a.serviceRead(c.serviceName));
}
