/**
 * `startCatalog`: the programmatic way to run a catalog (tests of every package use it
 * in-process, port 0 included) and what `berth catalog` calls. It wires the runtime, the HTTP
 * server, metrics and health; it never logs (callers pass `onWarn`/`onError`).
 */
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import {
  adminHandler,
  createRegistry,
  Health,
  parseListen,
  type ListenAddress,
  type Registry,
} from '@berth/daemon';
import { type AclSettings, Catalog } from '../engine.js';
import { CatalogOptionError } from '../errors.js';
import { compileFilter } from '../core/filter/index.js';
import { createCatalogServer } from '../adapters/http/server.js';
import { catalogMetrics } from './metrics.js';

export interface StartCatalogOptions {
  /** `host:port` or a ListenAddress; default 127.0.0.1:8500. Port 0 picks a free port. */
  readonly listen?: string | ListenAddress;
  /** Durable state directory; memory only when absent. */
  readonly dataDir?: string | undefined;
  /** Consul's `acl.enabled`. */
  readonly aclEnabled?: boolean | undefined;
  /** `acl.default_policy` (default allow; deny when only `aclToken` turns ACLs on). */
  readonly aclDefaultPolicy?: string | undefined;
  readonly aclEnableTokenPersistence?: boolean | undefined;
  /** `acl.tokens.initial_management`. */
  readonly aclInitialManagement?: string | undefined;
  readonly aclAgentToken?: string | undefined;
  readonly aclDefaultToken?: string | undefined;
  readonly aclAgentRecoveryToken?: string | undefined;
  /**
   * Shorthand: ACLs on, default policy deny, this secret as the initial management token
   * (berth's single shared token of old).
   */
  readonly aclToken?: string | undefined;
  /** `/metrics` only with this token. */
  readonly metricsToken?: string | undefined;
  /** `enable_script_checks`. */
  readonly enableScriptChecks?: boolean | undefined;
  /** `enable_local_script_checks`. */
  readonly enableLocalScriptChecks?: boolean | undefined;
  /** Node name; default the host name. */
  readonly node?: string | undefined;
  readonly datacenter?: string | undefined;
  /** Address reported for the node and the leader; default 127.0.0.1. */
  readonly advertise?: string | undefined;
  /** Accept python-consul 0.7.1's GET writes. */
  readonly legacyClients?: boolean | undefined;
  readonly registry?: Registry | undefined;
  readonly health?: Health | undefined;
  readonly snapshotEvery?: number | undefined;
  readonly reapIntervalMs?: number | undefined;
  readonly deregisterMinMs?: number | undefined;
  readonly checkMinIntervalMs?: number | undefined;
  /**
   * Start an empty store's index at the wall clock in µs instead of 1, so a memory-only catalog
   * that restarts never moves indexes backwards, and block (as Consul) when a client asks for
   * an index ahead of ours. Default false here (tests want small indexes and rely on a restart
   * resetting them); the `berth catalog` daemon turns it on (`--seed-index`).
   */
  readonly seedIndex?: boolean | undefined;
  /** Blocked queries answered per event-loop turn after a write (default 256). */
  readonly fanOutChunk?: number | undefined;
  /** Tests only: scales session TTL expiry (Consul: 2 × TTL). */
  readonly sessionTtlMultiplier?: number | undefined;
  readonly onWarn?: ((message: string) => void) | undefined;
  readonly onError?: ((err: unknown) => void) | undefined;
}

export interface RunningCatalog {
  /** `http://host:port` of the listener. */
  readonly url: string;
  readonly address: AddressInfo;
  readonly catalog: Catalog;
  readonly registry: Registry;
  readonly health: Health;
  /** Stops listening, drops open connections, flushes the log and snapshots. */
  close(): Promise<void>;
}

function listenOf(v: StartCatalogOptions['listen']): ListenAddress {
  if (v === undefined) return { host: '127.0.0.1', port: 8500 };
  if (typeof v !== 'string') return v;
  const l = parseListen(v);
  if (!l) throw new CatalogOptionError(`listen: ${JSON.stringify(v)} is not host:port`);
  return l;
}

/** Consul's `acl` stanza from the flat options (`aclToken` is a shorthand). */
function aclSettings(o: StartCatalogOptions): AclSettings | undefined {
  const enabled = o.aclEnabled === true || (o.aclToken !== undefined && o.aclToken !== '');
  if (!enabled) return undefined;
  const policy = o.aclDefaultPolicy ?? (o.aclEnabled ? 'allow' : 'deny');
  if (policy !== 'allow' && policy !== 'deny') {
    throw new CatalogOptionError(
      `aclDefaultPolicy: ${JSON.stringify(policy)} is not allow or deny`,
    );
  }
  return {
    enabled,
    defaultPolicy: policy,
    enableTokenPersistence: o.aclEnableTokenPersistence,
    initialManagement: o.aclInitialManagement || o.aclToken || undefined,
    agentToken: o.aclAgentToken,
    defaultToken: o.aclDefaultToken,
    agentRecoveryToken: o.aclAgentRecoveryToken,
  };
}

/** Starts a catalog and its HTTP listener. */
export async function startCatalog(options: StartCatalogOptions = {}): Promise<RunningCatalog> {
  const listen = listenOf(options.listen);
  const registry = options.registry ?? createRegistry('catalog', false);
  const health = options.health ?? new Health();
  health.starting();
  const onWarn = options.onWarn ?? (() => {});
  const catalog = await Catalog.open(
    {
      node: options.node || hostname(),
      datacenter: options.datacenter || 'dc1',
      advertise: options.advertise || '127.0.0.1',
      dataDir: options.dataDir,
      snapshotEvery: options.snapshotEvery,
      reapIntervalMs: options.reapIntervalMs,
      deregisterMinMs: options.deregisterMinMs,
      checkMinIntervalMs: options.checkMinIntervalMs,
      sessionTtlMultiplier: options.sessionTtlMultiplier,
      indexSeed: options.seedIndex ? Date.now() * 1000 : undefined,
      fanOutChunk: options.fanOutChunk,
      acl: aclSettings(options),
      enableScriptChecks: options.enableScriptChecks,
      enableLocalScriptChecks: options.enableLocalScriptChecks,
    },
    onWarn,
  );
  catalog.on('warn', onWarn);
  catalog.on('walError', (err: Error) => health.degraded([`write-ahead log: ${err.message}`]));
  const observe = catalogMetrics(registry, catalog);
  const server = createCatalogServer({
    catalog,
    metricsToken: options.metricsToken,
    legacyClients: options.legacyClients,
    compileFilter,
    admin: adminHandler({ health, registry }),
    observe,
    onError: options.onError,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host || undefined, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await catalog.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  health.ok();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    address,
    catalog,
    registry,
    health,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await catalog.close();
      })()),
  };
}
