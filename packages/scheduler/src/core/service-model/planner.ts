/**
 * The reconciler's scratchpad for one run: collects actions, retires tasks the ELB-safe way
 * (deregister, wait the deregistration delay, then stop), registers healthy tasks' targets,
 * batches ECS's event messages and keeps the earliest time worth waking up at. Pure; must
 * never stop a task that still receives traffic from a target group.
 */
import { serviceMessages } from './messages.js';
import { type TaskHealth, uniqueTargetGroups } from './task-view.js';
import type { Action, ServiceInstanceView, ServiceState, ServiceTask } from './types.js';

/** ELB's default deregistration delay. */
export const DEFAULT_DEREGISTRATION_DELAY_MS = 300_000;

/** One reconcile run's accumulating plan. */
export class Planner {
  readonly state: ServiceState;
  readonly now: number;
  readonly health: TaskHealth;
  private readonly head: Action[] = [];
  private readonly targets: Action[] = [];
  private readonly stops: Action[] = [];
  private readonly starts: Action[] = [];
  private readonly tail: Action[] = [];
  private readonly stopped: string[] = [];
  private drainingTasks = 0;
  private readonly registered = new Map<string, number>();
  private readonly deregistered = new Map<string, number>();
  private wake = Number.POSITIVE_INFINITY;
  private readonly retiring = new Set<string>();
  private readonly instances: Map<string, ServiceInstanceView>;

  constructor(state: ServiceState, now: number, health: TaskHealth) {
    this.state = state;
    this.now = now;
    this.health = health;
    this.instances = new Map(state.instances.map((i) => [i.arn, i]));
  }

  get name(): string {
    return this.state.service.serviceName;
  }

  instance(arn: string): ServiceInstanceView | undefined {
    return this.instances.get(arn);
  }

  /** Bookkeeping and deployment decisions, emitted first. */
  add(...actions: Action[]): void {
    this.head.push(...actions);
  }

  start(action: Action & { type: 'start' }): void {
    if (action.count > 0) this.starts.push(action);
  }

  event(message: string): void {
    this.tail.push({ type: 'event', message });
  }

  /** Wake the caller at `at` (only times in the future matter). */
  wakeAt(at: number | undefined): void {
    if (at !== undefined && at > this.now && at < this.wake) this.wake = at;
  }

  /** Whether `retire` was called for the task in this run. */
  isRetiring(t: ServiceTask): boolean {
    return this.retiring.has(t.taskArn);
  }

  /**
   * Takes a task out of service: deregisters its targets first, stops it once the
   * deregistration delay has passed (or at once when it has no registered target).
   */
  retire(t: ServiceTask, reason: string): void {
    if (this.retiring.has(t.taskArn)) return;
    this.retiring.add(t.taskArn);
    const delay = this.state.deregistrationDelayMs ?? DEFAULT_DEREGISTRATION_DELAY_MS;
    let waitUntil = this.now;
    let deregistering = false;
    for (const { targetGroupArn, health } of this.health.targets(t)) {
      if (!health || health.state === 'unused') continue;
      if (health.state === 'draining') {
        waitUntil = Math.max(waitUntil, health.since + delay);
        continue;
      }
      const target = this.targetOf(t, targetGroupArn);
      if (!target) continue;
      this.targets.push({
        type: 'deregisterTarget',
        taskArn: t.taskArn,
        targetGroupArn,
        ...target,
      });
      this.deregistered.set(targetGroupArn, (this.deregistered.get(targetGroupArn) ?? 0) + 1);
      deregistering = true;
      waitUntil = Math.max(waitUntil, this.now + delay);
    }
    if (deregistering) this.drainingTasks++;
    if (waitUntil > this.now) {
      this.wakeAt(waitUntil);
      return;
    }
    this.stops.push({ type: 'stop', taskArn: t.taskArn, reason });
    this.stopped.push(t.taskArn);
  }

  /** Registers the task in every target group it is not registered in yet. */
  register(t: ServiceTask): void {
    for (const { targetGroupArn, health } of this.health.targets(t)) {
      if (health) continue;
      const target = this.targetOf(t, targetGroupArn);
      if (!target) continue;
      this.targets.push({ type: 'registerTarget', taskArn: t.taskArn, targetGroupArn, ...target });
      this.registered.set(targetGroupArn, (this.registered.get(targetGroupArn) ?? 0) + 1);
    }
  }

  /** The actions in the order the caller should apply them, with batched events. */
  finish(): Action[] {
    const events: Action[] = [];
    const msg = (message: string): void => void events.push({ type: 'event', message });
    for (const tg of uniqueTargetGroups(this.state)) {
      const n = this.registered.get(tg);
      if (n) msg(serviceMessages.registeredTargets(this.name, n, tg));
    }
    if (this.drainingTasks > 0)
      msg(serviceMessages.drainingConnections(this.name, this.drainingTasks));
    for (const tg of uniqueTargetGroups(this.state)) {
      const n = this.deregistered.get(tg);
      if (n) msg(serviceMessages.deregisteredTargets(this.name, n, tg));
    }
    if (this.stopped.length > 0) msg(serviceMessages.stopped(this.name, this.stopped));
    const retry: Action[] = Number.isFinite(this.wake)
      ? [{ type: 'scheduleRetry', at: this.wake }]
      : [];
    return [
      ...this.head,
      ...this.targets,
      ...this.stops,
      ...this.starts,
      ...events,
      ...this.tail,
      ...retry,
    ];
  }

  /** The ELB target of a task in a target group: its instance and the mapped host port. */
  targetOf(t: ServiceTask, targetGroupArn: string): { targetId: string; port: number } | undefined {
    const inst = this.instances.get(t.instanceArn);
    if (!inst) return undefined;
    for (const lb of this.state.service.loadBalancers) {
      if (lb.targetGroupArn !== targetGroupArn) continue;
      const b = t.bindings?.find(
        (x) => x.containerName === lb.containerName && x.containerPort === lb.containerPort,
      );
      if (b) return { targetId: inst.ec2InstanceId, port: b.hostPort };
    }
    return undefined;
  }
}

/** "(service web) (instance i-1) (port 32768) is unhealthy in (target-group ...) ...". */
export function targetUnhealthyMessage(p: Planner, t: ServiceTask, targetGroupArn: string): string {
  const target = p.targetOf(t, targetGroupArn);
  return serviceMessages.targetUnhealthy(
    p.name,
    target?.targetId ?? p.instance(t.instanceArn)?.ec2InstanceId ?? '-',
    target?.port ?? 0,
    targetGroupArn,
  );
}
