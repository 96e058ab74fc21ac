/**
 * The leader's in-memory view of everything under the KV prefix: clusters, task definitions,
 * container instances (with used resources, agent contact and assignment version) and tasks.
 * Rebuilt from KV when a replica takes over; kept in step with every committed write.
 * Pure data and bookkeeping: must never do I/O or read the clock itself (callers pass `now`).
 */
import type { PlacementInstance } from '../core/placement/types.js';
import type { Service } from '../core/service-model/types.js';
import type { ArnScope } from '../core/arn.js';
import { instanceArn, taskArn } from '../core/arn.js';
import type { ClusterRec, InstanceRec, TaskDefRec, TaskRec } from './records.js';
import type { InstanceRt, PlacementListCache, PlacementTask, TaskRt } from './runtime-types.js';

export type { InstanceRt, PlacementTask, PollWaiter, TaskRt } from './runtime-types.js';

/** The whole view. */
export class SchedulerState {
  readonly scope: ArnScope;
  readonly clusters = new Map<string, ClusterRec>();
  /** family -> revision -> definition. */
  readonly taskDefs = new Map<string, Map<number, TaskDefRec>>();
  readonly instances = new Map<string, InstanceRt>();
  readonly tasks = new Map<string, TaskRt>();
  /** `<cluster>\0<clientToken>` -> task IDs of that RunTask. */
  readonly clientTokens = new Map<string, string[]>();
  /** Services by `<cluster>\0<name>` (ACTIVE, DRAINING and INACTIVE ones still stored). */
  readonly services = new Map<string, Service>();
  /** ECS account settings set explicitly: principal ARN -> setting name -> value. */
  readonly accountSettings = new Map<string, Readonly<Record<string, string>>>();
  /** Called with a cluster name after a committed change of its tasks or instances. */
  readonly #listeners = new Set<(cluster: string) => void>();
  /** Cached PlacementInstance lists per cluster, dropped when an instance comes or goes. */
  readonly #placementLists = new Map<string, PlacementListCache>();
  /** Instances whose PlacementInstance must be rebuilt (resources, tasks or record changed). */
  readonly #dirtyInsts = new Set<InstanceRt>();

  constructor(scope: ArnScope) {
    this.scope = scope;
  }

  /** Called with a task's previous and new record on every update (task events). */
  onTaskUpdate: ((rt: TaskRt, prev: TaskRec) => void) | undefined;

  /** Subscribes to committed changes (see bump); returns the unsubscribe function. */
  onChange(fn: (cluster: string) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Tells listeners that `cluster` changed. */
  changed(cluster: string): void {
    for (const fn of this.#listeners) fn(cluster);
  }

  instancesOf(cluster: string): InstanceRt[] {
    const out: InstanceRt[] = [];
    for (const i of this.instances.values()) if (i.rec.cluster === cluster) out.push(i);
    return out;
  }

  /** Adds or replaces an instance record, keeping its runtime state. */
  putInstance(rec: InstanceRec, now: number): InstanceRt {
    const existing = this.instances.get(rec.id);
    if (existing) {
      const moved = existing.rec.cluster !== rec.cluster;
      existing.rec = rec;
      this.#dirty(existing);
      if (moved) this.#placementLists.clear();
      return existing;
    }
    const rt: InstanceRt = {
      rec,
      tasks: new Map(),
      running: [],
      used: { cpu: 0, memory: 0, tcp: new Map(), udp: new Map() },
      version: 0,
      lastContact: now,
      pollsInFlight: 0,
      waiters: new Set(),
      placement: undefined,
    };
    this.instances.set(rec.id, rt);
    this.#placementLists.delete(rec.cluster);
    return rt;
  }

  removeInstance(id: string): void {
    const rt = this.instances.get(id);
    if (!rt) return;
    this.instances.delete(id);
    this.#placementLists.delete(rt.rec.cluster);
    this.#dirtyInsts.delete(rt);
    for (const w of rt.waiters) w.wake();
    this.changed(rt.rec.cluster);
  }

  /** Adds a task (holding resources unless done). */
  addTask(rt: TaskRt): void {
    this.tasks.set(rt.rec.id, rt);
    if (rt.rec.clientToken) {
      const k = `${rt.rec.cluster}\0${rt.rec.clientToken}`;
      const list = this.clientTokens.get(k) ?? [];
      list.push(rt.rec.id);
      this.clientTokens.set(k, list);
    }
    if (!rt.rec.done) this.#hold(rt);
  }

  /** Replaces a task's record; frees its resources when it became done. */
  updateTask(rt: TaskRt, rec: TaskRec): void {
    const wasDone = rt.rec.done === true;
    const prev = rt.rec;
    rt.rec = rec;
    this.onTaskUpdate?.(rt, prev);
    if (!wasDone && rec.done) this.#release(rt);
    else if (!wasDone && prev.desiredStatus === 'RUNNING' && rec.desiredStatus !== 'RUNNING') {
      const inst = this.instances.get(rec.instanceId);
      if (inst && inst.tasks.get(rec.id) === rt) this.#unlist(inst, rt);
    }
  }

  /** Forgets a task entirely (garbage collection of old STOPPED tasks, failed writes). */
  dropTask(rt: TaskRt): void {
    if (!rt.rec.done) this.#release(rt);
    this.tasks.delete(rt.rec.id);
    if (rt.rec.clientToken) this.clientTokens.delete(`${rt.rec.cluster}\0${rt.rec.clientToken}`);
  }

  #hold(rt: TaskRt): void {
    const inst = this.instances.get(rt.rec.instanceId);
    if (!inst) return;
    inst.tasks.set(rt.rec.id, rt);
    inst.used.cpu += rt.resources.cpu;
    inst.used.memory += rt.resources.memory;
    for (const p of rt.resources.tcpPorts) inst.used.tcp.set(p, (inst.used.tcp.get(p) ?? 0) + 1);
    for (const p of rt.resources.udpPorts) inst.used.udp.set(p, (inst.used.udp.get(p) ?? 0) + 1);
    if (rt.rec.desiredStatus === 'RUNNING') inst.running = [...inst.running, this.#entry(rt)];
    this.#dirty(inst);
  }

  /** The task as placement sees it, made once per task. */
  #entry(rt: TaskRt): PlacementTask {
    let e = rt.placementTask;
    if (e === undefined) {
      const r = rt.rec;
      e = {
        family: rt.family,
        taskArn: taskArn(this.scope, r.cluster, r.id),
        ...(r.group ? { group: r.group } : {}),
      };
      rt.placementTask = e;
    }
    return e;
  }

  /** Drops a task from its instance's `running` list (copy on write). */
  #unlist(inst: InstanceRt, rt: TaskRt): void {
    const e = rt.placementTask;
    if (e === undefined) return;
    const at = inst.running.indexOf(e);
    if (at < 0) return;
    inst.running = [...inst.running.slice(0, at), ...inst.running.slice(at + 1)];
    this.#dirty(inst);
  }

  #release(rt: TaskRt): void {
    const inst = this.instances.get(rt.rec.instanceId);
    if (!inst || !inst.tasks.delete(rt.rec.id)) return;
    inst.used.cpu -= rt.resources.cpu;
    inst.used.memory -= rt.resources.memory;
    const drop = (m: Map<number, number>, p: number): void => {
      const n = (m.get(p) ?? 1) - 1;
      if (n <= 0) m.delete(p);
      else m.set(p, n);
    };
    for (const p of rt.resources.tcpPorts) drop(inst.used.tcp, p);
    for (const p of rt.resources.udpPorts) drop(inst.used.udp, p);
    this.#unlist(inst, rt);
    this.#dirty(inst);
  }

  #dirty(inst: InstanceRt): void {
    inst.placement = undefined;
    this.#dirtyInsts.add(inst);
  }

  /**
   * Call after an instance's `lastContact` or `pollsInFlight` changed: its agent may have
   * reconnected, so the next placementList re-checks every instance's connection.
   */
  contacted(inst: InstanceRt): void {
    const cached = this.#placementLists.get(inst.rec.cluster);
    if (cached) cached.refreshAt = 0;
  }

  /** Whether the instance's agent counts as connected at `now`. */
  connected(inst: InstanceRt, now: number, graceMs: number): boolean {
    return inst.pollsInFlight > 0 || now - inst.lastContact < graceMs;
  }

  /** The instance as placement sees it (cached until it changes; `agentConnected` refreshed). */
  placementOf(inst: InstanceRt, now: number, graceMs: number): PlacementInstance {
    let p = inst.placement;
    if (!p) {
      const r = inst.rec;
      const tcp = new Set<number>(r.total.tcpPorts);
      for (const port of inst.used.tcp.keys()) tcp.add(port);
      const udp = new Set<number>(r.total.udpPorts);
      for (const port of inst.used.udp.keys()) udp.add(port);
      p = {
        arn: instanceArn(this.scope, r.cluster, r.id),
        ec2InstanceId: r.ec2InstanceId,
        status: r.status,
        agentConnected: true,
        attributes: r.attributes,
        registeredAt: r.registeredAt,
        ...(r.versionInfo.agentVersion ? { agentVersion: r.versionInfo.agentVersion } : {}),
        remaining: {
          cpu: r.total.cpu - inst.used.cpu,
          memory: r.total.memory - inst.used.memory,
          tcpPorts: tcp,
          udpPorts: udp,
        },
        total: { cpu: r.total.cpu, memory: r.total.memory },
        tasks: inst.running,
      };
      inst.placement = p;
    }
    p.agentConnected = this.connected(inst, now, graceMs);
    return p;
  }

  /**
   * Every instance of `cluster` as placement sees it (a new array when any changed). Costs
   * O(changed instances) per call: the connection of every instance is re-checked only when
   * one may have changed (the earliest time a connected agent's grace runs out, or a contact).
   */
  placementList(cluster: string, now: number, graceMs: number): PlacementInstance[] {
    let cached = this.#placementLists.get(cluster);
    if (!cached) {
      const insts = this.instancesOf(cluster).sort((a, b) => (a.rec.id < b.rec.id ? -1 : 1));
      cached = {
        insts,
        pos: new Map(insts.map((inst, i) => [inst, i])),
        list: insts.map((i) => this.placementOf(i, now, graceMs)),
        refreshAt: 0,
        lastNow: now,
        graceMs,
      };
      this.#placementLists.set(cluster, cached);
    }
    const full = now >= cached.refreshAt || now < cached.lastNow || graceMs !== cached.graceMs;
    cached.lastNow = now;
    cached.graceMs = graceMs;
    let copied = false;
    const put = (i: number, p: PlacementInstance): void => {
      if (cached.list[i] === p) return;
      if (!copied) {
        cached.list = [...cached.list];
        copied = true;
      }
      cached.list[i] = p;
    };
    if (full) {
      let refreshAt = Infinity;
      for (let i = 0; i < cached.insts.length; i++) {
        const inst = cached.insts[i] as InstanceRt;
        const p = this.placementOf(inst, now, graceMs);
        put(i, p);
        if (p.agentConnected && inst.pollsInFlight === 0) {
          refreshAt = Math.min(refreshAt, inst.lastContact + graceMs);
        }
      }
      cached.refreshAt = refreshAt;
      for (const inst of this.#dirtyInsts)
        if (inst.rec.cluster === cluster) this.#dirtyInsts.delete(inst);
      return cached.list;
    }
    for (const inst of this.#dirtyInsts) {
      const i = cached.pos.get(inst);
      if (i === undefined) continue;
      this.#dirtyInsts.delete(inst);
      const p = this.placementOf(inst, now, graceMs);
      put(i, p);
      if (p.agentConnected && inst.pollsInFlight === 0) {
        cached.refreshAt = Math.min(cached.refreshAt, inst.lastContact + graceMs);
      }
    }
    return cached.list;
  }

  /** Raises an instance's assignment version and wakes its pollers. */
  bump(inst: InstanceRt, index: number): void {
    if (index > inst.version) inst.version = index;
    for (const w of inst.waiters) if (w.version !== inst.version) w.wake();
    this.changed(inst.rec.cluster);
  }

  /** Task definition by `family:revision`. */
  taskDef(ref: string): TaskDefRec | undefined {
    const colon = ref.lastIndexOf(':');
    if (colon < 0) return undefined;
    return this.taskDefs.get(ref.slice(0, colon))?.get(Number(ref.slice(colon + 1)));
  }

  /** The latest ACTIVE revision of a family. */
  latestActive(family: string): TaskDefRec | undefined {
    const revs = this.taskDefs.get(family);
    if (!revs) return undefined;
    let best: TaskDefRec | undefined;
    for (const td of revs.values()) {
      if (td.status === 'ACTIVE' && (!best || td.revision > best.revision)) best = td;
    }
    return best;
  }

  /** The highest revision of a family (ACTIVE or not); 0 when none. */
  lastRevision(family: string): number {
    let max = 0;
    for (const r of this.taskDefs.get(family)?.keys() ?? []) max = Math.max(max, r);
    return max;
  }
}
