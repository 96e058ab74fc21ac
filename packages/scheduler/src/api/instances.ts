/**
 * RegisterContainerInstance, DeregisterContainerInstance, DescribeContainerInstances,
 * ListContainerInstances (with `filter` in the cluster query language) and
 * UpdateContainerInstancesState. Must never give one agent two identities: a registration
 * that names a known instance ARN or EC2 instance ID updates that instance.
 */
import { RESOURCE_CPU, RESOURCE_MEMORY, RESOURCE_PORTS, RESOURCE_PORTS_UDP } from '@berth/protocol';
import type { TxnOp } from '@berth/consul';
import { clientError, clusterNotFound, invalidParameter } from '../errors.js';
import { matchesQuery, parseClusterQuery, type QueryInstance } from '../core/query/index.js';
import { encodeTask, type ClusterRec, type InstanceRec, type TaskRec } from '../state/records.js';
import type { InstanceRt } from '../state/scheduler-state.js';
import { clusterNameOf, idOf, instanceArn, newId, parseArn } from '../core/arn.js';
import {
  type Body,
  optBool,
  optEnum,
  optInt,
  optObject,
  optObjectList,
  optString,
  optStringList,
  optTags,
  reqString,
} from '../core/input.js';
import { paginate } from '../core/pagination.js';
import { activeCluster } from './clusters.js';
import type { ApiContext, Handler } from './context.js';
import { renderInstance } from './render.js';

/** The instance named by an ID or ARN in `cluster`, or undefined. */
export function findInstance(
  ctx: ApiContext,
  cluster: string,
  ref: string,
): InstanceRt | undefined {
  const id = idOf(ref, 'container-instance');
  if (id === undefined) return undefined;
  const inst = ctx.state.instances.get(id);
  return inst && inst.rec.cluster === cluster ? inst : undefined;
}

export const instanceNotFound = (ref: string): Error =>
  invalidParameter(`The referenced container instance ${ref} was not found.`);

function connected(ctx: ApiContext, inst: InstanceRt): boolean {
  return ctx.state.connected(inst, ctx.now(), ctx.agentGraceMs);
}

/** Saves an instance record and raises its assignment version to the write's index. */
export async function saveInstance(ctx: ApiContext, rec: InstanceRec): Promise<InstanceRt> {
  const rt = ctx.state.putInstance(rec, ctx.now());
  const index = await ctx.persist.write([
    { verb: 'set', key: ctx.layout.instance(rec.cluster, rec.id), value: JSON.stringify(rec) },
  ]);
  ctx.state.bump(rt, index);
  return rt;
}

function ports(r: Body, label: string): number[] {
  const list = optStringList(r, 'stringSetValue', `${label}.stringSetValue`) ?? [];
  return list.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw invalidParameter(`${label}.stringSetValue: '${p}' is not a port.`);
    }
    return n;
  });
}

function parseResources(list: Body[]): InstanceRec['total'] {
  const total: InstanceRec['total'] = { cpu: -1, memory: -1, tcpPorts: [], udpPorts: [] };
  list.forEach((r, i) => {
    const label = `totalResources[${i}]`;
    const name = reqString(r, 'name', `${label}.name`);
    const int = (): number => {
      const v = optInt(r, 'integerValue', 0, 2 ** 31 - 1, `${label}.integerValue`);
      const l = optInt(r, 'longValue', 0, Number.MAX_SAFE_INTEGER, `${label}.longValue`);
      return v || l || 0;
    };
    if (name === RESOURCE_CPU) total.cpu = int();
    else if (name === RESOURCE_MEMORY) total.memory = int();
    else if (name === RESOURCE_PORTS) total.tcpPorts = ports(r, label);
    else if (name === RESOURCE_PORTS_UDP) total.udpPorts = ports(r, label);
  });
  if (total.cpu < 0) throw invalidParameter('totalResources: CPU must be given (INTEGER).');
  if (total.memory < 0) throw invalidParameter('totalResources: MEMORY must be given (INTEGER).');
  return total;
}

function parseAttributes(list: Body[] | undefined, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  (list ?? []).forEach((a, i) => {
    const name = reqString(a, 'name', `${field}[${i}].name`);
    out[name] = optString(a, 'value', `${field}[${i}].value`) ?? '';
  });
  return out;
}

function ec2IdFrom(doc: string | undefined): string | undefined {
  if (!doc) return undefined;
  try {
    const v = JSON.parse(doc) as { instanceId?: unknown };
    return typeof v.instanceId === 'string' && v.instanceId ? v.instanceId : undefined;
  } catch {
    throw invalidParameter('instanceIdentityDocument is not valid JSON.');
  }
}

async function ensureCluster(ctx: ApiContext, ref: string | undefined): Promise<ClusterRec> {
  const name = clusterNameOf(ref);
  const c = ctx.state.clusters.get(name);
  if (c?.status === 'ACTIVE') return c;
  if (name !== 'default') throw clusterNotFound();
  // Like the ECS agent, registering into `default` creates it.
  const rec: ClusterRec = {
    name,
    status: 'ACTIVE',
    createdAt: ctx.now(),
    tags: [],
    settings: [{ name: 'containerInsights', value: 'disabled' }],
  };
  ctx.state.clusters.set(name, rec);
  await ctx.persist.write([
    { verb: 'set', key: ctx.layout.cluster(name), value: JSON.stringify(rec) },
  ]);
  return rec;
}

export const registerContainerInstance: Handler = async (ctx, body) => {
  const total = parseResources(optObjectList(body, 'totalResources') ?? []);
  const attributes = parseAttributes(optObjectList(body, 'attributes'), 'attributes');
  const vi = optObject(body, 'versionInfo') ?? {};
  const versionInfo = {
    agentVersion: optString(vi, 'agentVersion', 'versionInfo.agentVersion'),
    agentHash: optString(vi, 'agentHash', 'versionInfo.agentHash'),
    dockerVersion: optString(vi, 'dockerVersion', 'versionInfo.dockerVersion'),
  };
  const tags = optTags(body);
  const ec2Given = ec2IdFrom(optString(body, 'instanceIdentityDocument'));
  const arnGiven = optString(body, 'containerInstanceArn');
  const cluster = await ensureCluster(ctx, optString(body, 'cluster'));
  let existing: InstanceRt | undefined;
  let id: string | undefined;
  if (arnGiven) {
    const p = parseArn(arnGiven);
    if (p?.kind !== 'container-instance' || !/^[A-Za-z0-9-]{1,64}$/.test(p.name)) {
      throw invalidParameter(`containerInstanceArn ${arnGiven} is not a container instance ARN.`);
    }
    if (p.cluster !== undefined && p.cluster !== cluster.name) {
      throw clientError(
        `containerInstanceArn ${arnGiven} belongs to cluster ${p.cluster}, not ${cluster.name}.`,
      );
    }
    id = p.name;
    existing = ctx.state.instances.get(id);
    if (existing && existing.rec.cluster !== cluster.name) {
      throw clientError(`containerInstanceArn ${arnGiven} is registered in another cluster.`);
    }
  } else if (ec2Given) {
    existing = ctx.state.instancesOf(cluster.name).find((i) => i.rec.ec2InstanceId === ec2Given);
  }
  id = existing?.rec.id ?? id ?? newId();
  const rec: InstanceRec = {
    id,
    cluster: cluster.name,
    ec2InstanceId: ec2Given ?? existing?.rec.ec2InstanceId ?? `i-${id.slice(0, 17)}`,
    status: existing?.rec.status ?? 'ACTIVE',
    registeredAt: existing?.rec.registeredAt ?? ctx.now(),
    attributes: { ...(existing?.rec.attributes ?? {}), ...attributes },
    total,
    versionInfo,
    tags: tags ?? existing?.rec.tags ?? [],
  };
  const rt = await saveInstance(ctx, rec);
  rt.lastContact = ctx.now();
  ctx.state.contacted(rt);
  return { containerInstance: renderInstance(ctx.state, rt, true, ['TAGS']) };
};

export const deregisterContainerInstance: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const ref = reqString(body, 'containerInstance');
  const force = optBool(body, 'force') ?? false;
  const inst = findInstance(ctx, cluster.name, ref);
  if (!inst) throw instanceNotFound(ref);
  const live = [...inst.tasks.values()].filter((t) => t.rec.lastStatus !== 'STOPPED');
  if (live.length > 0 && !force) {
    throw invalidParameter(
      `Found running tasks on the instance ${ref}; stop them or use force to deregister it.`,
    );
  }
  const rendered = renderInstance(ctx.state, inst, connected(ctx, inst), ['TAGS']);
  const now = ctx.now();
  const ops: TxnOp[] = [];
  for (const t of [...inst.tasks.values()]) {
    const rec: TaskRec = {
      ...t.rec,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedAt: t.rec.stoppedAt ?? now,
      stoppingAt: t.rec.stoppingAt ?? now,
      stoppedReason:
        t.rec.stoppedReason ?? 'Task stopped because its container instance was deregistered',
      done: true,
      version: t.rec.version + 1,
    };
    ctx.state.updateTask(t, rec);
    ops.push({ verb: 'set', key: ctx.layout.task(rec), value: encodeTask(rec) });
  }
  ops.push({ verb: 'delete', key: ctx.layout.instance(cluster.name, inst.rec.id) });
  ctx.state.removeInstance(inst.rec.id);
  await ctx.persist.writeMany(ops);
  return { containerInstance: { ...rendered, status: 'INACTIVE' } };
};

export const describeContainerInstances: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const refs = optStringList(body, 'containerInstances');
  if (!refs || refs.length === 0) {
    throw invalidParameter('containerInstances can not be null or empty.');
  }
  if (refs.length > 100) throw invalidParameter('containerInstances can have at most 100 items.');
  const include = optStringList(body, 'include') ?? [];
  const containerInstances: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const inst = findInstance(ctx, cluster.name, ref);
    if (inst)
      containerInstances.push(renderInstance(ctx.state, inst, connected(ctx, inst), include));
    else {
      failures.push({
        arn: ref.startsWith('arn:') ? ref : instanceArn(ctx.state.scope, cluster.name, ref),
        reason: 'MISSING',
      });
    }
  }
  return { containerInstances, failures };
};

/** The instance as the cluster query language sees it. */
export function queryView(ctx: ApiContext, inst: InstanceRt): QueryInstance {
  let running = 0;
  const groups: string[] = [];
  for (const t of inst.tasks.values()) {
    if (t.rec.lastStatus === 'RUNNING') running++;
    if (t.rec.desiredStatus === 'RUNNING') groups.push(t.rec.group ?? `family:${t.family}`);
  }
  return {
    ec2InstanceId: inst.rec.ec2InstanceId,
    attributes: inst.rec.attributes,
    registeredAt: inst.rec.registeredAt,
    runningTasksCount: running,
    agentConnected: connected(ctx, inst),
    ...(inst.rec.versionInfo.agentVersion
      ? { agentVersion: inst.rec.versionInfo.agentVersion }
      : {}),
    status: inst.rec.status,
    taskGroups: groups,
  };
}

export const listContainerInstances: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const filter = optString(body, 'filter');
  const status = optEnum(body, 'status', [
    'ACTIVE',
    'DRAINING',
    'REGISTERING',
    'DEREGISTERING',
    'REGISTRATION_FAILED',
  ] as const);
  const max = optInt(body, 'maxResults', 1, 100);
  const query = filter ? parseClusterQuery(filter) : undefined;
  const matching = ctx.state
    .instancesOf(cluster.name)
    .filter((i) => (status ? i.rec.status === status : true))
    .filter((i) => (query ? matchesQuery(query, queryView(ctx, i)) : true));
  const page = paginate(matching, (i) => i.rec.id, optString(body, 'nextToken'), max);
  return {
    containerInstanceArns: page.items.map((i) =>
      instanceArn(ctx.state.scope, cluster.name, i.rec.id),
    ),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const updateContainerInstancesState: Handler = async (ctx, body) => {
  const cluster = activeCluster(ctx, optString(body, 'cluster'));
  const refs = optStringList(body, 'containerInstances');
  if (!refs || refs.length === 0) {
    throw invalidParameter('containerInstances can not be null or empty.');
  }
  if (refs.length > 10) throw invalidParameter('containerInstances can have at most 10 items.');
  const status = optEnum(body, 'status', [
    'ACTIVE',
    'DRAINING',
    'REGISTERING',
    'DEREGISTERING',
    'REGISTRATION_FAILED',
  ] as const);
  if (status === undefined) throw invalidParameter('status can not be null or empty.');
  if (status !== 'ACTIVE' && status !== 'DRAINING') {
    throw invalidParameter(`status: container instances can only be set ACTIVE or DRAINING.`);
  }
  const failures: { arn: string; reason: string }[] = [];
  const found: InstanceRt[] = [];
  for (const ref of refs) {
    const inst = findInstance(ctx, cluster.name, ref);
    if (inst) found.push(inst);
    else {
      failures.push({
        arn: ref.startsWith('arn:') ? ref : instanceArn(ctx.state.scope, cluster.name, ref),
        reason: 'MISSING',
      });
    }
  }
  const ops: TxnOp[] = [];
  for (const inst of found) {
    const rec = { ...inst.rec, status };
    ctx.state.putInstance(rec, ctx.now());
    ops.push({
      verb: 'set',
      key: ctx.layout.instance(rec.cluster, rec.id),
      value: JSON.stringify(rec),
    });
  }
  const index = await ctx.persist.write(ops);
  for (const inst of found) ctx.state.bump(inst, index);
  return {
    containerInstances: found.map((i) => renderInstance(ctx.state, i, connected(ctx, i))),
    failures,
  };
};
