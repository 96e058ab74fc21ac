/**
 * Registry: the repositories and tags of `berth registry`, their sizes, and the tasks that run
 * each, with the `docker tag` / `docker push` lines to add one.
 */
import type { JSX } from 'preact';
import type { RegistryView } from '../../core/registry-view-types.js';
import { useView } from '../hooks.js';
import { paths } from '../routes.js';
import { Badge, ErrorNote, Link, Loading, Section, Table } from '../parts/ui.js';

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function Registry(): JSX.Element {
  const v = useView<RegistryView>('/registry');
  if (!v.data) return v.error ? <ErrorNote error={v.error} /> : <Loading what="the registry" />;
  const d = v.data;
  return (
    <>
      <h1>Registry</h1>
      <ErrorNote error={v.error} />
      {d.error ? (
        <p class="error" role="alert">
          {d.error}
        </p>
      ) : null}
      {d.registry ? (
        <p class="muted">
          Push an image: <code>docker tag IMAGE {d.registry}/NAME:TAG</code> then{' '}
          <code>docker push {d.registry}/NAME:TAG</code>
        </p>
      ) : null}
      {d.repositories.length === 0 && !d.error ? <p class="muted">No repositories yet.</p> : null}
      {d.repositories.map((r) => (
        <Section key={r.name} title={r.name} id={`repo-${r.name}`}>
          <Table label={`Tags of ${r.name}`} head={['Tag', 'Size', 'Digest', 'Running tasks']}>
            {r.tags.map((tag) => (
              <tr key={tag.tag} data-registry-tag={`${r.name}:${tag.tag}`}>
                <th scope="row">
                  <code>{tag.tag}</code>
                </th>
                <td>{size(tag.size)}</td>
                <td>
                  <code title={tag.digest}>{tag.digest ? tag.digest.slice(7, 19) : '—'}</code>
                </td>
                <td>
                  {tag.tasks.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    tag.tasks.map((x) => (
                      <span key={x.id}>
                        <Link href={paths.task(x.cluster, x.id)}>{x.id.slice(0, 8)}</Link>{' '}
                        <Badge tone={x.status === 'RUNNING' ? 'ok' : 'idle'}>{x.status}</Badge>{' '}
                      </span>
                    ))
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </Section>
      ))}
    </>
  );
}
