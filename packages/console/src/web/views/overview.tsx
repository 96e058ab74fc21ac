/**
 * The overview of a cluster (the first page): instances, services and tasks by state, the
 * services table and the recent events.
 */
import type { JSX } from 'preact';
import type { Overview as OverviewModel, ServiceRow } from '../../core/view-types.js';
import { useView } from '../hooks.js';
import { paths } from '../routes.js';
import { ErrorNote, Link, Loading, Section } from '../parts/ui.js';
import { EventList, ServiceTable } from './tables.js';

function Stat({
  label,
  value,
  href,
  tone,
}: {
  label: string;
  value: number;
  href?: string;
  tone?: string;
}): JSX.Element {
  return (
    <div class={`stat ${tone ? `tone-${tone}` : ''}`}>
      <span class="stat-value">{value}</span>{' '}
      <span class="stat-label">{href ? <Link href={href}>{label}</Link> : label}</span>
    </div>
  );
}

export function Overview({ cluster }: { cluster: string }): JSX.Element {
  const v = useView<OverviewModel>(`/c/${encodeURIComponent(cluster)}/overview`);
  if (!v.data) return v.error ? <ErrorNote error={v.error} /> : <Loading what="the overview" />;
  const o = v.data;
  return (
    <>
      <h1>Cluster {o.cluster}</h1>
      <ErrorNote error={v.error} />
      {o.clusters.length > 1 ? (
        <nav aria-label="Clusters" class="clusters">
          Clusters:{' '}
          {o.clusters.map((c) => (
            <Link
              key={c}
              href={paths.overview(c)}
              aria-current={c === cluster ? 'page' : undefined}
            >
              {c}
            </Link>
          ))}
        </nav>
      ) : null}
      <div class="stats">
        <Section title="Instances">
          <Stat label="registered" value={o.instances.total} href={paths.instances(cluster)} />
          <Stat label="active" value={o.instances.active} tone="ok" />
          <Stat
            label="draining"
            value={o.instances.draining}
            tone={o.instances.draining ? 'warn' : undefined}
          />
          <Stat
            label="agent disconnected"
            value={o.instances.disconnected}
            tone={o.instances.disconnected ? 'bad' : undefined}
          />
        </Section>
        <Section title="Services">
          <Stat label="services" value={o.services.total} href={paths.services(cluster)} />
          <Stat label="steady" value={o.services.steady} tone="ok" />
          <Stat
            label="deploying"
            value={o.services.deploying}
            tone={o.services.deploying ? 'warn' : undefined}
          />
          <Stat
            label="degraded"
            value={o.services.degraded}
            tone={o.services.degraded ? 'bad' : undefined}
          />
        </Section>
        <Section title="Tasks">
          {Object.keys(o.tasks).length === 0 ? <p class="muted">No tasks.</p> : null}
          {Object.entries(o.tasks).map(([status, n]) => (
            <Stat
              key={status}
              label={status.toLowerCase()}
              value={n}
              href={paths.tasks(cluster)}
              tone={status === 'RUNNING' ? 'ok' : status === 'STOPPED' ? undefined : 'warn'}
            />
          ))}
        </Section>
      </div>
      <Section title="Services" id="services">
        <ServiceTable rows={o.serviceRows} />
      </Section>
      <Section title="Recent events" id="events">
        <EventList events={o.events} />
      </Section>
    </>
  );
}

export function Services({ cluster }: { cluster: string }): JSX.Element {
  const v = useView<ServiceRow[]>(`/c/${encodeURIComponent(cluster)}/services`);
  return (
    <>
      <h1>Services in {cluster}</h1>
      <ErrorNote error={v.error} />
      {v.data ? <ServiceTable rows={v.data} /> : v.error ? null : <Loading what="services" />}
    </>
  );
}
