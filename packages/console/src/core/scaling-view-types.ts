/**
 * The view model of a service's auto scaling section (issue 21): its scalable target, its
 * policies (any type, drawn from their configuration generically), scheduled actions with
 * their next run, recent scaling activities and the utilisation the leader's scaler measures.
 * Plain JSON, times in epoch ms. Types only: must never hold behaviour.
 */
import type { Series, Tone } from './view-types.js';

/** One label and its text, for a policy's settings and the like. */
export interface Setting {
  readonly label: string;
  readonly value: string;
}

export interface ScalingTargetView {
  readonly min: number;
  readonly max: number;
  readonly dynamicInSuspended: boolean;
  readonly dynamicOutSuspended: boolean;
  readonly scheduledSuspended: boolean;
  /** "not suspended", or which parts are. */
  readonly suspendedText: string;
  readonly created: number | undefined;
}

export interface PolicyView {
  readonly name: string;
  /** `TargetTrackingScaling`, `StepScaling`, ... as the API names it. */
  readonly type: string;
  /** "Target tracking", "Step scaling", or the type. */
  readonly typeLabel: string;
  /** The metric as a person reads it ("Average CPU utilisation"), or '' when none is named. */
  readonly metric: string;
  /** The API's metric name (`ECSServiceAverageCPUUtilization`), or ''. */
  readonly metricType: string;
  /** "50 %", "1000 requests per target", or '' (no target value). */
  readonly target: string;
  /** Everything else of its configuration: cooldowns, scale-in, steps, ... */
  readonly settings: readonly Setting[];
  readonly alarms: readonly string[];
  /** Whether the console may edit it in place (a target-tracking policy on CPU or memory). */
  readonly editable: boolean;
}

export interface ScheduledActionView {
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly nextRun: number | undefined;
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

export interface ActivityView {
  readonly id: string;
  readonly time: number | undefined;
  readonly end: number | undefined;
  readonly description: string;
  readonly cause: string;
  readonly status: string;
  readonly statusMessage: string;
  readonly tone: Tone;
}

export interface TaskUtilisation {
  readonly taskId: string;
  readonly cpu: number;
  readonly memory: number;
}

/** One minute of the service: the known values and any other the scheduler sends. */
export interface MinuteRow {
  readonly minute: number;
  readonly samples: number;
  readonly cpuAvg: number;
  readonly memoryAvg: number;
  readonly cpuMax: number | undefined;
  /** Values of `UtilisationView.extraColumns`, in that order (undefined: absent). */
  readonly extra: readonly (number | undefined)[];
}

export interface UtilisationView {
  /** False while the leader's scaler has not taken the samples over yet (just after a failover). */
  readonly collecting: boolean;
  readonly freshSeconds: number;
  readonly runningTasks: number;
  /** The tasks' reservation: CPU units and memory MiB. */
  readonly reservation: { readonly cpu: number; readonly memory: number } | undefined;
  /** Current averages over the tasks with a fresh sample (undefined: no data). */
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly measuredTasks: number;
  /** Other current averages the scheduler sends (requests per target, ...). */
  readonly extraNow: readonly Setting[];
  readonly tasks: readonly TaskUtilisation[];
  /** The last (at most 60) one-minute aggregates, oldest first. */
  readonly minutes: readonly MinuteRow[];
  /** Labels of the minutes' other numeric fields. */
  readonly extraColumns: readonly string[];
  readonly cpuSeries: Series;
  readonly memorySeries: Series;
  /** A one-sentence text alternative of the chart. */
  readonly summary: string;
}

export interface ScalingView {
  readonly cluster: string;
  readonly service: string;
  readonly resourceId: string;
  readonly desired: number;
  readonly running: number;
  /** Undefined: the service is not registered for auto scaling. */
  readonly target: ScalingTargetView | undefined;
  readonly policies: readonly PolicyView[];
  readonly scheduled: readonly ScheduledActionView[];
  readonly activities: readonly ActivityView[];
  /** Undefined when the scheduler did not answer it (see `problems`). */
  readonly utilisation: UtilisationView | undefined;
  /** Parts the scheduler refused or failed, each as "what: type: message". */
  readonly problems: readonly string[];
}
