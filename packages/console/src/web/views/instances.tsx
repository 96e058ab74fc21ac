/**
 * Container instances: the list with resources as bars, and one instance with its attributes,
 * its running tasks, and the drain / activate action.
 */
import type { JSX } from 'preact';
import type { InstanceDetail, InstanceRow } from '../../core/view-types.js';
import { useView } from '../hooks.js';
import { paths } from '../routes.js';
import { ActionButton } from '../parts/action-dialog.js';
import { UsageBar } from '../parts/charts.js';
import { Badge, ErrorNote, Link, Loading, Section, Table, Time } from '../parts/ui.js';
import { TaskTable } from './tables.js';

function Resources({ r }: { r: InstanceRow }): JSX.Element {
  return (
    <div class="resources">
      <UsageBar label="CPU" usage={r.cpu} unit="units" />
      <UsageBar label="Memory" usage={r.memory} unit="MiB" />
      <p class="muted">
        Ports used: {r.portsUsed.length ? r.portsUsed.join(', ') : 'none'}; reserved:{' '}
        {r.portsReserved.join(', ') || 'none'}
      </p>
    </div>
  );
}

function StateAction({ r }: { r: InstanceRow }): JSX.Element {
  const drain = r.status === 'ACTIVE';
  return (
    <ActionButton
      label={drain ? 'Drain…' : 'Activate…'}
      danger={drain}
      action={() => ({
        kind: 'instance-state',
        cluster: r.cluster,
        instance: r.id,
        status: drain ? 'DRAINING' : 'ACTIVE',
      })}
    />
  );
}

export function Instances({ cluster }: { cluster: string }): JSX.Element {
  const v = useView<InstanceRow[]>(`/c/${encodeURIComponent(cluster)}/instances`);
  return (
    <>
      <h1>Container instances in {cluster}</h1>
      <ErrorNote error={v.error} />
      {!v.data ? (
        v.error ? null : (
          <Loading what="instances" />
        )
      ) : (
        <Table
          label="Container instances"
          head={['Host', 'Status', 'Agent', 'Tasks', 'Resources', '']}
        >
          {v.data.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <Link href={paths.instance(cluster, r.id)}>{r.host}</Link>
                <br />
                <span class="muted">{r.ip}</span>
              </th>
              <td>
                <Badge tone={r.tone}>{r.status}</Badge>
              </td>
              <td>{r.agentConnected ? 'connected' : 'disconnected'}</td>
              <td>
                {r.running} running, {r.pending} pending
              </td>
              <td class="wide">
                <Resources r={r} />
              </td>
              <td>
                <StateAction r={r} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

export function Instance({ cluster, id }: { cluster: string; id: string }): JSX.Element {
  const v = useView<InstanceDetail>(
    `/c/${encodeURIComponent(cluster)}/instances/${encodeURIComponent(id)}`,
  );
  if (!v.data) return v.error ? <ErrorNote error={v.error} /> : <Loading what={`instance ${id}`} />;
  const d = v.data;
  const r = d.row;
  return (
    <>
      <h1>
        Instance {r.host} <Badge tone={r.tone}>{r.status}</Badge>
      </h1>
      <ErrorNote error={v.error} />
      <Section title="Resources">
        <p>
          Agent {r.agentConnected ? 'connected' : 'disconnected'} · version {r.agentVersion} · IP{' '}
          {r.ip} · registered <Time ms={d.registeredAt} />
        </p>
        <Resources r={r} />
        <StateAction r={r} />
      </Section>
      <Section title="Running tasks">
        <TaskTable rows={d.tasks} label="Running tasks" stop />
      </Section>
      <Section title="Attributes">
        <Table label="Attributes" head={['Name', 'Value']}>
          {d.attributes.map((a) => (
            <tr key={a.name}>
              <th scope="row">
                <code>{a.name}</code>
              </th>
              <td>{a.value}</td>
            </tr>
          ))}
        </Table>
      </Section>
    </>
  );
}
