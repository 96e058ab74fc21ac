/**
 * The least privilege of each berth daemon on the catalog, as `berth dev` grants it: one ACL
 * policy per kind of daemon (the rules name exactly what its calls need, see the table in
 * packages/cli/README.md), and one token per daemon process whose AccessorID and SecretID are
 * derived from the management secret, so a restart (of a daemon, of the catalog, of `berth
 * dev`) finds or recreates the same token without keeping more secrets. Pure: no I/O.
 * It must never grant a daemon more than its calls need, nor give the agent a token.
 */

import { createHmac } from 'node:crypto';

/** The daemons that talk to the catalog (the agent talks only to the scheduler). */
export type AclDaemon = 'scheduler' | 'registrator' | 'dns' | 'router' | 'console';

/** The router's manual routes (`--kv-path`, Fabio's `fabio/config`; berth dev keeps it). */
export const ROUTER_KV_PATH = 'fabio/config';
/** The scheduler's KV prefix (`--kv-prefix`; berth dev keeps the default). */
export const SCHEDULER_KV_PREFIX = 'berth/';

export interface DaemonPolicy {
  readonly name: string;
  readonly description: string;
  /** HCL rules, as `PUT /v1/acl/policy` takes them. */
  readonly rules: string;
}

const rule = (kind: string, name: string, policy: 'read' | 'write'): string =>
  `${kind} ${JSON.stringify(name)} { policy = ${JSON.stringify(policy)} }`;

/**
 * What each daemon's calls need (default deny covers the rest):
 * - scheduler: its state under `berth/` (reads, CAS writes, transactions, the leader key with
 *   `?acquire`), the leader lock's sessions (create, renew, destroy, also a dead replica's)
 *   on the catalog's node, and draining a task before it stops: list the agent's services,
 *   put them in maintenance (service write) and watch `/v1/health/service/:name` until they
 *   are no longer passing (node read: without it every entry is filtered out and the drain
 *   would end at once).
 * - registrator: registers, deregisters, sets maintenance and TTL check status of container
 *   services on the agent API (service write), lists the agent's services and checks (the
 *   catalog shows a check only to a token that may read its node too: without node read the
 *   registrator would see none of its checks, nor its maintenance). No node write: it never
 *   registers a node-level check.
 * - dns, console: `watchCatalog` (catalog services, nodes and node, health state and service).
 *   Prepared-query execution needs no `query` rule (its results are filtered by service and
 *   node read), so none is granted.
 * - router: the same watch, and a blocking recursive read of its manual routes (the key and
 *   the keys under it).
 */
export const DAEMON_POLICIES: Readonly<Record<AclDaemon, DaemonPolicy>> = {
  scheduler: {
    name: 'berth-scheduler',
    description: 'berth dev: the scheduler (its KV state, the leader lock, draining tasks)',
    rules: [
      rule('key_prefix', SCHEDULER_KV_PREFIX, 'write'),
      rule('session_prefix', '', 'write'),
      rule('service_prefix', '', 'write'),
      rule('node_prefix', '', 'read'),
    ].join('\n'),
  },
  registrator: {
    name: 'berth-registrator',
    description: 'berth dev: a registrator (container services on the agent API)',
    rules: [rule('service_prefix', '', 'write'), rule('node_prefix', '', 'read')].join('\n'),
  },
  dns: {
    name: 'berth-dns',
    description: 'berth dev: a dns (watches the catalog)',
    rules: [rule('service_prefix', '', 'read'), rule('node_prefix', '', 'read')].join('\n'),
  },
  router: {
    name: 'berth-router',
    description: 'berth dev: a router (watches the catalog and its manual routes in KV)',
    rules: [
      rule('service_prefix', '', 'read'),
      rule('node_prefix', '', 'read'),
      rule('key', ROUTER_KV_PATH, 'read'),
      rule('key_prefix', `${ROUTER_KV_PATH}/`, 'read'),
    ].join('\n'),
  },
  console: {
    name: 'berth-console',
    description: 'berth dev: the web console (watches the catalog)',
    rules: [rule('service_prefix', '', 'read'), rule('node_prefix', '', 'read')].join('\n'),
  },
};

/**
 * The kind of daemon a `berth dev` label names (`registrator@h2` → registrator, `scheduler@2`
 * → scheduler); undefined for the catalog and the agents, which get no token.
 */
export function aclDaemon(label: string): AclDaemon | undefined {
  const kind = label.split('@')[0] ?? '';
  return Object.hasOwn(DAEMON_POLICIES, kind) ? (kind as AclDaemon) : undefined;
}

/** A UUID (version 4 layout) from the HMAC of `what` under `key`: stable, unguessable. */
function derivedUuid(key: string, what: string): string {
  const b = createHmac('sha256', key).update(what).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The token a daemon process gets: the same for the same label and management secret. */
export interface DaemonToken {
  readonly label: string;
  readonly daemon: AclDaemon;
  readonly accessorId: string;
  readonly secretId: string;
  readonly description: string;
  readonly policy: string;
}

/** The token of the daemon labelled `label`, or undefined for one that gets none. */
export function daemonToken(managementSecret: string, label: string): DaemonToken | undefined {
  const daemon = aclDaemon(label);
  if (!daemon) return undefined;
  return {
    label,
    daemon,
    accessorId: derivedUuid(managementSecret, `berth dev accessor ${label}`),
    secretId: derivedUuid(managementSecret, `berth dev secret ${label}`),
    description: `berth dev: ${label}`,
    policy: DAEMON_POLICIES[daemon].name,
  };
}
