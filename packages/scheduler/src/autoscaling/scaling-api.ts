/**
 * The Application Auto Scaling API for ECS services (AWS JSON 1.1,
 * `X-Amz-Target: AnyScaleFrontendService.<Action>`, SigV4 service `application-autoscaling`):
 * Register/Deregister/DescribeScalableTargets, Put/Delete/DescribeScalingPolicies
 * (TargetTrackingScaling, StepScaling) and DescribeScalingActivities. Any replica serves it: the state is
 * CAS-written KV records that the leader's scaling loop reads. Must never write a target for
 * a service that does not exist, nor a policy for a target that is not registered.
 */
import type { ConsulKv } from '@berth/consul';
import { randomUUID } from 'node:crypto';
import { EcsError } from '../errors.js';
import type { KvLayout } from '../state/records.js';
import type { ArnScope } from '../core/arn.js';
import { type Body, optBool, optObject, optString, optStringList } from '../core/input.js';
import {
  optCapacity,
  optDimension,
  read,
  readTracking,
  reqNamespace,
  reqTarget,
  validation,
} from './scaling-input.js';
import {
  DIMENSION,
  NAMESPACE,
  resourceIdOf,
  type PolicyRecord,
  type TargetRecord,
} from './scaling-records.js';
import { UNCHANGED } from './cas-update.js';
import type { TargetStore } from './target-store.js';
import {
  describeStepPolicy,
  putStepPolicy,
  readStepConfig,
  type StepPolicyRecord,
} from './step-policy.js';

export type ScalingHandler = (body: Body, caller: string | undefined) => Promise<unknown>;

const secs = (ms: number): number => ms / 1000;

const notFound = (resourceId: string): EcsError =>
  new EcsError(
    'ObjectNotFoundException',
    `No scalable target registered for service namespace: ${NAMESPACE}, resource ID: ` +
      `${resourceId}, scalable dimension: ${DIMENSION}`,
  );

/** One page of `items` by MaxResults / NextToken (an offset). */
export function page<T>(
  items: readonly T[],
  body: Body,
  max: number,
): { items: T[]; next?: string } {
  const limit = read(() => {
    const v = body['MaxResults'];
    if (v === undefined || v === null) return max;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw validation(`MaxResults must be an integer between 1 and ${max}.`);
    }
    return v;
  });
  const token = read(() => optString(body, 'NextToken'));
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw validation('Invalid NextToken.');
  }
  const slice = items.slice(start, start + limit);
  return start + limit < items.length
    ? { items: slice, next: Buffer.from(String(start + limit)).toString('base64url') }
    : { items: slice };
}

/** Reads the alarms once; then policy ARN → the alarms that name it. */
export type AlarmsFor = () => Promise<(arn: string) => { AlarmName: string; AlarmARN: string }[]>;

export class ScalingApi {
  readonly #store: TargetStore;
  readonly #kv: ConsulKv;
  readonly #layout: KvLayout;
  readonly #scope: ArnScope;
  readonly #now: () => number;
  readonly #alarmsFor: AlarmsFor | undefined;

  constructor(o: {
    store: TargetStore;
    kv: ConsulKv;
    layout: KvLayout;
    scope: ArnScope;
    now?: () => number;
    /** The alarms whose actions name a step policy (DescribeScalingPolicies' Alarms). */
    alarmsFor?: AlarmsFor;
  }) {
    this.#alarmsFor = o.alarmsFor;
    this.#store = o.store;
    this.#kv = o.kv;
    this.#layout = o.layout;
    this.#scope = o.scope;
    this.#now = o.now ?? Date.now;
  }

  get handlers(): Readonly<Record<string, ScalingHandler>> {
    return {
      RegisterScalableTarget: (b) => this.register(b),
      DeregisterScalableTarget: (b) => this.deregister(b),
      DescribeScalableTargets: (b) => this.describeTargets(b),
      PutScalingPolicy: (b) => this.putPolicy(b),
      DeleteScalingPolicy: (b) => this.deletePolicy(b),
      DescribeScalingPolicies: (b) => this.describePolicies(b),
      DescribeScalingActivities: (b) => this.describeActivities(b),
    };
  }

  #targetArn(r: TargetRecord): string {
    const { region, accountId } = this.#scope;
    return `arn:aws:application-autoscaling:${region}:${accountId}:scalable-target/${r.arnId}`;
  }

  #policyArn(r: TargetRecord, p: PolicyRecord | StepPolicyRecord): string {
    const { region, accountId } = this.#scope;
    return (
      `arn:aws:autoscaling:${region}:${accountId}:scalingPolicy:${p.id}:resource/ecs/` +
      `${resourceIdOf(r)}:policyName/${p.name}`
    );
  }

  #alarms(r: TargetRecord, p: PolicyRecord): { AlarmName: string; AlarmARN: string }[] {
    const { region, accountId } = this.#scope;
    return ['AlarmHigh', 'AlarmLow']
      .filter((k) => k === 'AlarmHigh' || !p.disableScaleIn)
      .map((k) => {
        const name = `TargetTracking-${resourceIdOf(r)}-${k}-${p.id}`;
        return {
          AlarmName: name,
          AlarmARN: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
        };
      });
  }

  async #serviceExists(cluster: string, service: string): Promise<boolean> {
    const got = await this.#kv.getJson<{ status?: string; schedulingStrategy?: string }>(
      this.#layout.service(cluster, service),
    );
    const s = got?.value;
    return s !== undefined && s.status === 'ACTIVE' && s.schedulingStrategy !== 'DAEMON';
  }

  async register(body: Body): Promise<unknown> {
    const t = reqTarget(body);
    const min = optCapacity(body, 'MinCapacity');
    const max = optCapacity(body, 'MaxCapacity');
    const roleArn = read(() => optString(body, 'RoleARN'));
    const susp = read(() => optObject(body, 'SuspendedState'));
    const flag = (f: string): boolean | undefined =>
      susp ? read(() => optBool(susp, f, `SuspendedState.${f}`)) : undefined;
    if (!(await this.#serviceExists(t.cluster, t.service))) {
      throw validation(`ECS service doesn't exist: ${t.resourceId}`);
    }
    const now = this.#now();
    const written = await this.#store.update(t.cluster, t.service, (prev) => {
      const nmin = min ?? prev?.min;
      const nmax = max ?? prev?.max;
      if (nmin === undefined || nmax === undefined) {
        throw validation('MinCapacity and MaxCapacity are required to register a new target.');
      }
      if (nmin > nmax) {
        throw validation(`Minimum capacity (${nmin}) cannot be greater than maximum (${nmax}).`);
      }
      const ps = prev?.suspended ?? { dynamicIn: false, dynamicOut: false, scheduled: false };
      return {
        cluster: t.cluster,
        service: t.service,
        arnId: prev?.arnId ?? randomUUID().replaceAll('-', ''),
        min: nmin,
        max: nmax,
        roleArn:
          roleArn ??
          prev?.roleArn ??
          `arn:aws:iam::${this.#scope.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
        suspended: {
          dynamicIn: flag('DynamicScalingInSuspended') ?? ps.dynamicIn,
          dynamicOut: flag('DynamicScalingOutSuspended') ?? ps.dynamicOut,
          scheduled: flag('ScheduledScalingSuspended') ?? ps.scheduled,
        },
        created: prev?.created ?? now,
        policies: prev?.policies ?? [],
        stepPolicies: prev?.stepPolicies,
        lastScaleOutAt: prev?.lastScaleOutAt,
        lastScaleInAt: prev?.lastScaleInAt,
        activities: prev?.activities ?? [],
        scheduledActions: prev?.scheduledActions,
        scheduledThrough: prev?.scheduledThrough,
      };
    });
    return { ScalableTargetARN: this.#targetArn(written as TargetRecord) };
  }

  async deregister(body: Body): Promise<unknown> {
    const t = reqTarget(body);
    let found = false;
    await this.#store.update(t.cluster, t.service, (prev) => {
      found = prev !== undefined;
      return prev ? null : UNCHANGED;
    });
    if (!found) throw notFound(t.resourceId);
    return {};
  }

  async filtered(body: Body): Promise<TargetRecord[]> {
    reqNamespace(body);
    optDimension(body);
    const ids = read(() => optStringList(body, 'ResourceIds'));
    const id = read(() => optString(body, 'ResourceId'));
    const all = await this.#store.list();
    const want = ids ?? (id !== undefined ? [id] : undefined);
    return want ? all.filter((r) => want.includes(resourceIdOf(r))) : all;
  }

  async describeTargets(body: Body): Promise<unknown> {
    const { items, next } = page(await this.filtered(body), body, 50);
    return {
      ScalableTargets: items.map((r) => ({
        ServiceNamespace: NAMESPACE,
        ResourceId: resourceIdOf(r),
        ScalableDimension: DIMENSION,
        MinCapacity: r.min,
        MaxCapacity: r.max,
        RoleARN: r.roleArn,
        CreationTime: secs(r.created),
        SuspendedState: {
          DynamicScalingInSuspended: r.suspended.dynamicIn,
          DynamicScalingOutSuspended: r.suspended.dynamicOut,
          ScheduledScalingSuspended: r.suspended.scheduled,
        },
        ScalableTargetARN: this.#targetArn(r),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  async putPolicy(body: Body): Promise<unknown> {
    const t = reqTarget(body);
    const name = read(() => optString(body, 'PolicyName'));
    if (!name || name.length > 256 || /[:/]/.test(name)) {
      throw validation('PolicyName is required: 1 to 256 characters, without : or /.');
    }
    const type = read(() => optString(body, 'PolicyType')) ?? 'StepScaling';
    if (type === 'StepScaling') {
      const step = await putStepPolicy(this.#store, t, name, readStepConfig(body), this.#now());
      return { PolicyARN: this.#policyArn(step.target, step.policy) };
    }
    if (type !== 'TargetTrackingScaling') throw validation(`Unsupported PolicyType ${type}.`);
    const c = readTracking(body);
    const now = this.#now();
    let policy: PolicyRecord | undefined;
    const written = await this.#store.update(t.cluster, t.service, (prev) => {
      if (!prev) throw notFound(t.resourceId);
      const old = prev.policies.find((p) => p.name === name);
      policy = {
        name,
        id: old?.id ?? randomUUID(),
        type: 'TargetTrackingScaling',
        ...c,
        created: old?.created ?? now,
      };
      const others = prev.policies.filter((p) => p.name !== name);
      const steps = (prev.stepPolicies ?? []).filter((p) => p.name !== name);
      if (!old && others.length + steps.length >= 50) {
        throw new EcsError('LimitExceededException', 'At most 50 scaling policies per target.');
      }
      return { ...prev, policies: [...others, policy], stepPolicies: steps };
    });
    const r = written as TargetRecord;
    const p = policy as PolicyRecord;
    return { PolicyARN: this.#policyArn(r, p), Alarms: this.#alarms(r, p) };
  }

  async deletePolicy(body: Body): Promise<unknown> {
    const t = reqTarget(body);
    const name = read(() => optString(body, 'PolicyName'));
    if (!name) throw validation('PolicyName is required.');
    await this.#store.update(t.cluster, t.service, (prev) => {
      const named = (p: { name: string }): boolean => p.name === name;
      if (!prev || !(prev.policies.some(named) || prev.stepPolicies?.some(named))) {
        throw new EcsError(
          'ObjectNotFoundException',
          `No scaling policy found for service namespace: ${NAMESPACE}, resource ID: ` +
            `${t.resourceId}, scalable dimension: ${DIMENSION}, policy name: ${name}`,
        );
      }
      return {
        ...prev,
        policies: prev.policies.filter((p) => !named(p)),
        stepPolicies: prev.stepPolicies?.filter((p) => !named(p)),
      };
    });
    return {};
  }

  async describePolicies(body: Body): Promise<unknown> {
    const names = read(() => optStringList(body, 'PolicyNames'));
    const rows: { r: TargetRecord; p: PolicyRecord | StepPolicyRecord }[] = [];
    for (const r of await this.filtered(body)) {
      for (const p of [...r.policies, ...(r.stepPolicies ?? [])]) {
        if (!names || names.includes(p.name)) rows.push({ r, p });
      }
    }
    const { items, next } = page(rows, body, 50);
    const alarmsOf = items.some(({ p }) => p.type === 'StepScaling')
      ? await this.#alarmsFor?.()
      : undefined;
    return {
      ScalingPolicies: items.map(({ r, p }) =>
        p.type === 'StepScaling'
          ? describeStepPolicy(r, p, this.#policyArn(r, p), alarmsOf)
          : {
              PolicyARN: this.#policyArn(r, p),
              PolicyName: p.name,
              ServiceNamespace: NAMESPACE,
              ResourceId: resourceIdOf(r),
              ScalableDimension: DIMENSION,
              PolicyType: p.type,
              TargetTrackingScalingPolicyConfiguration: {
                TargetValue: p.target,
                PredefinedMetricSpecification: {
                  PredefinedMetricType: p.metric,
                  ...(p.resourceLabel ? { ResourceLabel: p.resourceLabel } : {}),
                },
                ScaleOutCooldown: p.scaleOutCooldown,
                ScaleInCooldown: p.scaleInCooldown,
                DisableScaleIn: p.disableScaleIn,
              },
              Alarms: this.#alarms(r, p),
              CreationTime: secs(p.created),
            },
      ),
      ...(next ? { NextToken: next } : {}),
    };
  }

  async describeActivities(body: Body): Promise<unknown> {
    const rows = (await this.filtered(body)).flatMap((r) => r.activities.map((a) => ({ r, a })));
    rows.sort((x, y) => y.a.start - x.a.start);
    const { items, next } = page(rows, body, 50);
    return {
      ScalingActivities: items.map(({ r, a }) => ({
        ActivityId: a.id,
        ServiceNamespace: NAMESPACE,
        ResourceId: resourceIdOf(r),
        ScalableDimension: DIMENSION,
        Description: a.description,
        Cause: a.cause,
        StartTime: secs(a.start),
        ...(a.end !== undefined ? { EndTime: secs(a.end) } : {}),
        StatusCode: a.status,
        ...(a.message ? { StatusMessage: a.message } : {}),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }
}
