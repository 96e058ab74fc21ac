/**
 * Step scaling policies in the Application Auto Scaling API (issue 21): the record kept on a
 * scalable target, the reader of `StepScalingPolicyConfiguration` (ValidationException naming
 * the field, the steps checked as AWS checks them) and its rendering for
 * DescribeScalingPolicies, its CAS write on the target, and the parsing of a policy ARN
 * (alarms name policies by ARN). All pure but putStepPolicy.
 */
import { type Body, optObject, optObjectList, optString } from '../core/input.js';
import { randomUUID } from 'node:crypto';
import { EcsError } from '../errors.js';
import { read, validation } from './scaling-input.js';
import { DIMENSION, NAMESPACE, resourceIdOf, type TargetRecord } from './scaling-records.js';
import type { TargetStore } from './target-store.js';
import {
  type AdjustmentType,
  type MetricAggregation,
  type StepAdjustment,
  type StepPolicyConfig,
  type StepRun,
  stepsProblem,
} from './step-scaling.js';

export interface StepPolicyRecord {
  readonly name: string;
  readonly id: string;
  readonly type: 'StepScaling';
  readonly config: StepPolicyConfig;
  readonly created: number;
  /** The last run that changed the count. */
  readonly last?: StepRun | undefined;
}

const LABEL = 'StepScalingPolicyConfiguration';
const ADJUSTMENTS: readonly AdjustmentType[] = [
  'ChangeInCapacity',
  'PercentChangeInCapacity',
  'ExactCapacity',
];
const AGGREGATIONS: readonly MetricAggregation[] = ['Average', 'Minimum', 'Maximum'];

function num(b: Body, field: string, label: string): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw validation(`${label} must be a number.`);
  return v;
}

function int(b: Body, field: string, label: string): number | undefined {
  const v = num(b, field, label);
  if (v !== undefined && !Number.isInteger(v)) throw validation(`${label} must be an integer.`);
  return v;
}

/** Reads and checks a StepScalingPolicyConfiguration (AWS's defaults: Average, cooldown 0). */
export function readStepConfig(body: Body): StepPolicyConfig {
  const c = read(() => optObject(body, LABEL));
  if (!c) throw validation(`${LABEL} is required for a StepScaling policy.`);
  const type = read(() => optString(c, 'AdjustmentType', `${LABEL}.AdjustmentType`));
  if (!type) throw validation(`${LABEL}.AdjustmentType is required.`);
  if (!(ADJUSTMENTS as readonly string[]).includes(type)) {
    throw validation(
      `${LABEL}.AdjustmentType must be one of ${ADJUSTMENTS.join(', ')}, got ${type}.`,
    );
  }
  const raw = read(() => optObjectList(c, 'StepAdjustments', `${LABEL}.StepAdjustments`)) ?? [];
  if (raw.length > 20) throw validation(`${LABEL}.StepAdjustments: at most 20 step adjustments.`);
  const steps: StepAdjustment[] = raw.map((s, k) => {
    const at = `${LABEL}.StepAdjustments.${k + 1}`;
    const adjustment = int(s, 'ScalingAdjustment', `${at}.ScalingAdjustment`);
    if (adjustment === undefined) throw validation(`${at}.ScalingAdjustment is required.`);
    if (type === 'ExactCapacity' && adjustment < 0) {
      throw validation(`${at}.ScalingAdjustment must be non-negative for ExactCapacity.`);
    }
    if (type === 'PercentChangeInCapacity' && adjustment < -100) {
      throw validation(`${at}.ScalingAdjustment cannot remove more than 100 percent.`);
    }
    return {
      lower: num(s, 'MetricIntervalLowerBound', `${at}.MetricIntervalLowerBound`),
      upper: num(s, 'MetricIntervalUpperBound', `${at}.MetricIntervalUpperBound`),
      adjustment,
    };
  });
  const problem = stepsProblem(steps);
  if (problem) throw validation(`${LABEL}.StepAdjustments: ${problem}`);
  const mag = int(c, 'MinAdjustmentMagnitude', `${LABEL}.MinAdjustmentMagnitude`);
  if (mag !== undefined) {
    if (type !== 'PercentChangeInCapacity') {
      throw validation(
        `${LABEL}.MinAdjustmentMagnitude is only valid with AdjustmentType PercentChangeInCapacity.`,
      );
    }
    if (mag < 1) throw validation(`${LABEL}.MinAdjustmentMagnitude must be at least 1.`);
  }
  const cooldown = int(c, 'Cooldown', `${LABEL}.Cooldown`) ?? 0;
  if (cooldown < 0 || cooldown > 86_400) {
    throw validation(`${LABEL}.Cooldown must be an integer between 0 and 86400.`);
  }
  const agg =
    read(() => optString(c, 'MetricAggregationType', `${LABEL}.MetricAggregationType`)) ??
    'Average';
  if (!(AGGREGATIONS as readonly string[]).includes(agg)) {
    throw validation(
      `${LABEL}.MetricAggregationType must be one of ${AGGREGATIONS.join(', ')}, got ${agg}.`,
    );
  }
  return {
    adjustmentType: type as AdjustmentType,
    steps,
    minAdjustmentMagnitude: mag,
    cooldown,
    aggregation: agg as MetricAggregation,
  };
}

/** The configuration as DescribeScalingPolicies shows it. */
export function describeStepConfig(c: StepPolicyConfig): Record<string, unknown> {
  return {
    AdjustmentType: c.adjustmentType,
    StepAdjustments: c.steps.map((s) => ({
      ...(s.lower !== undefined ? { MetricIntervalLowerBound: s.lower } : {}),
      ...(s.upper !== undefined ? { MetricIntervalUpperBound: s.upper } : {}),
      ScalingAdjustment: s.adjustment,
    })),
    ...(c.minAdjustmentMagnitude !== undefined
      ? { MinAdjustmentMagnitude: c.minAdjustmentMagnitude }
      : {}),
    Cooldown: c.cooldown,
    MetricAggregationType: c.aggregation,
  };
}

const POLICY_ARN =
  /^arn:aws:autoscaling:[a-z0-9-]+:\d{12}:scalingPolicy:([0-9a-f-]{36}):resource\/ecs\/service\/([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255}):policyName\/([^:/]{1,256})$/;

/** A berth scaling policy ARN's parts, or undefined. */
export function parsePolicyArn(
  arn: string,
): { id: string; cluster: string; service: string; name: string } | undefined {
  const m = POLICY_ARN.exec(arn);
  return m ? { id: m[1]!, cluster: m[2]!, service: m[3]!, name: m[4]! } : undefined;
}

/** Writes (creates or replaces) the step policy `name` on a registered target. */
export async function putStepPolicy(
  store: TargetStore,
  t: { cluster: string; service: string; resourceId: string },
  name: string,
  config: StepPolicyConfig,
  now: number,
): Promise<{ target: TargetRecord; policy: StepPolicyRecord }> {
  let policy: StepPolicyRecord | undefined;
  const written = await store.update(t.cluster, t.service, (prev) => {
    if (!prev) {
      throw new EcsError(
        'ObjectNotFoundException',
        `No scalable target registered for service namespace: ${NAMESPACE}, resource ID: ` +
          `${t.resourceId}, scalable dimension: ${DIMENSION}`,
      );
    }
    const old = prev.stepPolicies?.find((p) => p.name === name);
    // The last run (and so its cooldown) survives a change of configuration.
    policy = {
      name,
      id: old?.id ?? randomUUID(),
      type: 'StepScaling',
      config,
      created: old?.created ?? now,
      last: old?.last,
    };
    const others = prev.policies.filter((p) => p.name !== name);
    const steps = (prev.stepPolicies ?? []).filter((p) => p.name !== name);
    if (!old && others.length + steps.length >= 50) {
      throw new EcsError('LimitExceededException', 'At most 50 scaling policies per target.');
    }
    return { ...prev, policies: others, stepPolicies: [...steps, policy] };
  });
  return { target: written as TargetRecord, policy: policy as StepPolicyRecord };
}

/** A step policy as DescribeScalingPolicies shows it, with the alarms that name it. */
export function describeStepPolicy(
  r: TargetRecord,
  p: StepPolicyRecord,
  arn: string,
  alarmsOf: ((arn: string) => { AlarmName: string; AlarmARN: string }[]) | undefined,
): Record<string, unknown> {
  return {
    PolicyARN: arn,
    PolicyName: p.name,
    ServiceNamespace: NAMESPACE,
    ResourceId: resourceIdOf(r),
    ScalableDimension: DIMENSION,
    PolicyType: p.type,
    StepScalingPolicyConfiguration: describeStepConfig(p.config),
    Alarms: alarmsOf?.(arn) ?? [],
    CreationTime: p.created / 1000,
  };
}
