/**
 * What Application Auto Scaling state berth keeps: one KV record per scalable target (an ECS
 * service's desired count) holding its bounds, suspension, policies, scheduled actions, the
 * times of its last scaling and its latest activities, so one CAS write changes it whole.
 * Types, the KV layout and small pure helpers only.
 */
import type { PredefinedMetric } from './decide-capacity.js';
import type { ScheduledActionRecord } from './due-scheduled-action.js';
import type { StepPolicyRecord } from './step-policy.js';

export const NAMESPACE = 'ecs';
export const DIMENSION = 'ecs:service:DesiredCount';
/** Activities kept per target (newest first). */
export const MAX_ACTIVITIES = 50;

export interface SuspendedState {
  readonly dynamicIn: boolean;
  readonly dynamicOut: boolean;
  readonly scheduled: boolean;
}

export interface PolicyRecord {
  readonly name: string;
  readonly id: string;
  readonly type: 'TargetTrackingScaling';
  readonly metric: PredefinedMetric;
  readonly resourceLabel?: string | undefined;
  readonly target: number;
  /** Seconds, as given (default 300 as on AWS for ECS). */
  readonly scaleOutCooldown: number;
  readonly scaleInCooldown: number;
  readonly disableScaleIn: boolean;
  readonly created: number;
}

export interface ActivityRecord {
  readonly id: string;
  readonly description: string;
  readonly cause: string;
  readonly start: number;
  readonly end?: number | undefined;
  readonly status: 'Pending' | 'InProgress' | 'Successful' | 'Failed';
  readonly message?: string | undefined;
}

export interface TargetRecord {
  readonly cluster: string;
  readonly service: string;
  readonly arnId: string;
  readonly min: number;
  readonly max: number;
  readonly roleArn: string;
  readonly suspended: SuspendedState;
  readonly created: number;
  readonly policies: readonly PolicyRecord[];
  /** StepScaling policies (names unique across both lists). */
  readonly stepPolicies?: readonly StepPolicyRecord[] | undefined;
  readonly lastScaleOutAt?: number | undefined;
  readonly lastScaleInAt?: number | undefined;
  /** Newest first, at most MAX_ACTIVITIES. */
  readonly activities: readonly ActivityRecord[];
  readonly scheduledActions?: readonly ScheduledActionRecord[] | undefined;
  /** Scheduled runs up to this time (ms) are applied. */
  readonly scheduledThrough?: number | undefined;
}

/** `service/<cluster>/<service>` → its parts, or undefined. */
export function parseResourceId(id: string): { cluster: string; service: string } | undefined {
  const m = /^service\/([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255})$/.exec(id);
  return m ? { cluster: m[1]!, service: m[2]! } : undefined;
}

export const resourceIdOf = (t: { cluster: string; service: string }): string =>
  `service/${t.cluster}/${t.service}`;

/** KV keys under `<prefix>autoscaling/`. */
export class ScalingLayout {
  readonly root: string;
  constructor(prefix: string) {
    this.root = `${prefix}autoscaling/targets/`;
  }
  target(cluster: string, service: string): string {
    return `${this.root}${cluster}/${service}`;
  }
}

/** The record with `activity` first, the list bounded. */
export function withActivity(r: TargetRecord, activity: ActivityRecord): TargetRecord {
  return { ...r, activities: [activity, ...r.activities].slice(0, MAX_ACTIVITIES) };
}
