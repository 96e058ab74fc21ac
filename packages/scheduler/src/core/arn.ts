/**
 * ECS ARNs as ECS forms them (`arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`, ...) and
 * their parsing back into names and IDs. Pure; must never look anything up.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

/** Region and account that every ARN of this scheduler carries. */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

/** The kinds of ECS resources berth names. */
export type ArnKind = 'cluster' | 'container-instance' | 'task' | 'task-definition' | 'service';

/** A parsed ECS ARN. `name` is the cluster name, the id, or `family:revision`. */
export interface ParsedArn {
  readonly kind: ArnKind;
  readonly region: string;
  readonly accountId: string;
  /** The cluster for container-instance / task / service ARNs (new long form). */
  readonly cluster: string | undefined;
  readonly name: string;
}

const prefix = (s: ArnScope): string => `arn:aws:ecs:${s.region}:${s.accountId}:`;

export const clusterArn = (s: ArnScope, name: string): string => `${prefix(s)}cluster/${name}`;
export const instanceArn = (s: ArnScope, cluster: string, id: string): string =>
  `${prefix(s)}container-instance/${cluster}/${id}`;
export const taskArn = (s: ArnScope, cluster: string, id: string): string =>
  `${prefix(s)}task/${cluster}/${id}`;
export const taskDefinitionArn = (s: ArnScope, family: string, revision: number): string =>
  `${prefix(s)}task-definition/${family}:${revision}`;
export const containerArn = (s: ArnScope, cluster: string, taskId: string, id: string): string =>
  `${prefix(s)}container/${cluster}/${taskId}/${id}`;

/** Random bytes for newId, drawn 4 KiB at a time (one call per 256 IDs, not per ID). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** A new 32-hex-digit resource ID, as ECS uses for tasks and container instances. */
export function newId(): string {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.toString('hex', poolAt - 16, poolAt);
}

/** A new container ID in ECS's UUID form. */
export function newUuid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const ARN_RE = /^arn:aws[a-z-]*:ecs:([a-z0-9-]*):(\d*):([a-z-]+)\/(.+)$/;

/** Parses an ECS ARN; undefined when it is not one of the kinds above. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN_RE.exec(arn);
  if (!m) return undefined;
  const kind = m[3] as ArnKind;
  const rest = m[4] as string;
  if (!['cluster', 'container-instance', 'task', 'task-definition', 'service'].includes(kind)) {
    return undefined;
  }
  const base = { kind, region: m[1] as string, accountId: m[2] as string };
  if (kind === 'cluster' || kind === 'task-definition') {
    return { ...base, cluster: undefined, name: rest };
  }
  const slash = rest.lastIndexOf('/');
  if (slash < 0) return { ...base, cluster: undefined, name: rest };
  return { ...base, cluster: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/** The cluster name of a `cluster` parameter (name or ARN); ECS's default is `default`. */
export function clusterNameOf(value: string | undefined): string {
  if (value === undefined || value === '') return 'default';
  if (value.startsWith('arn:')) {
    const p = parseArn(value);
    return p?.kind === 'cluster' ? p.name : value;
  }
  return value;
}

/** The ID part of a task / container-instance reference (an ID or an ARN). */
export function idOf(value: string, kind: 'task' | 'container-instance'): string | undefined {
  if (!value.startsWith('arn:')) return value;
  const p = parseArn(value);
  return p?.kind === kind ? p.name : undefined;
}
