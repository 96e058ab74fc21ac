/**
 * Builds a service's auto scaling section from the Application Auto Scaling answers (AWS's
 * field names, times in epoch seconds) and berth's DescribeServiceMetrics: the target's
 * bounds and suspension, each policy drawn generically from its configuration (target
 * tracking, step scaling with its StepAdjustments, any metric such as ALBRequestCountPerTarget,
 * and any field not known here as label and value), scheduled actions with their next run
 * (computed by the caller's function), activities with a tone, and utilisation against the
 * reservation with the last minutes and a one-sentence text alternative. Pure.
 */
import { POLICY_METRICS } from './scaling-actions.js';
import type {
  ActivityView,
  MinuteRow,
  PolicyView,
  ScalingTargetView,
  ScheduledActionView,
  Setting,
  UtilisationView,
} from './scaling-view-types.js';
import type { Tone } from './view-types.js';

type Obj = Readonly<Record<string, unknown>>;

const obj = (v: unknown): Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** AWS's epoch seconds → ms. */
const ms = (v: unknown): number | undefined => {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n * 1000);
};

/** `42.25` → `42.3` (at most one decimal, no trailing `.0`). */
export function round1(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** `requestsPerTarget`, `ScaleOutCooldown` → "Requests per target", "Scale out cooldown". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean);
  return words
    .map((w, i) =>
      i === 0 ? w[0]!.toUpperCase() + w.slice(1) : /^[A-Z]{2,}$/.test(w) ? w : w.toLowerCase(),
    )
    .join(' ');
}

const METRIC_LABELS: Readonly<Record<string, { label: string; unit: string }>> = {
  ECSServiceAverageCPUUtilization: { label: 'Average CPU utilisation', unit: ' %' },
  ECSServiceAverageMemoryUtilization: { label: 'Average memory utilisation', unit: ' %' },
  ALBRequestCountPerTarget: { label: 'Requests per target', unit: ' requests per target' },
};

const TYPE_LABELS: Readonly<Record<string, string>> = {
  TargetTrackingScaling: 'Target tracking',
  StepScaling: 'Step scaling',
};

export function metricLabel(type: string): string {
  return METRIC_LABELS[type]?.label ?? (type ? humanize(type) : '');
}

const secs = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? String(v) : `${n} s`;
};

const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

/** One of StepScalingPolicyConfiguration's StepAdjustments, in words. */
export function stepText(step: unknown, adjustmentType: string): string {
  const s = obj(step);
  const lo = num(s['MetricIntervalLowerBound']);
  const hi = num(s['MetricIntervalUpperBound']);
  const range =
    lo !== undefined && hi !== undefined
      ? `${signed(lo)} to ${signed(hi)}`
      : lo !== undefined
        ? `${signed(lo)} and above`
        : hi !== undefined
          ? `below ${signed(hi)}`
          : 'any value';
  const n = num(s['ScalingAdjustment']) ?? 0;
  const change =
    adjustmentType === 'ExactCapacity'
      ? `set to ${n} task${n === 1 ? '' : 's'}`
      : adjustmentType === 'PercentChangeInCapacity'
        ? `${signed(n)} %`
        : `${signed(n)} task${Math.abs(n) === 1 ? '' : 's'}`;
  return `metric − threshold ${range}: ${change}`;
}

/** A setting's value in words (known keys), else as plain text or JSON. */
function settingValue(key: string, v: unknown): string {
  if (/Cooldown$/.test(key)) return secs(v);
  if (key === 'DisableScaleIn') return v === true ? 'disabled' : 'enabled';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const SETTING_LABELS: Readonly<Record<string, string>> = {
  DisableScaleIn: 'Scale-in',
  ScaleOutCooldown: 'Scale-out cooldown',
  ScaleInCooldown: 'Scale-in cooldown',
  ResourceLabel: 'Resource label',
};

/** A policy as a row: type, metric, target and the rest of its configuration. */
export function policyView(p: Obj): PolicyView {
  const type = text(p['PolicyType']);
  let metricType = '';
  let target = '';
  const settings: Setting[] = [];
  const configs = Object.keys(p).filter((k) => k.endsWith('PolicyConfiguration'));
  for (const key of configs) {
    const c = obj(p[key]);
    const adjustment = text(c['AdjustmentType']);
    for (const [k, v] of Object.entries(c)) {
      if (k === 'PredefinedMetricSpecification') {
        const m = obj(v);
        metricType = text(m['PredefinedMetricType']);
        if (m['ResourceLabel'] !== undefined)
          settings.push({ label: 'Resource label', value: String(m['ResourceLabel']) });
      } else if (k === 'CustomizedMetricSpecification') {
        const m = obj(v);
        metricType = [text(m['Namespace']), text(m['MetricName'])].filter(Boolean).join('/');
      } else if (k === 'TargetValue') {
        target = num(v) === undefined ? String(v) : round1(v as number);
      } else if (k === 'StepAdjustments' && Array.isArray(v)) {
        v.forEach((step, i) =>
          settings.push({ label: `Step ${i + 1}`, value: stepText(step, adjustment) }),
        );
      } else {
        settings.push({ label: SETTING_LABELS[k] ?? humanize(k), value: settingValue(k, v) });
      }
    }
  }
  if (target) target += METRIC_LABELS[metricType]?.unit ?? '';
  const alarms = (Array.isArray(p['Alarms']) ? p['Alarms'] : [])
    .map((a) => text(obj(a)['AlarmName']))
    .filter(Boolean);
  return {
    name: text(p['PolicyName']),
    type,
    typeLabel: TYPE_LABELS[type] ?? humanize(type),
    metric: metricLabel(metricType),
    metricType,
    target,
    settings,
    alarms,
    editable: type === 'TargetTrackingScaling' && Object.hasOwn(POLICY_METRICS, metricType),
  };
}

export function targetView(t: Obj): ScalingTargetView {
  const s = obj(t['SuspendedState']);
  const parts = [
    s['DynamicScalingOutSuspended'] === true ? 'scale-out' : '',
    s['DynamicScalingInSuspended'] === true ? 'scale-in' : '',
    s['ScheduledScalingSuspended'] === true ? 'scheduled scaling' : '',
  ].filter(Boolean);
  return {
    min: num(t['MinCapacity']) ?? 0,
    max: num(t['MaxCapacity']) ?? 0,
    dynamicOutSuspended: s['DynamicScalingOutSuspended'] === true,
    dynamicInSuspended: s['DynamicScalingInSuspended'] === true,
    scheduledSuspended: s['ScheduledScalingSuspended'] === true,
    suspendedText: parts.length ? `${parts.join(', ')} suspended` : 'not suspended',
    created: ms(t['CreationTime']),
  };
}

/** When a schedule runs next: `(expression, after, {start, end, created, timezone}) → ms | undefined`. */
export type NextRun = (
  expression: string,
  after: number,
  o: {
    start?: number | undefined;
    end?: number | undefined;
    created?: number | undefined;
    timezone?: string | undefined;
  },
) => number | undefined;

export function scheduledView(a: Obj, now: number, nextRun: NextRun): ScheduledActionView {
  const schedule = text(a['Schedule']);
  const start = ms(a['StartTime']);
  const end = ms(a['EndTime']);
  const act = obj(a['ScalableTargetAction']);
  const timezone = text(a['Timezone']) || 'UTC';
  return {
    name: text(a['ScheduledActionName']),
    schedule,
    timezone,
    nextRun: nextRun(schedule, now, { start, end, created: ms(a['CreationTime']), timezone }),
    start,
    end,
    min: num(act['MinCapacity']),
    max: num(act['MaxCapacity']),
  };
}

const ACTIVITY_TONES: Readonly<Record<string, Tone>> = {
  Successful: 'ok',
  Failed: 'bad',
  Pending: 'warn',
  InProgress: 'warn',
  Unfulfilled: 'warn',
  Overridden: 'idle',
};

export function activityView(a: Obj): ActivityView {
  const status = text(a['StatusCode']);
  return {
    id: text(a['ActivityId']),
    time: ms(a['StartTime']),
    end: ms(a['EndTime']),
    description: text(a['Description']),
    cause: text(a['Cause']),
    status,
    statusMessage: text(a['StatusMessage']),
    tone: ACTIVITY_TONES[status] ?? 'idle',
  };
}

const KNOWN_MINUTE = new Set(['minute', 'samples', 'cpuAvg', 'memoryAvg', 'cpuMax']);
const KNOWN_AVERAGE = new Set(['cpu', 'memory', 'tasks']);

function range(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${round1(lo)} %` : `between ${round1(lo)} % and ${round1(hi)} %`;
}

/** The utilisation part from `BerthAgentV1.DescribeServiceMetrics`'s answer. */
export function utilisationView(m: Obj): UtilisationView {
  const avg = obj(m['average']);
  const cpu = num(avg['cpu']);
  const memory = num(avg['memory']);
  const measured = num(avg['tasks']) ?? 0;
  const raw = (Array.isArray(m['minutes']) ? m['minutes'] : []).map(obj).slice(-60);
  const extraKeys = [
    ...new Set(raw.flatMap((r) => Object.keys(r).filter((k) => !KNOWN_MINUTE.has(k)))),
  ].filter((k) => raw.some((r) => num(r[k]) !== undefined));
  const minutes: MinuteRow[] = raw.map((r) => ({
    minute: num(r['minute']) ?? 0,
    samples: num(r['samples']) ?? 0,
    cpuAvg: num(r['cpuAvg']) ?? 0,
    memoryAvg: num(r['memoryAvg']) ?? 0,
    cpuMax: num(r['cpuMax']),
    extra: extraKeys.map((k) => num(r[k])),
  }));
  const extraNow = Object.entries(avg)
    .filter(([k, v]) => !KNOWN_AVERAGE.has(k) && num(v) !== undefined)
    .map(([k, v]) => ({ label: humanize(k), value: round1(v as number) }));
  const res = obj(m['reservation']);
  const running = num(m['runningTasks']) ?? 0;
  const now =
    cpu === undefined || memory === undefined
      ? `No fresh utilisation sample of the ${running} running task${running === 1 ? '' : 's'}.`
      : `CPU ${round1(cpu)} % and memory ${round1(memory)} % of the reservation now (${measured} of ${running} tasks measured).`;
  const history = minutes.length
    ? ` Over the last ${minutes.length} minute${minutes.length === 1 ? '' : 's'} CPU averaged ${range(minutes.map((x) => x.cpuAvg))}, memory ${range(minutes.map((x) => x.memoryAvg))}.`
    : ' No one-minute aggregates yet.';
  return {
    collecting: m['collecting'] !== false,
    freshSeconds: num(m['freshSeconds']) ?? 30,
    runningTasks: running,
    reservation:
      num(res['cpu']) !== undefined
        ? { cpu: num(res['cpu']) ?? 0, memory: num(res['memory']) ?? 0 }
        : undefined,
    cpu,
    memory,
    measuredTasks: measured,
    extraNow,
    tasks: (Array.isArray(m['tasks']) ? m['tasks'] : []).map(obj).map((x) => ({
      taskId: text(x['taskId']),
      cpu: num(x['cpu']) ?? 0,
      memory: num(x['memory']) ?? 0,
    })),
    minutes,
    extraColumns: extraKeys.map(humanize),
    cpuSeries: minutes.map((x) => [x.minute, Math.round(x.cpuAvg * 10) / 10] as const),
    memorySeries: minutes.map((x) => [x.minute, Math.round(x.memoryAvg * 10) / 10] as const),
    summary: now + history,
  };
}
