/**
 * A service's auto scaling section (issue 21): the scalable target (min / max / desired /
 * suspension) with its bounds form, the policies (any type: their configuration as label and
 * value) with add and delete, the scheduled actions with their next run, the latest scaling
 * activities, and the utilisation the leader's scaler measures (now, per task, and the last
 * 60 minutes as a chart with a text alternative and as a table). Fetched on its own, so a
 * scheduler without auto scaling leaves the rest of the page intact; fetched again on live
 * changes and every 15 s for the measurements.
 */
import type { JSX } from 'preact';
import type { ScalingView, UtilisationView } from '../../core/scaling-view-types.js';
import { useView } from '../hooks.js';
import { UtilisationChart } from '../parts/charts.js';
import { Badge, ErrorNote, Link, Loading, Section, Table, Time } from '../parts/ui.js';
import { paths } from '../routes.js';
import { BoundsForm, DeletePolicy, PolicyForm } from './scaling-forms.js';

const REFRESH_MS = 15_000;

const pct = (n: number | undefined): string =>
  n === undefined ? '–' : `${Math.round(n * 10) / 10} %`;

const utc = (ms: number | undefined): string =>
  ms === undefined ? '–' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function Utilisation({ u, cluster }: { u: UtilisationView; cluster: string }): JSX.Element {
  return (
    <>
      <h3 id="utilisation-h">Utilisation</h3>
      {!u.collecting ? (
        <p class="muted">
          The scheduler’s leader is collecting samples again (it just took over); they arrive with
          the agents’ next reports.
        </p>
      ) : null}
      <p class="counts" data-testid="utilisation-now">
        <span>
          CPU <strong>{pct(u.cpu)}</strong>
          {u.reservation ? (
            <span class="muted"> of {u.reservation.cpu || 1024} CPU units</span>
          ) : null}
        </span>{' '}
        <span>
          memory <strong>{pct(u.memory)}</strong>
          {u.reservation ? <span class="muted"> of {u.reservation.memory} MiB</span> : null}
        </span>{' '}
        {u.extraNow.map((s) => (
          <span key={s.label}>
            {s.label} <strong>{s.value}</strong>{' '}
          </span>
        ))}
        <span class="muted">
          ({u.measuredTasks} of {u.runningTasks} running tasks measured in the last {u.freshSeconds}{' '}
          s)
        </span>
      </p>
      {u.minutes.length ? (
        <UtilisationChart cpu={u.cpuSeries} memory={u.memorySeries} summary={u.summary} />
      ) : null}
      <p class="sr-only">{u.summary}</p>
      {u.minutes.length ? (
        <details>
          <summary>
            The last {u.minutes.length === 1 ? 'minute' : `${u.minutes.length} minutes`} as a table
          </summary>
          <Table
            label="Utilisation per minute"
            head={[
              'Minute (UTC)',
              'Samples',
              'CPU average',
              'CPU highest',
              'Memory average',
              ...u.extraColumns,
            ]}
          >
            {[...u.minutes].reverse().map((m) => (
              <tr key={m.minute}>
                <td>{new Date(m.minute).toISOString().slice(11, 16)}</td>
                <td>{m.samples}</td>
                <td>{pct(m.cpuAvg)}</td>
                <td>{pct(m.cpuMax)}</td>
                <td>{pct(m.memoryAvg)}</td>
                {m.extra.map((x, i) => (
                  <td key={i}>{x === undefined ? '–' : Math.round(x * 10) / 10}</td>
                ))}
              </tr>
            ))}
          </Table>
        </details>
      ) : null}
      {u.tasks.length ? (
        <Table label="Utilisation per task" head={['Task', 'CPU', 'Memory']}>
          {u.tasks.map((x) => (
            <tr key={x.taskId}>
              <td>
                <Link href={paths.task(cluster, x.taskId)}>{x.taskId}</Link>
              </td>
              <td>{pct(x.cpu)}</td>
              <td>{pct(x.memory)}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </>
  );
}

function Body({ v }: { v: ScalingView }): JSX.Element {
  const t = v.target;
  return (
    <>
      {v.problems.length ? (
        <ul class="scaling-problems">
          {v.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <h3 id="scalable-target-h">Scalable target</h3>
      {t ? (
        <p class="counts" data-testid="scalable-target">
          <span>
            min <strong class="min">{t.min}</strong>
          </span>{' '}
          <span>
            max <strong class="max">{t.max}</strong>
          </span>{' '}
          <span>
            desired <strong>{v.desired}</strong>
          </span>{' '}
          <span>
            <Badge tone={t.suspendedText === 'not suspended' ? 'ok' : 'warn'}>
              {t.suspendedText}
            </Badge>
          </span>
        </p>
      ) : (
        <p class="muted" data-testid="scalable-target">
          Not registered for auto scaling: the desired count ({v.desired}) changes only when someone
          sets it. Set a minimum and a maximum to register it.
        </p>
      )}
      <BoundsForm v={v} key={`${t?.min}-${t?.max}`} />
      <h3 id="policies-h">Scaling policies</h3>
      {v.policies.length ? (
        <Table
          label="Scaling policies"
          head={['Name', 'Type', 'Metric', 'Target', 'Settings', 'Alarms', '']}
        >
          {v.policies.map((p) => (
            <tr key={p.name} data-policy={p.name}>
              <td>{p.name}</td>
              <td>{p.typeLabel}</td>
              <td>
                {p.metric || '–'}
                {p.metricType && p.metric !== p.metricType ? (
                  <span class="muted"> ({p.metricType})</span>
                ) : null}
              </td>
              <td>{p.target || '–'}</td>
              <td>
                <ul class="settings">
                  {p.settings.map((s) => (
                    <li key={s.label}>
                      {s.label}: {s.value}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{p.alarms.length ? p.alarms.join(', ') : '–'}</td>
              <td>
                <DeletePolicy v={v} name={p.name} />
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <p class="muted">No scaling policy.</p>
      )}
      {t ? <PolicyForm v={v} /> : null}
      <h3 id="scheduled-h">Scheduled actions</h3>
      {v.scheduled.length ? (
        <Table
          label="Scheduled actions"
          head={['Name', 'Schedule', 'Next run', 'Min', 'Max', 'From', 'Until']}
        >
          {v.scheduled.map((a) => (
            <tr key={a.name}>
              <td>{a.name}</td>
              <td>
                <code>{a.schedule}</code> <span class="muted">{a.timezone}</span>
              </td>
              <td>{utc(a.nextRun)}</td>
              <td>{a.min ?? '–'}</td>
              <td>{a.max ?? '–'}</td>
              <td>{utc(a.start)}</td>
              <td>{utc(a.end)}</td>
            </tr>
          ))}
        </Table>
      ) : (
        <p class="muted">No scheduled action.</p>
      )}
      <h3 id="activities-h">Recent scaling activities</h3>
      {v.activities.length ? (
        <Table label="Scaling activities" head={['When', 'Description', 'Cause', 'Status']}>
          {v.activities.map((a) => (
            <tr key={a.id}>
              <td>
                <Time ms={a.time} />
              </td>
              <td>{a.description}</td>
              <td>{a.cause}</td>
              <td>
                <Badge tone={a.tone}>{a.status}</Badge>{' '}
                {a.statusMessage ? <span class="muted">{a.statusMessage}</span> : null}
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <p class="muted">No scaling activity yet.</p>
      )}
      {v.utilisation ? <Utilisation u={v.utilisation} cluster={v.cluster} /> : null}
    </>
  );
}

export function ServiceScaling({ cluster, name }: { cluster: string; name: string }): JSX.Element {
  const v = useView<ScalingView>(
    `/c/${encodeURIComponent(cluster)}/services/${encodeURIComponent(name)}/scaling`,
    REFRESH_MS,
  );
  return (
    <Section title="Auto scaling" id="autoscaling">
      {v.data ? (
        <>
          <ErrorNote error={v.error} />
          <Body v={v.data} />
        </>
      ) : v.error ? (
        <ErrorNote error={v.error} />
      ) : (
        <Loading what="auto scaling" />
      )}
    </Section>
  );
}
