/**
 * Turns a catalog snapshot into the canonical, sorted `route add` lines the table is built
 * from. Only passing instances outside maintenance get traffic; a source none of whose
 * instances passes gets `status=<why>` lines, so the table knows it and answers 503 rather
 * than letting its requests fall through to a shorter prefix. Pure: never does I/O or logs;
 * malformed tags come back as warnings for the daemon to log.
 */
import { formatRouteCommand } from './route-command.js';
import { routeFromTag } from './route-tag.js';
import { TagError } from '../errors.js';

/**
 * The part of `@berth/consul`'s CatalogSnapshot the router reads. Structural, so a real
 * snapshot fits and tests can build small ones by hand.
 */
export interface RouteSnapshot {
  readonly services: ReadonlyMap<
    string,
    readonly {
      readonly address: string;
      readonly nodeAddress: string;
      readonly port: number;
      readonly tags: readonly string[];
      readonly status: string;
      readonly maintenance: boolean;
      /** Consul instance ID and Meta (request counts per instance read them). */
      readonly id?: string;
      readonly meta?: Readonly<Record<string, string>>;
    }[]
  >;
}

/** The route lines of one snapshot and the tags that were skipped. */
export interface SnapshotRoutes {
  /** Sorted, de-duplicated `route add` lines. */
  readonly lines: readonly string[];
  readonly warnings: readonly TagError[];
}

/** Builds the sorted route commands for every healthy tagged instance of `snapshot`. */
export function routesFromSnapshot(snapshot: RouteSnapshot, tagPrefix: string): SnapshotRoutes {
  const lines = new Set<string>();
  const live = new Set<string>();
  const down = new Map<string, string[]>();
  const warnings = new Map<string, TagError>();
  for (const [service, instances] of snapshot.services) {
    for (const inst of instances) {
      const status = inst.maintenance ? 'maintenance' : inst.status;
      for (const tag of inst.tags) {
        try {
          const cmd = routeFromTag(tag, tagPrefix, {
            service,
            address: inst.address || inst.nodeAddress,
            port: inst.port,
            tags: inst.tags,
          });
          if (cmd === undefined) continue;
          if (status === 'passing') {
            lines.add(formatRouteCommand(cmd));
            live.add(cmd.src);
          } else {
            const list = down.get(cmd.src) ?? [];
            list.push(formatRouteCommand({ ...cmd, opts: { ...cmd.opts, status } }));
            down.set(cmd.src, list);
          }
        } catch (err) {
          if (err instanceof TagError) warnings.set(err.message, err);
          else throw err;
        }
      }
    }
  }
  for (const [src, list] of down) if (!live.has(src)) for (const l of list) lines.add(l);
  return { lines: [...lines].sort(), warnings: [...warnings.values()] };
}
