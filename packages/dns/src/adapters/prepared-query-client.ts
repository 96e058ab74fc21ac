/**
 * Executes Consul prepared queries for `NAME.query.<domain>`: one typed call,
 * `GET /v1/query/:id-or-name/execute`, with the dns daemon's token and a deadline, its
 * answer turned into a QueryExecution by @berth/consul's own snapshot builder (the same
 * conversion the catalog watch uses). @berth/consul's client has no call for it yet, so it
 * lives here. Must never retry, cache or decide health: the caller caches, the catalog
 * filters.
 */
import {
  buildSnapshot,
  registrationsFromHealth,
  resolveConsulAddress,
  type NodeInfo,
} from '@berth/consul';
import type { ConsulServiceEntry } from '@berth/protocol';
import type { QueryExecution } from '../core/query-answer.js';
import { DnsQueryError } from '../errors.js';

/** Runs prepared queries; undefined when Consul knows no such query (404). */
export interface QueryExecutor {
  /** Throws when Consul cannot be asked or answers anything but 200 or 404. */
  execute(idOrName: string, signal?: AbortSignal): Promise<QueryExecution | undefined>;
}

/** Options of the Consul executor. */
export interface QueryClientOptions {
  readonly url?: string | undefined;
  readonly token?: string | undefined;
  /** Environment for CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN (not read when omitted). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Deadline of one call, ms. */
  readonly timeoutMs: number;
}

/** The body of a 200 from execute (the fields berth reads). */
interface ExecuteBody {
  readonly Service?: string;
  readonly Nodes?: readonly ConsulServiceEntry[] | null;
  readonly DNS?: { readonly TTL?: string } | null;
  readonly Datacenter?: string;
}

/** What an execute answer selects, as a QueryExecution. */
export function executionOf(body: ExecuteBody): QueryExecution {
  const entries = body.Nodes ?? [];
  const dc = body.Datacenter ?? '';
  const regs = registrationsFromHealth(entries, dc);
  const snapshot = buildSnapshot({
    registrations: [regs.instances],
    checks: entries.flatMap((e) => e.Checks ?? []),
    nodes: regs.nodes,
    index: 0n,
    datacenter: dc,
    fetchedAt: 0,
  });
  const nodeMeta = new Map<string, NodeInfo['meta']>();
  for (const n of regs.nodes) nodeMeta.set(n.name, n.meta);
  return {
    service: body.Service ?? '',
    ttl: body.DNS?.TTL ?? '',
    instances: [...snapshot.services.values()].flat(),
    nodeMeta,
  };
}

/** A QueryExecutor over Consul's HTTP API. */
export function queryClient(options: QueryClientOptions): QueryExecutor {
  const addr = resolveConsulAddress(options, options.env ?? {});
  const headers: Record<string, string> = addr.token ? { 'X-Consul-Token': addr.token } : {};
  return {
    async execute(idOrName, signal) {
      const deadline = AbortSignal.timeout(options.timeoutMs);
      const url = `${addr.url}/v1/query/${encodeURIComponent(idOrName)}/execute`;
      let r: Response;
      try {
        r = await fetch(url, {
          headers,
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
      } catch (e) {
        const why = deadline.aborted ? `no answer within ${options.timeoutMs} ms` : String(e);
        throw new DnsQueryError(`execute ${JSON.stringify(idOrName)}: ${why}`, { cause: e });
      }
      if (r.status === 404) {
        await r.body?.cancel();
        return undefined;
      }
      if (r.status !== 200) {
        const text = (await r.text().catch(() => '')).slice(0, 200);
        throw new DnsQueryError(`execute ${JSON.stringify(idOrName)}: ${r.status} ${text}`);
      }
      try {
        return executionOf((await r.json()) as ExecuteBody);
      } catch (e) {
        throw new DnsQueryError(`execute ${JSON.stringify(idOrName)}: ${String(e)}`, {
          cause: e,
        });
      }
    },
  };
}
