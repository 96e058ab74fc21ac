/**
 * The auto scaling forms of a service's page: set the scalable target's min / max (or register
 * it), add a target-tracking policy on CPU or memory, delete a policy. Each acts through an
 * ActionButton (a dialog says what will happen; the API's refusal, such as a minimum above
 * the maximum, is shown in it). Only the form's own types are checked here; the rules are the
 * API's. Must never act without confirmation.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { POLICY_METRICS, type PolicyMetric } from '../../core/scaling-actions.js';
import type { ScalingView } from '../../core/scaling-view-types.js';
import { ApiError } from '../api.js';
import { ActionButton } from '../parts/action-dialog.js';

const wholeOr = (text: string, field: string, label: string): number | ApiError => {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n >= 0
    ? n
    : new ApiError(0, 'InvalidInput', `${label} is a whole number of 0 or more.`, field);
};

export function BoundsForm({ v }: { v: ScalingView }): JSX.Element {
  const t = v.target;
  const [min, setMin] = useState(String(t?.min ?? v.desired));
  const [max, setMax] = useState(String(t?.max ?? Math.max(v.desired, 1)));
  return (
    <form class="form-row" aria-label="Scaling bounds" onSubmit={(e) => e.preventDefault()}>
      <label>
        Minimum tasks
        <input
          type="number"
          min={0}
          name="minCapacity"
          value={min}
          onInput={(e) => setMin(e.currentTarget.value)}
        />
      </label>
      <label>
        Maximum tasks
        <input
          type="number"
          min={0}
          name="maxCapacity"
          value={max}
          onInput={(e) => setMax(e.currentTarget.value)}
        />
      </label>
      <ActionButton
        label={t ? 'Set bounds…' : 'Register for auto scaling…'}
        action={() => {
          const lo = wholeOr(min, 'minCapacity', 'The minimum');
          if (lo instanceof ApiError) return lo;
          const hi = wholeOr(max, 'maxCapacity', 'The maximum');
          if (hi instanceof ApiError) return hi;
          return {
            kind: 'register-scalable-target',
            cluster: v.cluster,
            service: v.service,
            min: lo,
            max: hi,
            from: t ? { min: t.min, max: t.max } : undefined,
          };
        }}
      />
    </form>
  );
}

export function PolicyForm({ v }: { v: ScalingView }): JSX.Element {
  const [name, setName] = useState('');
  const [metric, setMetric] = useState<PolicyMetric>('ECSServiceAverageCPUUtilization');
  const [target, setTarget] = useState('50');
  const [out, setOut] = useState('60');
  const [inn, setIn] = useState('300');
  const [noScaleIn, setNoScaleIn] = useState(false);
  return (
    <form
      class="form-row"
      aria-label="Add a target-tracking policy"
      onSubmit={(e) => e.preventDefault()}
    >
      <label>
        Policy name
        <input
          name="policyName"
          value={name}
          placeholder="cpu50"
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label>
        Metric
        <select
          name="metric"
          value={metric}
          onChange={(e) => setMetric(e.currentTarget.value as PolicyMetric)}
        >
          {Object.entries(POLICY_METRICS).map(([k, label]) => (
            <option key={k} value={k}>
              {label[0]!.toUpperCase() + label.slice(1)} (%)
            </option>
          ))}
        </select>
      </label>
      <label>
        Target value (%)
        <input
          type="number"
          step="any"
          name="targetValue"
          value={target}
          onInput={(e) => setTarget(e.currentTarget.value)}
        />
      </label>
      <label>
        Scale-out cooldown (s)
        <input
          type="number"
          min={0}
          name="scaleOutCooldown"
          value={out}
          onInput={(e) => setOut(e.currentTarget.value)}
        />
      </label>
      <label>
        Scale-in cooldown (s)
        <input
          type="number"
          min={0}
          name="scaleInCooldown"
          value={inn}
          onInput={(e) => setIn(e.currentTarget.value)}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="disableScaleIn"
          checked={noScaleIn}
          onChange={(e) => setNoScaleIn(e.currentTarget.checked)}
        />{' '}
        Disable scale-in
      </label>
      <ActionButton
        label="Add policy…"
        action={() => {
          if (!name.trim())
            return new ApiError(0, 'InvalidInput', 'Enter a policy name.', 'policyName');
          const value = Number(target);
          if (target.trim() === '' || !Number.isFinite(value))
            return new ApiError(0, 'InvalidInput', 'The target value is a number.', 'targetValue');
          const o = wholeOr(out, 'scaleOutCooldown', 'The scale-out cooldown');
          if (o instanceof ApiError) return o;
          const i = wholeOr(inn, 'scaleInCooldown', 'The scale-in cooldown');
          if (i instanceof ApiError) return i;
          return {
            kind: 'put-scaling-policy',
            cluster: v.cluster,
            service: v.service,
            policyName: name.trim(),
            metric,
            targetValue: value,
            scaleOutCooldown: o,
            scaleInCooldown: i,
            disableScaleIn: noScaleIn,
          };
        }}
      />
    </form>
  );
}

export function DeletePolicy({ v, name }: { v: ScalingView; name: string }): JSX.Element {
  return (
    <ActionButton
      label={`Delete ${name}…`}
      confirmLabel="Delete"
      danger
      action={() => ({
        kind: 'delete-scaling-policy',
        cluster: v.cluster,
        service: v.service,
        policyName: name,
      })}
    />
  );
}
