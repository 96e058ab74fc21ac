/**
 * Pure change detection for the catalog watch: which services must be re-fetched, judged from
 * the two cheap long-polls (/v1/catalog/services and /v1/health/state/any) against the
 * registrations already held. Must never do I/O; see README "Watch design" for what these
 * signals cannot see and how the watch covers it.
 */
import type { ConsulHealthCheck, ConsulServiceEntry } from '@berth/protocol';
import type { Registration } from './snapshot-build.js';

/** Service names added, removed, or with a different tag set in /v1/catalog/services. */
export interface ServicesDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly retagged: string[];
}

function tagKey(tags: readonly string[] | null | undefined): string {
  return JSON.stringify([...new Set(tags ?? [])].sort());
}

/** Compare two /v1/catalog/services bodies (`prev` undefined: everything is added). */
export function diffServices(
  prev: Readonly<Record<string, readonly string[] | null>> | undefined,
  next: Readonly<Record<string, readonly string[] | null>>,
): ServicesDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const retagged: string[] = [];
  for (const [name, tags] of Object.entries(next)) {
    if (!prev || !Object.hasOwn(prev, name)) added.push(name);
    else if (tagKey(prev[name]) !== tagKey(tags)) retagged.push(name);
  }
  if (prev)
    for (const name of Object.keys(prev)) if (!Object.hasOwn(next, name)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), retagged: retagged.sort() };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Services whose registrations the check list contradicts: a service check for an instance
 * we do not hold (a new registration), an instance that had checks and has none now (likely
 * deregistered), or check ServiceTags that differ from the held tags (re-registered).
 */
export function dirtyFromChecks(
  prev: readonly ConsulHealthCheck[] | undefined,
  next: readonly ConsulHealthCheck[],
  registrations: ReadonlyMap<string, readonly Registration[]>,
): Set<string> {
  const dirty = new Set<string>();
  // node → service ID → registration (nested maps: no key strings to build per check).
  const held = new Map<string, Map<string, Registration>>();
  for (const list of registrations.values()) {
    for (const r of list) {
      let m = held.get(r.node);
      if (!m) held.set(r.node, (m = new Map()));
      m.set(r.id, r);
    }
  }
  const nowChecked = new Map<string, Set<string>>();
  for (const c of next) {
    if (!c.ServiceID) continue;
    let ids = nowChecked.get(c.Node);
    if (!ids) nowChecked.set(c.Node, (ids = new Set()));
    ids.add(c.ServiceID);
    const r = held.get(c.Node)?.get(c.ServiceID);
    if (!r || r.service !== c.ServiceName) {
      dirty.add(c.ServiceName);
      if (r) dirty.add(r.service);
    } else if (c.ServiceTags && !sameTags(c.ServiceTags, r.tags)) {
      dirty.add(c.ServiceName);
    }
  }
  for (const c of prev ?? []) {
    if (!c.ServiceID || nowChecked.get(c.Node)?.has(c.ServiceID)) continue;
    if (held.get(c.Node)?.has(c.ServiceID)) dirty.add(c.ServiceName);
  }
  return dirty;
}

/** Node names mentioned by checks that are missing from `known` (a node we must fetch). */
export function unknownNodes(
  checks: readonly ConsulHealthCheck[],
  known: { has(name: string): boolean },
): Set<string> {
  const out = new Set<string>();
  for (const c of checks) if (!known.has(c.Node)) out.add(c.Node);
  return out;
}

/**
 * Replace, in `checks`, every check of service `name` and the node checks of the nodes that
 * run it with the checks of a /v1/health/service/:name answer. Used when that answer is newer
 * than the check list, so a new instance never shows up without its checks (which would make
 * it look healthy until /v1/health/state/any catches up).
 */
export function overlayChecks(
  checks: readonly ConsulHealthCheck[],
  name: string,
  entries: readonly ConsulServiceEntry[] | null | undefined,
): ConsulHealthCheck[] {
  const nodes = new Set((entries ?? []).map((e) => e.Node.Node));
  const kept = checks.filter((c) => (c.ServiceID ? c.ServiceName !== name : !nodes.has(c.Node)));
  const seen = new Set<string>();
  for (const e of entries ?? []) {
    for (const c of e.Checks ?? []) {
      const key = `${c.Node}\u0000${c.CheckID}`;
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push(c);
    }
  }
  return kept;
}

/** A per-service answer fresher than the check list: its checks win. */
export interface Overlay {
  readonly index: bigint;
  readonly entries: readonly ConsulServiceEntry[];
}

/** The check list with the checks of fresher per-service answers laid over it. */
export function withOverlays(
  base: readonly ConsulHealthCheck[],
  overlays: ReadonlyMap<string, Overlay>,
  baseIndex: bigint,
): ConsulHealthCheck[] {
  let out = [...base];
  for (const [name, o] of overlays)
    if (o.index > baseIndex) out = overlayChecks(out, name, o.entries);
  return out;
}
