/**
 * PutScheduledAction / DescribeScheduledActions / DeleteScheduledAction for ECS targets: a
 * schedule (`at`, `rate`, `cron`, in an IANA `Timezone`) that sets the target's min and/or max capacity; the
 * leader's scaling loop applies them. Stored on the target's KV record (CAS). Must never store
 * a schedule it cannot read.
 */
import { randomUUID } from 'node:crypto';
import { EcsError } from '../errors.js';
import type { ArnScope } from '../core/arn.js';
import { type Body, optObject, optString, optStringList, optTime } from '../core/input.js';
import type { ScheduledActionRecord } from './due-scheduled-action.js';
import { parseSchedule, ScheduleError } from './schedule.js';
import { isTimeZone } from './zoned-time.js';
import { page, type ScalingApi, type ScalingHandler } from './scaling-api.js';
import { optCapacity, read, reqTarget, validation } from './scaling-input.js';
import { DIMENSION, NAMESPACE, resourceIdOf, type TargetRecord } from './scaling-records.js';
import type { TargetStore } from './target-store.js';

const secs = (ms: number): number => ms / 1000;

export class ScheduledActionsApi {
  readonly #store: TargetStore;
  readonly #api: ScalingApi;
  readonly #scope: ArnScope;
  readonly #now: () => number;

  constructor(store: TargetStore, api: ScalingApi, scope: ArnScope, now: () => number = Date.now) {
    this.#store = store;
    this.#api = api;
    this.#scope = scope;
    this.#now = now;
  }

  get handlers(): Readonly<Record<string, ScalingHandler>> {
    return {
      PutScheduledAction: (b) => this.put(b),
      DescribeScheduledActions: (b) => this.describe(b),
      DeleteScheduledAction: (b) => this.delete(b),
    };
  }

  #arn(r: TargetRecord, a: ScheduledActionRecord): string {
    const { region, accountId } = this.#scope;
    return (
      `arn:aws:autoscaling:${region}:${accountId}:scheduledAction:${a.id}:resource/ecs/` +
      `${resourceIdOf(r)}:scheduledActionName/${a.name}`
    );
  }

  async put(body: Body): Promise<unknown> {
    const t = reqTarget(body);
    const name = read(() => optString(body, 'ScheduledActionName'));
    if (!name || name.length > 256 || /[:/|]/.test(name)) {
      throw validation('ScheduledActionName is required: 1 to 256 characters, without : / |.');
    }
    const schedule = read(() => optString(body, 'Schedule'));
    const tz = read(() => optString(body, 'Timezone'));
    if (tz !== undefined && !isTimeZone(tz)) {
      throw validation(`Timezone ${tz} is not a valid IANA time zone name.`);
    }
    if (schedule !== undefined) {
      try {
        parseSchedule(schedule, tz);
      } catch (e) {
        if (e instanceof ScheduleError) throw validation(`Schedule: ${e.message}`);
        throw e;
      }
    }
    const start = read(() => optTime(body, 'StartTime'));
    const end = read(() => optTime(body, 'EndTime'));
    const action = read(() => optObject(body, 'ScalableTargetAction'));
    const min = action ? optCapacity(action, 'MinCapacity') : undefined;
    const max = action ? optCapacity(action, 'MaxCapacity') : undefined;
    if (min !== undefined && max !== undefined && min > max) {
      throw validation(`Minimum capacity (${min}) cannot be greater than maximum (${max}).`);
    }
    const now = this.#now();
    await this.#store.update(t.cluster, t.service, (prev) => {
      if (!prev) {
        throw new EcsError(
          'ObjectNotFoundException',
          `No scalable target registered for service namespace: ${NAMESPACE}, resource ID: ` +
            `${t.resourceId}, scalable dimension: ${DIMENSION}`,
        );
      }
      const list = prev.scheduledActions ?? [];
      const old = list.find((a) => a.name === name);
      const sched = schedule ?? old?.schedule;
      if (!sched) throw validation('Schedule is required for a new scheduled action.');
      const timezone = tz ?? old?.timezone;
      if (!old && list.length >= 200) {
        throw new EcsError('LimitExceededException', 'At most 200 scheduled actions per target.');
      }
      const next: ScheduledActionRecord = {
        name,
        id: old?.id ?? randomUUID(),
        schedule: sched,
        ...(timezone !== undefined ? { timezone } : {}),
        start: start ?? old?.start,
        end: end ?? old?.end,
        min: action ? min : old?.min,
        max: action ? max : old?.max,
        created: old?.created ?? now,
      };
      return { ...prev, scheduledActions: [...list.filter((a) => a.name !== name), next] };
    });
    return {};
  }

  async describe(body: Body): Promise<unknown> {
    const names = read(() => optStringList(body, 'ScheduledActionNames'));
    const rows: { r: TargetRecord; a: ScheduledActionRecord }[] = [];
    for (const r of await this.#api.filtered(body)) {
      for (const a of r.scheduledActions ?? []) {
        if (!names || names.includes(a.name)) rows.push({ r, a });
      }
    }
    const { items, next } = page(rows, body, 50);
    return {
      ScheduledActions: items.map(({ r, a }) => ({
        ScheduledActionName: a.name,
        ScheduledActionARN: this.#arn(r, a),
        ServiceNamespace: NAMESPACE,
        Schedule: a.schedule,
        Timezone: a.timezone ?? 'UTC',
        ResourceId: resourceIdOf(r),
        ScalableDimension: DIMENSION,
        ...(a.start !== undefined ? { StartTime: secs(a.start) } : {}),
        ...(a.end !== undefined ? { EndTime: secs(a.end) } : {}),
        ScalableTargetAction: {
          ...(a.min !== undefined ? { MinCapacity: a.min } : {}),
          ...(a.max !== undefined ? { MaxCapacity: a.max } : {}),
        },
        CreationTime: secs(a.created),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  async delete(body: Body): Promise<unknown> {
    const t = reqTarget(body);
    const name = read(() => optString(body, 'ScheduledActionName'));
    if (!name) throw validation('ScheduledActionName is required.');
    await this.#store.update(t.cluster, t.service, (prev) => {
      if (!prev?.scheduledActions?.some((a) => a.name === name)) {
        throw new EcsError(
          'ObjectNotFoundException',
          `No scheduled action found for service namespace: ${NAMESPACE}, resource ID: ` +
            `${t.resourceId}, scalable dimension: ${DIMENSION}, scheduled action name: ${name}`,
        );
      }
      return { ...prev, scheduledActions: prev.scheduledActions.filter((a) => a.name !== name) };
    });
    return {};
  }
}
