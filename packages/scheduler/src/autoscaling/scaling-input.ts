/**
 * Readers for Application Auto Scaling request fields: the namespace / resource / dimension
 * triple and a target-tracking configuration, each failing with `ValidationException` naming
 * the field as AWS does. Pure.
 */
import { EcsError } from '../errors.js';
import { type Body, optBool, optObject, optString } from '../core/input.js';
import type { PredefinedMetric } from './decide-capacity.js';
import { DIMENSION, NAMESPACE, parseResourceId } from './scaling-records.js';

export const validation = (message: string): EcsError =>
  new EcsError('ValidationException', message);

export const METRICS: readonly PredefinedMetric[] = [
  'ECSServiceAverageCPUUtilization',
  'ECSServiceAverageMemoryUtilization',
  'ALBRequestCountPerTarget',
];

/** Wraps the generic readers so their InvalidParameterException reads as ValidationException. */
export function read<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EcsError && e.type === 'InvalidParameterException')
      throw validation(e.message);
    throw e;
  }
}

export function reqNamespace(body: Body): void {
  const ns = read(() => optString(body, 'ServiceNamespace'));
  if (ns === undefined) throw validation('ServiceNamespace is required.');
  if (ns !== NAMESPACE) {
    throw validation(`Unsupported service namespace ${ns}: berth scales ECS services only (ecs).`);
  }
}

export function optDimension(body: Body): void {
  const d = read(() => optString(body, 'ScalableDimension'));
  if (d !== undefined && d !== DIMENSION) {
    throw validation(`Unsupported scalable dimension ${d} for namespace ecs (${DIMENSION}).`);
  }
}

/** The triple every per-target call names; returns the resource's parts. */
export function reqTarget(body: Body): { cluster: string; service: string; resourceId: string } {
  reqNamespace(body);
  const id = read(() => optString(body, 'ResourceId'));
  if (!id) throw validation('ResourceId is required.');
  const parts = parseResourceId(id);
  if (!parts) {
    throw validation(`Unsupported resource ID ${id}: expected service/<cluster>/<service>.`);
  }
  const d = read(() => optString(body, 'ScalableDimension'));
  if (d === undefined) throw validation('ScalableDimension is required.');
  optDimension(body);
  return { ...parts, resourceId: id };
}

function num(body: Body, field: string, label: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw validation(`${label} must be a number.`);
  return v;
}

export function optCapacity(body: Body, field: string): number | undefined {
  const v = num(body, field, field);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 10_000) {
    throw validation(`${field} must be an integer between 0 and 10000.`);
  }
  return v;
}

/** A TargetTrackingScalingPolicyConfiguration, with AWS's defaults (cooldowns 300 s). */
export function readTracking(body: Body): {
  metric: PredefinedMetric;
  resourceLabel: string | undefined;
  target: number;
  scaleOutCooldown: number;
  scaleInCooldown: number;
  disableScaleIn: boolean;
} {
  const label = 'TargetTrackingScalingPolicyConfiguration';
  const c = read(() => optObject(body, label));
  if (!c) throw validation(`${label} is required for a TargetTrackingScaling policy.`);
  const target = num(c, 'TargetValue', `${label}.TargetValue`);
  if (target === undefined) throw validation(`${label}.TargetValue is required.`);
  if (target <= 0) throw validation(`${label}.TargetValue must be greater than 0.`);
  if (c['CustomizedMetricSpecification'] !== undefined) {
    throw new EcsError(
      'ValidationException',
      'CustomizedMetricSpecification is not supported: berth measures the predefined metrics.',
    );
  }
  const spec = read(() => optObject(c, 'PredefinedMetricSpecification'));
  if (!spec) throw validation(`${label}.PredefinedMetricSpecification is required.`);
  const type = read(() => optString(spec, 'PredefinedMetricType'));
  if (!type || !(METRICS as readonly string[]).includes(type)) {
    throw validation(
      `PredefinedMetricType must be one of ${METRICS.join(', ')}, got ${type ?? 'nothing'}.`,
    );
  }
  const cooldown = (f: string): number => {
    const v = num(c, f, `${label}.${f}`) ?? 300;
    if (!Number.isInteger(v) || v < 0 || v > 86_400) {
      throw validation(`${label}.${f} must be an integer between 0 and 86400.`);
    }
    return v;
  };
  return {
    metric: type as PredefinedMetric,
    resourceLabel: read(() => optString(spec, 'ResourceLabel')),
    target,
    scaleOutCooldown: cooldown('ScaleOutCooldown'),
    scaleInCooldown: cooldown('ScaleInCooldown'),
    disableScaleIn: read(() => optBool(c, 'DisableScaleIn')) ?? false,
  };
}
