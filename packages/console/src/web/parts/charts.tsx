/**
 * The pictures: a sparkline of the last hour, a used / total bar, and a deployment's progress
 * from old to new tasks. Inline SVG drawn from the view model, each with a text equivalent for
 * screen readers. Must never fetch or animate.
 */
import type { JSX } from 'preact';
import type { RolloutProgress, Series, Usage } from '../../core/view-types.js';

const W = 160;
const H = 36;

/** Points of a polyline for `series` scaled into the chart box. */
export function sparkPoints(series: Series, width = W, height = H): string {
  if (series.length === 0) return '';
  const t0 = series[0]?.[0] ?? 0;
  const t1 = series[series.length - 1]?.[0] ?? t0;
  const max = Math.max(1, ...series.map(([, v]) => v));
  const span = Math.max(1, t1 - t0);
  return series
    .map(([t, v]) => {
      const x = series.length === 1 ? width : ((t - t0) / span) * width;
      const y = height - 2 - (v / max) * (height - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

export function Sparkline({
  series,
  label,
  unit,
}: {
  series: Series;
  label: string;
  unit: string;
}): JSX.Element {
  const last = series[series.length - 1]?.[1];
  const max = series.length ? Math.max(...series.map(([, v]) => v)) : undefined;
  const text =
    last === undefined
      ? `${label}: no samples yet`
      : `${label}: now ${last} ${unit}, highest ${max} ${unit} over the last hour (${series.length} samples)`;
  return (
    <figure class="spark">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={text}>
        <line x1="0" y1={H - 1} x2={W} y2={H - 1} class="axis" />
        {series.length ? <polyline points={sparkPoints(series)} class="line" /> : null}
      </svg>
      <figcaption>
        {label}: <strong>{last === undefined ? '–' : `${last} ${unit}`}</strong>
      </figcaption>
    </figure>
  );
}

export function UsageBar({
  label,
  usage,
  unit,
}: {
  label: string;
  usage: Usage;
  unit: string;
}): JSX.Element {
  const pct = usage.total > 0 ? Math.min(100, (usage.used / usage.total) * 100) : 0;
  const free = usage.total - usage.used;
  const text = `${label}: ${usage.used} of ${usage.total} ${unit} used, ${free} free`;
  return (
    <div class="usage">
      <span class="usage-label">
        {label}{' '}
        <span class="muted">
          {usage.used} / {usage.total} {unit} ({free} free)
        </span>
      </span>
      <svg viewBox="0 0 100 8" preserveAspectRatio="none" class="bar" role="img" aria-label={text}>
        <rect x="0" y="0" width="100" height="8" class="bar-bg" />
        <rect
          x="0"
          y="0"
          width={pct.toFixed(1)}
          height="8"
          class={pct > 90 ? 'bar-hot' : 'bar-fill'}
        />
      </svg>
    </div>
  );
}

export function RolloutBar({ p }: { p: RolloutProgress }): JSX.Element {
  const total = Math.max(p.desired, p.newRunning + p.newPending + p.oldRunning, 1);
  const w = (n: number): string => ((n / total) * 100).toFixed(1);
  const x1 = (p.newRunning / total) * 100;
  const x2 = x1 + (p.newPending / total) * 100;
  const text = `Deployment to ${p.to}: ${p.newRunning} of ${p.desired} tasks run the new revision, ${p.newPending} starting, ${p.oldRunning} old still running; ${p.state}`;
  return (
    <div
      class="rollout"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={p.percent}
      aria-valuetext={text}
      aria-label={`Deployment to ${p.to}`}
    >
      <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="bar" aria-hidden="true">
        <rect x="0" y="0" width="100" height="10" class="bar-bg" />
        <rect x="0" y="0" width={w(p.newRunning)} height="10" class="bar-new" />
        <rect x={x1.toFixed(1)} y="0" width={w(p.newPending)} height="10" class="bar-pending" />
        <rect x={x2.toFixed(1)} y="0" width={w(p.oldRunning)} height="10" class="bar-old" />
      </svg>
      <p class="rollout-text">
        <strong>{p.percent}%</strong> on {p.to}: {p.newRunning}/{p.desired} running
        {p.newPending ? `, ${p.newPending} starting` : ''}
        {p.oldRunning ? `, ${p.oldRunning} old (${p.from.join(', ')}) still running` : ''} ·{' '}
        <span class="rollout-state">{p.done ? 'COMPLETED' : p.state}</span>
      </p>
    </div>
  );
}

const UW = 360;
const UH = 90;

/** Points of `series` in a `width` × `height` box on a shared 0..`max` scale over [t0, t1]. */
export function scaledPoints(
  series: Series,
  t0: number,
  t1: number,
  max: number,
  width = UW - 4,
  height = UH,
): string {
  const span = Math.max(1, t1 - t0);
  return series
    .map(([t, v]) => {
      const x = t1 === t0 ? width : ((t - t0) / span) * width;
      const y = height - 2 - (Math.min(v, max) / max) * (height - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** Dots at the points (a line of one or two points is hard to see). */
function dots(s: Series, t0: number, t1: number, max: number, cls: string): JSX.Element[] {
  return scaledPoints(s, t0, t1, max)
    .split(' ')
    .filter(Boolean)
    .map((p, i) => {
      const [x, y] = p.split(',');
      return <circle key={`${cls}${i}`} cx={x} cy={y} r="3" class={`dot ${cls}`} />;
    });
}

/**
 * CPU and memory utilisation (% of the reservation) per minute over the last hour on one
 * scale (0–100 %, higher when a task exceeds its reservation), with `summary` as its text
 * alternative.
 */
export function UtilisationChart({
  cpu,
  memory,
  summary,
}: {
  cpu: Series;
  memory: Series;
  summary: string;
}): JSX.Element {
  const all = [...cpu, ...memory];
  // The last hour, the newest minute at the right edge (inside the box, dots included).
  const t1 = Math.max(...all.map(([t]) => t));
  const t0 = Math.min(t1 - 59 * 60_000, ...all.map(([t]) => t));
  const max = Math.max(100, ...all.map(([, v]) => v));
  const y100 = UH - 2 - (100 / max) * (UH - 4);
  return (
    <figure class="util-chart">
      <svg viewBox={`0 0 ${UW} ${UH}`} role="img" aria-label={summary}>
        <line x1="0" y1={UH - 1} x2={UW} y2={UH - 1} class="axis" />
        <line x1="0" y1={y100} x2={UW} y2={y100} class="axis dashed" />
        {all.length ? (
          <>
            <polyline points={scaledPoints(cpu, t0, t1, max)} class="cpu" />
            <polyline points={scaledPoints(memory, t0, t1, max)} class="memory" />
            {cpu.length < 3 || memory.length < 3
              ? [...dots(cpu, t0, t1, max, 'cpu'), ...dots(memory, t0, t1, max, 'memory')]
              : null}
          </>
        ) : null}
      </svg>
      <figcaption>
        <span class="key cpu">CPU</span> and <span class="key memory">memory</span>, % of the
        reservation per minute (dashed line: 100 %)
      </figcaption>
    </figure>
  );
}
