/**
 * The tables several pages share: services, tasks, events. Presentational; must never fetch.
 */
import type { JSX } from 'preact';
import type { EventRow, ServiceRow, TaskRow } from '../../core/view-types.js';
import { paths } from '../routes.js';
import { Badge, Link, Table, Time } from '../parts/ui.js';
import { ActionButton } from '../parts/action-dialog.js';

export function ServiceTable({ rows }: { rows: readonly ServiceRow[] }): JSX.Element {
  if (!rows.length) return <p class="muted">No services.</p>;
  return (
    <Table
      label="Services"
      head={['Service', 'Status', 'Desired', 'Running', 'Pending', 'Task definition', 'Rollout']}
    >
      {rows.map((r) => (
        <tr key={r.name} data-service={r.name}>
          <th scope="row">
            <Link href={paths.service(r.cluster, r.name)}>{r.name}</Link>
          </th>
          <td>
            <Badge tone={r.tone}>{r.status}</Badge>
          </td>
          <td>{r.desired}</td>
          <td class="running-count">{r.running}</td>
          <td>{r.pending}</td>
          <td>
            <Link href={paths.taskDefinition(r.taskDefinition)}>{r.taskDefinition}</Link>
          </td>
          <td>{r.rolloutState}</td>
        </tr>
      ))}
    </Table>
  );
}

export function TaskTable({
  rows,
  label,
  stop,
}: {
  rows: readonly TaskRow[];
  label: string;
  stop?: boolean;
}): JSX.Element {
  if (!rows.length) return <p class="muted">No tasks.</p>;
  return (
    <Table
      label={label}
      head={[
        'Task',
        'Status',
        'Health',
        'Host',
        'Ports',
        'Task definition',
        'Started',
        'Stopped',
        ...(stop ? [''] : []),
      ]}
    >
      {rows.map((r) => (
        <tr key={r.id} data-task={r.id} data-status={r.lastStatus} class={`tone-row-${r.tone}`}>
          <th scope="row">
            <Link href={paths.task(r.cluster, r.id)}>
              <code>{r.id.slice(0, 8)}</code>
            </Link>
          </th>
          <td>
            <Badge tone={r.tone}>
              {r.lastStatus}
              {r.desiredStatus !== r.lastStatus ? ` → ${r.desiredStatus}` : ''}
            </Badge>
          </td>
          <td>{r.health}</td>
          <td>
            <Link href={paths.instance(r.cluster, r.instanceId)}>{r.host}</Link>
          </td>
          <td>{r.ports.join(', ')}</td>
          <td>{r.taskDefinition}</td>
          <td>
            <Time ms={r.startedAt} />
          </td>
          <td>
            {r.stoppedAt ? <Time ms={r.stoppedAt} /> : null}
            {r.stoppedReason ? <span class="muted"> {r.stoppedReason}</span> : null}
            {r.exits.length ? <span class="muted"> ({r.exits.join(', ')})</span> : null}
          </td>
          {stop ? (
            <td>
              {r.desiredStatus !== 'STOPPED' ? (
                <ActionButton
                  label="Stop…"
                  danger
                  action={() => ({ kind: 'stop-task', cluster: r.cluster, task: r.id })}
                />
              ) : null}
            </td>
          ) : null}
        </tr>
      ))}
    </Table>
  );
}

export function EventList({ events }: { events: readonly EventRow[] }): JSX.Element {
  if (!events.length) return <p class="muted">No events yet.</p>;
  return (
    <ol class="events">
      {events.map((e, i) => (
        <li key={`${e.time}-${i}`} class={`tone-row-${e.tone}`}>
          <Time ms={e.time} /> <span class="source">{e.source}</span>{' '}
          {e.link ? <Link href={e.link}>{e.message}</Link> : e.message}
        </li>
      ))}
    </ol>
  );
}
