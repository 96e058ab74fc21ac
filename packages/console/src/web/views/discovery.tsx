/**
 * Discovery: the catalog's services with the health of each instance and what
 * `name.service.consul` answers, and every router's table.
 */
import type { JSX } from 'preact';
import type { DiscoveryView } from '../../core/view-types.js';
import { useView } from '../hooks.js';
import { Badge, ErrorNote, Loading, Section, Table, Time } from '../parts/ui.js';

const tone = (s: string): 'ok' | 'warn' | 'bad' | 'idle' =>
  s === 'passing' ? 'ok' : s === 'warning' ? 'warn' : s === 'critical' ? 'bad' : 'idle';

export function Discovery(): JSX.Element {
  const v = useView<DiscoveryView>('/discovery');
  if (!v.data) return v.error ? <ErrorNote error={v.error} /> : <Loading what="the catalog" />;
  const d = v.data;
  return (
    <>
      <h1>Discovery</h1>
      <ErrorNote error={v.error} />
      {d.staleSince ? (
        <p class="error" role="alert">
          The catalog has been unreachable since <Time ms={d.staleSince} />; this is the last good
          state.
        </p>
      ) : null}
      <Section title="Catalog services" id="catalog">
        {d.services.length === 0 ? <p class="muted">No services registered.</p> : null}
        {d.services.map((s) => (
          <article key={s.name} class="svc" data-catalog-service={s.name}>
            <h3>
              {s.name}{' '}
              <Badge tone={s.passing === s.total ? 'ok' : s.passing === 0 ? 'bad' : 'warn'}>
                {s.passing}/{s.total} passing
              </Badge>
            </h3>
            {s.dns ? (
              <p>
                <code>dig {s.dns.name} SRV</code> →{' '}
                {s.dns.error ? (
                  <span class="muted">{s.dns.error}</span>
                ) : (
                  s.dns.answers.map((a) => <code key={a}>{a} </code>)
                )}
              </p>
            ) : null}
            <Table
              label={`Instances of ${s.name}`}
              head={['Instance', 'Node', 'Address', 'Health', 'Tags', 'Checks']}
            >
              {s.instances.map((i) => (
                <tr key={i.id}>
                  <th scope="row">
                    <code>{i.id}</code>
                  </th>
                  <td>{i.node}</td>
                  <td>
                    {i.address}:{i.port}
                  </td>
                  <td>
                    <Badge tone={tone(i.status)}>{i.status}</Badge>
                  </td>
                  <td>{i.tags.join(' ')}</td>
                  <td>{i.checks.map((c) => `${c.name}: ${c.status}`).join('; ')}</td>
                </tr>
              ))}
            </Table>
          </article>
        ))}
      </Section>
      <Section title="Routers" id="routers">
        {d.routers.length === 0 ? <p class="muted">No routers known.</p> : null}
        {d.routers.map((r) => (
          <article key={r.url}>
            <h3>
              <code>{r.url}</code>
            </h3>
            {r.error ? <p class="error">{r.error}</p> : null}
            <Table label={`Routes of ${r.url}`} head={['Route', 'Service', 'Target', 'Weight']}>
              {r.routes.flatMap((x) =>
                x.targets.map((t, i) => (
                  <tr key={`${x.src}${t.dst}`}>
                    <th scope="row">{i === 0 ? <code>{x.src}</code> : ''}</th>
                    <td>{t.service}</td>
                    <td>
                      <code>{t.dst}</code>
                    </td>
                    <td>{Math.round(t.weight * 1000) / 10}%</td>
                  </tr>
                )),
              )}
            </Table>
          </article>
        ))}
      </Section>
    </>
  );
}
