/**
 * The leader's alarm pass (issue 21), called from the scaling loop: each alarm is evaluated
 * once per completed period over berth's own metrics (evaluateAlarm), its state change and
 * history CAS-written; on each evaluation, and after SetAlarmState, the state's actions run:
 * each names a step scaling policy, which decides (decideStep) and scales through the same
 * UpdateService a person calls, then writes an activity naming the alarm and the breach.
 * Must never act without the leader's context, and never let one alarm stop the others.
 */
import { randomUUID } from 'node:crypto';
import type { ApiContext } from '../api/context.js';
import { type AlarmRecord, type AlarmStore, withHistory } from './alarm-records.js';
import { aggregate, evaluateAlarm, isAbove } from './evaluate-alarm.js';
import { ecsMetric, type MetricSeries, statisticOf } from './metric-series.js';
import { withActivity, type TargetRecord } from './scaling-records.js';
import { parsePolicyArn, type StepPolicyRecord } from './step-policy.js';
import { decideStep } from './step-scaling.js';
import { UNCHANGED } from './cas-update.js';
import { setDesiredCount } from './set-desired-count.js';
import type { TargetStore } from './target-store.js';

const fmt = (v: number): string => String(Math.round(v * 100) / 100);

/** The alarm's last `evaluationPeriods` complete periods before `end`, oldest first. */
export function alarmValues(
  a: AlarmRecord,
  series: MetricSeries,
  end: number,
): (number | undefined)[] | undefined {
  const m = ecsMetric(a.namespace, a.metricName, a.dimensions);
  if (!m) return undefined;
  const p = a.period * 1000;
  const start = end - a.evaluationPeriods * p;
  const points = new Map(
    series.datapoints(m.service, m.metric, start, end, a.period).map((d) => [d.start, d]),
  );
  const out: (number | undefined)[] = [];
  for (let w = start; w < end; w += p) {
    const d = points.get(w);
    out.push(d ? statisticOf(d, a.statistic) : undefined);
  }
  return out;
}

export class AlarmPass {
  readonly #alarms: AlarmStore;
  readonly #targets: TargetStore;
  readonly #onError: (e: unknown) => void;
  /**
   * The end of the last period evaluated, per alarm: in memory only, so an unchanged state
   * costs no KV write (a new leader evaluates each alarm once at once; cooldowns hold).
   */
  readonly #evaluated = new Map<string, number>();

  constructor(alarms: AlarmStore, targets: TargetStore, onError: (e: unknown) => void) {
    this.#alarms = alarms;
    this.#targets = targets;
    this.#onError = onError;
  }

  async pass(ctx: ApiContext, series: MetricSeries): Promise<void> {
    const alarms = await this.#alarms.list();
    const names = new Set(alarms.map((a) => a.name));
    for (const n of this.#evaluated.keys()) if (!names.has(n)) this.#evaluated.delete(n);
    for (const a of alarms) {
      if (ctx.signal.aborted) return;
      try {
        await this.#one(ctx, series, a);
      } catch (e) {
        this.#onError(e);
      }
    }
  }

  async #one(ctx: ApiContext, series: MetricSeries, given: AlarmRecord): Promise<void> {
    const now = ctx.now();
    const p = given.period * 1000;
    const end = now - (now % p);
    const values = alarmValues(given, series, end);
    let alarm = given;
    const due = (this.#evaluated.get(given.name) ?? 0) < end;
    if (due) {
      const ev = values
        ? evaluateAlarm(
            {
              threshold: given.threshold,
              comparison: given.comparison,
              evaluationPeriods: given.evaluationPeriods,
              datapointsToAlarm: given.datapointsToAlarm,
              treatMissingData: given.treatMissingData,
            },
            values,
            given.state,
          )
        : {
            state: 'INSUFFICIENT_DATA' as const,
            reason: `berth does not serve the metric ${given.namespace} ${given.metricName} with these dimensions.`,
            recent: [],
          };
      this.#evaluated.set(given.name, end);
      const written = await this.#alarms.update(given.name, (prev) => {
        if (!prev || prev.state === ev.state) return UNCHANGED;
        return withHistory(
          {
            ...prev,
            state: ev.state,
            stateReason: ev.reason,
            stateReasonData: JSON.stringify({
              version: '1.0',
              queryDate: new Date(now).toISOString(),
              statistic: prev.statistic,
              period: prev.period,
              recentDatapoints: ev.recent,
              threshold: prev.threshold,
            }),
            stateUpdatedAt: now,
          },
          {
            at: now,
            type: 'StateUpdate',
            summary: `Alarm updated from ${prev.state} to ${ev.state}`,
            data: JSON.stringify({
              version: '1.0',
              oldState: { stateValue: prev.state, stateReason: prev.stateReason },
              newState: { stateValue: ev.state, stateReason: ev.reason },
            }),
          },
        );
      });
      if (!written) return;
      alarm = written;
    } else if (!given.actionsDue) {
      return;
    }
    if (given.actionsDue) {
      const cleared = await this.#alarms.update(alarm.name, (prev) =>
        prev ? { ...prev, actionsDue: false } : UNCHANGED,
      );
      if (!cleared) return;
      alarm = cleared;
    }
    if (!alarm.actionsEnabled) return;
    const arns =
      alarm.state === 'ALARM'
        ? alarm.alarmActions
        : alarm.state === 'OK'
          ? alarm.okActions
          : alarm.insufficientDataActions;
    const present = (values ?? []).filter((v): v is number => v !== undefined);
    for (const arn of arns) await this.#run(ctx, alarm, arn, present);
  }

  /** Runs one step policy for `alarm`; writes an activity and a history item on a change. */
  async #run(ctx: ApiContext, alarm: AlarmRecord, arn: string, values: number[]): Promise<void> {
    const ref = parsePolicyArn(arn);
    if (!ref) return;
    const target = await this.#targets.get(ref.cluster, ref.service);
    const policy = target?.stepPolicies?.find((p) => p.id === ref.id);
    if (!target || !policy) return;
    const svc = [...ctx.state.services.values()].find(
      (s) =>
        s.serviceName === target.service && s.clusterArn.endsWith(`:cluster/${target.cluster}`),
    );
    if (!svc || svc.status !== 'ACTIVE') return;
    const now = ctx.now();
    const value = aggregate(values, policy.config.aggregation);
    const breach = value === undefined ? 0 : value - alarm.threshold;
    const others = (target.stepPolicies ?? [])
      .filter((p) => p.id !== policy.id && p.last)
      .map((p) => p.last!);
    const d = decideStep({
      now,
      current: svc.desiredCount,
      min: target.min,
      max: target.max,
      policy: policy.config,
      breach,
      above: isAbove(alarm.comparison),
      last: policy.last,
      others,
      scaleOutSuspended: target.suspended.dynamicOut,
      scaleInSuspended: target.suspended.dynamicIn,
    });
    if (d.desired === svc.desiredCount) return;
    const from = svc.desiredCount;
    const failure = await setDesiredCount(ctx, target, d.desired);
    const end = ctx.now();
    const metric =
      value === undefined
        ? 'no datapoints'
        : `${alarm.metricName} ${policy.config.aggregation} ${fmt(value)} against the ` +
          `threshold ${fmt(alarm.threshold)} (breach ${breach >= 0 ? '+' : ''}${fmt(breach)})`;
    const cause =
      `monitor alarm ${alarm.name} in state ${alarm.state} triggered policy ${policy.name}: ` +
      `${metric}, ${d.reason}, changing the desired count from ${from} to ${d.desired}`;
    await this.#targets.update(target.cluster, target.service, (prev) =>
      prev
        ? this.#after(prev, policy, d.direction, { from, to: d.desired, now, end, cause, failure })
        : UNCHANGED,
    );
    await this.#alarms.update(alarm.name, (prev) =>
      prev
        ? withHistory(prev, {
            at: end,
            type: 'Action',
            summary: failure
              ? `Failed to execute action ${arn}`
              : `Successfully executed action ${arn}`,
            data: JSON.stringify({
              actionState: failure ? 'Failed' : 'Succeeded',
              notificationResource: arn,
              cause,
            }),
          })
        : UNCHANGED,
    );
  }

  #after(
    prev: TargetRecord,
    policy: StepPolicyRecord,
    direction: 'out' | 'in' | 'none',
    r: {
      from: number;
      to: number;
      now: number;
      end: number;
      cause: string;
      failure?: string | undefined;
    },
  ): TargetRecord {
    const next = withActivity(prev, {
      id: randomUUID(),
      description: `Setting desired count to ${r.to}.`,
      cause: r.cause,
      start: r.now,
      end: r.end,
      status: r.failure ? 'Failed' : 'Successful',
      message: r.failure
        ? `Failed to set desired count to ${r.to}: ${r.failure}`
        : `Successfully set desired count to ${r.to}. Change successfully fulfilled by ecs.`,
    });
    if (r.failure) return next;
    const last = { at: r.end, from: r.from, to: r.to, cooldownMs: policy.config.cooldown * 1000 };
    return {
      ...next,
      stepPolicies: (next.stepPolicies ?? []).map((p) => (p.id === policy.id ? { ...p, last } : p)),
      ...(direction === 'out' ? { lastScaleOutAt: r.end } : { lastScaleInAt: r.end }),
    };
  }
}
