/**
 * One service: counts and charts, the deployment's progress, the actions (scale, update to a
 * revision, force a new deployment), auto scaling, the tasks, what reaches them, and the events.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ServiceDetail } from '../../core/view-types.js';
import { ApiError } from '../api.js';
import { useView } from '../hooks.js';
import { paths } from '../routes.js';
import { ActionButton } from '../parts/action-dialog.js';
import { RolloutBar, Sparkline } from '../parts/charts.js';
import { Badge, ErrorNote, Link, Loading, Section, Table, Time } from '../parts/ui.js';
import { ServiceScaling } from './service-scaling.js';
import { EventList, TaskTable } from './tables.js';

function Actions({ s, cluster }: { s: ServiceDetail; cluster: string }): JSX.Element {
  const [count, setCount] = useState(String(s.row.desired));
  const [revision, setRevision] = useState(s.revisions[0] ?? s.row.taskDefinition);
  const name = s.row.name;
  return (
    <Section title="Actions" id="actions">
      <div class="form-row">
        <label>
          Desired count
          <input
            type="number"
            min={0}
            max={10000}
            value={count}
            name="desiredCount"
            onInput={(e) => setCount(e.currentTarget.value)}
          />
        </label>
        <ActionButton
          label="Scale…"
          action={() => {
            const n = Number(count);
            if (!Number.isInteger(n) || n < 0)
              return new ApiError(
                0,
                'InvalidInput',
                'The desired count is a whole number of 0 or more.',
                'desiredCount',
              );
            return { kind: 'scale', cluster, service: name, desiredCount: n, from: s.row.desired };
          }}
        />
      </div>
      <div class="form-row">
        <label>
          Revision
          <select
            name="revision"
            value={revision}
            onChange={(e) => setRevision(e.currentTarget.value)}
          >
            {s.revisions.map((r) => (
              <option key={r} value={r}>
                {r}
                {r === s.row.taskDefinition ? ' (current)' : ''}
              </option>
            ))}
          </select>
        </label>
        <ActionButton
          label="Update service…"
          action={() => ({
            kind: 'update-service',
            cluster,
            service: name,
            taskDefinition: revision,
            forceNewDeployment: false,
          })}
        />
        <ActionButton
          label="Force new deployment…"
          action={() => ({
            kind: 'update-service',
            cluster,
            service: name,
            forceNewDeployment: true,
          })}
        />
      </div>
    </Section>
  );
}

export function Service({ cluster, name }: { cluster: string; name: string }): JSX.Element {
  const v = useView<ServiceDetail>(
    `/c/${encodeURIComponent(cluster)}/services/${encodeURIComponent(name)}`,
  );
  if (!v.data)
    return v.error ? <ErrorNote error={v.error} /> : <Loading what={`service ${name}`} />;
  const s = v.data;
  const t = s.traffic;
  return (
    <>
      <h1>
        Service {s.row.name} <Badge tone={s.row.tone}>{s.row.status}</Badge>
      </h1>
      <ErrorNote error={v.error} />
      <div class="stats">
        <Section title="Tasks">
          <p class="counts" data-testid="counts">
            <span>
              <strong class="running">{s.row.running}</strong> running
            </span>{' '}
            <span>
              <strong>{s.row.pending}</strong> pending
            </span>{' '}
            <span>
              <strong class="desired">{s.row.desired}</strong> desired
            </span>
          </p>
          <p>
            Task definition{' '}
            <Link href={paths.taskDefinition(s.row.taskDefinition)}>{s.row.taskDefinition}</Link>
          </p>
          <Sparkline series={s.runningHistory} label="Running tasks" unit="tasks" />
        </Section>
        <Section title="Traffic">
          {t.rate === undefined ? (
            <p class="muted">No router route reaches this service.</p>
          ) : (
            <>
              <Sparkline series={t.rateHistory} label="Requests" unit="req/s" />
              <Sparkline series={t.errorHistory} label="5xx errors" unit="req/s" />
            </>
          )}
        </Section>
      </div>
      {s.progress ? (
        <Section title="Deployment" id="deployment">
          <RolloutBar p={s.progress} />
        </Section>
      ) : null}
      <Actions s={s} cluster={cluster} key={`${s.row.desired}-${s.revisions[0] ?? ''}`} />
      <ServiceScaling cluster={cluster} name={name} />
      <Section title="Running tasks" id="tasks">
        <TaskTable rows={s.tasks} label="Running tasks" stop />
      </Section>
      <Section title="Deployments" id="deployments">
        <Table
          label="Deployments"
          head={[
            'Status',
            'Task definition',
            'Desired',
            'Running',
            'Pending',
            'Failed',
            'Rollout',
            'Updated',
          ]}
        >
          {s.deployments.map((d) => (
            <tr key={d.id}>
              <td>{d.status}</td>
              <td>{d.taskDefinition}</td>
              <td>{d.desired}</td>
              <td>{d.running}</td>
              <td>{d.pending}</td>
              <td>{d.failed}</td>
              <td>
                {d.rolloutState} <span class="muted">{d.rolloutStateReason}</span>
              </td>
              <td>
                <Time ms={d.updatedAt} />
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section title="How it is reached" id="reach">
        {s.reach.consulServices.length === 0 ? (
          <p class="muted">No catalog service points at these tasks (yet).</p>
        ) : null}
        <ul>
          {s.reach.dnsNames.map((n) => (
            <li key={n}>
              DNS <code>{n}</code>
            </li>
          ))}
          {s.reach.routes.map((r) => (
            <li key={`${r.router}${r.src}`}>
              Route <code>{r.src}</code> on router <code>{r.router}</code> →{' '}
              {r.targets.map((x) => x.dst).join(', ')}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Events" id="service-events">
        <EventList events={s.events} />
      </Section>
      <Section title="Recently stopped tasks" id="stopped">
        <TaskTable rows={s.stoppedTasks} label="Recently stopped tasks" />
      </Section>
    </>
  );
}
