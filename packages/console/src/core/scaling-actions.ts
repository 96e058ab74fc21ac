/**
 * The console's auto scaling actions (issue 21): set a service's scalable target bounds
 * (RegisterScalableTarget), add or replace a target-tracking policy on CPU or memory
 * (PutScalingPolicy) and delete a policy (DeleteScalingPolicy). Checked from untrusted JSON
 * only as far as types go (whole numbers, a number, a name), so that the Application Auto
 * Scaling API's own validation (min above max, a bad policy name, a target out of range) is
 * what the person reads; and each described in one sentence. Pure; must never call an API.
 */

/** The metrics a policy can be added on from the console. */
export const POLICY_METRICS = {
  ECSServiceAverageCPUUtilization: 'average CPU utilisation',
  ECSServiceAverageMemoryUtilization: 'average memory utilisation',
} as const;

export type PolicyMetric = keyof typeof POLICY_METRICS;

export type ScalingAction =
  | {
      readonly kind: 'register-scalable-target';
      readonly cluster: string;
      readonly service: string;
      readonly min: number;
      readonly max: number;
      /** The bounds the person saw (undefined: not registered yet), for the sentence only. */
      readonly from?: { readonly min: number; readonly max: number } | undefined;
    }
  | {
      readonly kind: 'put-scaling-policy';
      readonly cluster: string;
      readonly service: string;
      readonly policyName: string;
      readonly metric: PolicyMetric;
      readonly targetValue: number;
      /** Seconds. */
      readonly scaleOutCooldown: number;
      readonly scaleInCooldown: number;
      readonly disableScaleIn: boolean;
    }
  | {
      readonly kind: 'delete-scaling-policy';
      readonly cluster: string;
      readonly service: string;
      readonly policyName: string;
    };

export const SCALING_KINDS: ReadonlySet<string> = new Set([
  'register-scalable-target',
  'put-scaling-policy',
  'delete-scaling-policy',
]);

/** Whether an action is one of these (they go to the Application Auto Scaling API). */
export function isScalingAction(a: { readonly kind: string }): a is ScalingAction {
  return SCALING_KINDS.has(a.kind);
}

/** `service/<cluster>/<service>`, the scalable target's ResourceId. */
export const resourceIdOf = (cluster: string, service: string): string =>
  `service/${cluster}/${service}`;

type Fail = (field: string, message: string) => Error;

const NAME = /^[A-Za-z0-9_-]{1,255}$/;

function name(o: Record<string, unknown>, key: string, fail: Fail): string {
  const v = o[key];
  if (typeof v !== 'string' || !NAME.test(v)) {
    throw fail(key, `${key} must be a name (letters, digits, _ and -)`);
  }
  return v;
}

function whole(o: Record<string, unknown>, key: string, label: string, fail: Fail): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1_000_000) {
    throw fail(key, `${label} must be a whole number of 0 or more`);
  }
  return v;
}

/** Checks a scaling action from the page (`fail` builds the console's input error). */
export function parseScalingAction(o: Record<string, unknown>, fail: Fail): ScalingAction {
  const cluster = name(o, 'cluster', fail);
  const service = name(o, 'service', fail);
  switch (o['kind']) {
    case 'register-scalable-target': {
      const f = o['from'] as { min?: unknown; max?: unknown } | undefined;
      const from =
        f && typeof f.min === 'number' && typeof f.max === 'number'
          ? { min: f.min, max: f.max }
          : undefined;
      return {
        kind: 'register-scalable-target',
        cluster,
        service,
        min: whole(o, 'min', 'The minimum capacity', fail),
        max: whole(o, 'max', 'The maximum capacity', fail),
        from,
      };
    }
    case 'put-scaling-policy': {
      const metric = o['metric'];
      if (typeof metric !== 'string' || !Object.hasOwn(POLICY_METRICS, metric)) {
        throw fail('metric', 'metric must be CPU or memory utilisation');
      }
      const targetValue = o['targetValue'];
      if (typeof targetValue !== 'number' || !Number.isFinite(targetValue)) {
        throw fail('targetValue', 'The target value must be a number');
      }
      return {
        kind: 'put-scaling-policy',
        cluster,
        service,
        policyName: policyName(o, fail),
        metric: metric as PolicyMetric,
        targetValue,
        scaleOutCooldown: whole(o, 'scaleOutCooldown', 'The scale-out cooldown', fail),
        scaleInCooldown: whole(o, 'scaleInCooldown', 'The scale-in cooldown', fail),
        disableScaleIn: o['disableScaleIn'] === true,
      };
    }
    case 'delete-scaling-policy':
      return { kind: 'delete-scaling-policy', cluster, service, policyName: policyName(o, fail) };
    default:
      throw fail('kind', `unknown action ${JSON.stringify(o['kind'])}`);
  }
}

/** Any text the API may judge (it refuses `:` and `/`), but not empty, long or control characters. */
function policyName(o: Record<string, unknown>, fail: Fail): string {
  const v = o['policyName'];
  // eslint-disable-next-line no-control-regex
  if (typeof v !== 'string' || v.trim() === '' || v.length > 512 || /[\u0000-\u001f]/.test(v)) {
    throw fail('policyName', 'Enter a policy name');
  }
  return v.trim();
}

/** One sentence saying what a scaling action will do. */
export function describeScalingAction(a: ScalingAction): string {
  const of = `service ${a.service} (cluster ${a.cluster})`;
  switch (a.kind) {
    case 'register-scalable-target':
      return a.from
        ? `Set the auto scaling bounds of ${of} from min ${a.from.min} / max ${a.from.max} to min ${a.min} / max ${a.max}: auto scaling keeps the desired count between them.`
        : `Register ${of} for auto scaling with min ${a.min} and max ${a.max}: auto scaling keeps the desired count between them.`;
    case 'put-scaling-policy':
      return (
        `Put target-tracking policy ${a.policyName} on ${of}: keep the ${POLICY_METRICS[a.metric]} at ${a.targetValue} %, ` +
        `scale-out cooldown ${a.scaleOutCooldown} s, ` +
        (a.disableScaleIn
          ? 'never scaling in.'
          : `scale-in cooldown ${a.scaleInCooldown} s. A policy of the same name is replaced.`)
      );
    case 'delete-scaling-policy':
      return `Delete scaling policy ${a.policyName} of ${of}: it no longer scales the service.`;
  }
}
