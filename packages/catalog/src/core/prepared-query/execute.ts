/**
 * Running a prepared query (Consul's `prepared_query_endpoint.go` Execute): find it by ID, by
 * name (without regard to case, as Consul's index), or by the longest `name_prefix_match` template; then take the service's healthy
 * instances (never critical, not warning either with OnlyPassing, IgnoreCheckIDs ignored),
 * keep those with every wanted tag and none of the `!tags`, the wanted node and service meta,
 * shuffle them, put the `Near` node first, and cut at `limit`. Pure: randomness comes in.
 */
import { healthService, type HealthInstance, type Result } from '../queries.js';
import type { State } from '../state.js';
import type { QueryRec, QueryService } from '../types.js';
import { renderTemplate } from './template.js';

export interface Resolved {
  readonly query: QueryRec;
  /** The service definition with template variables filled in. */
  readonly service: QueryService;
}

/** Finds the query `idOrName` names; undefined when none does. */
export function resolveQuery(s: State, idOrName: string): Resolved | undefined {
  const byId = s.queries.get(idOrName);
  if (byId) return { query: byId, service: renderTemplate(byId, byId.name) };
  // Names and template prefixes match without regard to case, as Consul's indexes do.
  const wanted = idOrName.toLowerCase();
  let best: QueryRec | undefined;
  for (const q of s.queries.values()) {
    const name = q.name.toLowerCase();
    if (q.templateType === '' && name !== '' && name === wanted) {
      return { query: q, service: q.service };
    }
    if (q.templateType !== '' && wanted.startsWith(name)) {
      if (!best || q.name.length > best.name.length) best = q;
    }
  }
  return best ? { query: best, service: renderTemplate(best, idOrName) } : undefined;
}

export interface ExecuteOptions {
  /** `?near=` (overrides the query's Near); `_agent` is the catalog's own node. */
  readonly near: string;
  /** `?limit=`; 0 for all. */
  readonly limit: number;
  readonly agentNode: string;
  /** The node `_ip` stands for (the node whose address made the request), if any. */
  readonly ipNode?: string | undefined;
  readonly random: () => number;
}

function tagsMatch(have: readonly string[], want: readonly string[]): boolean {
  const lower = new Set(have.map((t) => t.toLowerCase()));
  return want.every((t) =>
    t.startsWith('!') ? !lower.has(t.slice(1).toLowerCase()) : lower.has(t.toLowerCase()),
  );
}

function metaMatch(
  have: Readonly<Record<string, string>>,
  want: Readonly<Record<string, string>> | null,
): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have[k] === v);
}

/** The instances a query's service definition selects, in answer order. */
export function executeQuery(
  s: State,
  svc: QueryService,
  o: ExecuteOptions,
): Result<HealthInstance[]> {
  const base = healthService(s, svc.service);
  if (svc.peer !== '') return { index: base.index, value: [] };
  const ignore = new Set(svc.ignoreCheckIds ?? []);
  const nodes = base.value.filter((i) => {
    const checks = i.checks.filter((c) => !ignore.has(c.checkId));
    if (checks.some((c) => c.status === 'critical')) return false;
    if (svc.onlyPassing && checks.some((c) => c.status === 'warning')) return false;
    if (svc.connect && i.service.kind !== 'connect-proxy') return false;
    return (
      tagsMatch(i.service.tags, svc.tags ?? []) &&
      metaMatch(i.node.meta, svc.nodeMeta) &&
      metaMatch(i.service.meta, svc.serviceMeta)
    );
  });
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(o.random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j] as HealthInstance, nodes[i] as HealthInstance];
  }
  const nearName = o.near || svc.near;
  const near =
    nearName === '_agent' ? o.agentNode : nearName === '_ip' ? (o.ipNode ?? '') : nearName;
  if (near !== '') {
    // Every coordinate is the origin: only the near node itself is closer than the rest.
    nodes.sort((a, b) => Number(b.node.node === near) - Number(a.node.node === near));
  }
  return { index: base.index, value: o.limit > 0 ? nodes.slice(0, o.limit) : nodes };
}
