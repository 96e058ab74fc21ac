/**
 * Rebuilds the leader's in-memory view from KV when a replica takes over: clusters, task
 * definitions, instances, then each instance's tasks (one request per instance, a few at a
 * time, so the view of a million tasks never travels in one response). Must never write.
 */
import type { ConsulKv, KvEntry } from '@berth/consul';
import { StateLoadError } from '../errors.js';
import { taskResources } from '../core/task-definition/index.js';
import type { ArnScope } from '../core/arn.js';
import {
  decodeTask,
  type ClusterRec,
  type InstanceRec,
  type KvLayout,
  type TaskDefRec,
  type TaskResources,
} from './records.js';
import { SchedulerState } from './scheduler-state.js';
import type { Service } from '../core/service-model/types.js';

function parse<T>(e: KvEntry): T {
  if (e.value === null) throw new StateLoadError(`KV key ${e.key} is empty`);
  try {
    return JSON.parse(e.value) as T;
  } catch (err) {
    throw new StateLoadError(`KV key ${e.key} is not JSON`, { cause: err });
  }
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(workers);
}

/** Reads everything under the layout's root into a new SchedulerState. */
export async function loadState(
  kv: ConsulKv,
  layout: KvLayout,
  scope: ArnScope,
  now: number,
): Promise<SchedulerState> {
  const state = new SchedulerState(scope);
  for (const e of await kv.getTree(layout.clusters)) {
    const c = parse<ClusterRec>(e);
    state.clusters.set(c.name, c);
  }
  for (const e of await kv.getTree(layout.taskDefs)) {
    const td = parse<TaskDefRec>(e);
    let revs = state.taskDefs.get(td.family);
    if (!revs) state.taskDefs.set(td.family, (revs = new Map()));
    revs.set(td.revision, td);
  }
  for (const e of await kv.getTree(layout.services)) {
    const svc = parse<Service>(e);
    const cluster = e.key.slice(layout.services.length).split('/')[0] ?? '';
    state.services.set(`${cluster}\0${svc.serviceName}`, svc);
  }
  for (const e of await kv.getTree(layout.allAccountSettings)) {
    const principal = decodeURIComponent(e.key.slice(layout.allAccountSettings.length));
    state.accountSettings.set(principal, parse<Record<string, string>>(e));
  }
  const instances: InstanceRec[] = [];
  for (const e of await kv.getTree(layout.instances)) {
    const rec = parse<InstanceRec>(e);
    instances.push(rec);
    const rt = state.putInstance(rec, now);
    rt.version = e.modifyIndex;
  }
  const resourceCache = new Map<string, TaskResources>();
  const resourcesFor = (ref: string, overrides: unknown): TaskResources => {
    const td = state.taskDef(ref);
    if (!td) return { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [] };
    const compute = (): TaskResources => {
      const r = taskResources(td.body as unknown as Parameters<typeof taskResources>[0], overrides);
      return { cpu: r.cpu, memory: r.memory, tcpPorts: [...r.tcpPorts], udpPorts: [...r.udpPorts] };
    };
    if (overrides !== undefined) return compute();
    let r = resourceCache.get(ref);
    if (!r) resourceCache.set(ref, (r = compute()));
    return r;
  };
  await mapLimit(instances, 8, async (inst) => {
    const prefix = layout.tasksOf(inst.cluster, inst.id);
    const rt = state.instances.get(inst.id);
    for (const e of await kv.getTree(prefix)) {
      if (e.value === null) continue;
      const rec = decodeTask(inst.cluster, inst.id, e.key.slice(prefix.length), e.value);
      const colon = rec.taskDefinition.lastIndexOf(':');
      state.addTask({
        rec,
        resources: resourcesFor(rec.taskDefinition, rec.overrides),
        family: rec.taskDefinition.slice(0, colon),
        committed: true,
      });
      if (rt && e.modifyIndex > rt.version) rt.version = e.modifyIndex;
    }
  });
  return state;
}
