/**
 * Tasks: the cluster's list, and one task with its containers (exit codes, reasons, ports), the
 * task definition it runs, and its container logs tailed live through the host's agent.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { TaskDetail, TaskRow } from '../../core/view-types.js';
import { type ApiError, getJson } from '../api.js';
import { useView } from '../hooks.js';
import { paths } from '../routes.js';
import { ActionButton } from '../parts/action-dialog.js';
import { Badge, ErrorNote, Link, Loading, Section, Table, Time } from '../parts/ui.js';
import { TaskTable } from './tables.js';

export function Tasks({ cluster }: { cluster: string }): JSX.Element {
  const v = useView<TaskRow[]>(`/c/${encodeURIComponent(cluster)}/tasks`);
  return (
    <>
      <h1>Tasks in {cluster}</h1>
      <ErrorNote error={v.error} />
      {v.data ? (
        <TaskTable rows={v.data} label="Tasks" stop />
      ) : v.error ? null : (
        <Loading what="tasks" />
      )}
    </>
  );
}

/** Polls the agent's log tail every 2 s while shown (the agent has no follow endpoint). */
function Logs({
  cluster,
  id,
  containers,
  live,
}: {
  cluster: string;
  id: string;
  containers: string[];
  live: boolean;
}): JSX.Element {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [text, setText] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    let stop = false;
    let timer: number | undefined;
    let first = true;
    const load = async (): Promise<void> => {
      try {
        const r = await getJson<{ text: string }>(
          `/c/${encodeURIComponent(cluster)}/tasks/${encodeURIComponent(id)}/logs?tail=200&container=${encodeURIComponent(container)}`,
          undefined,
          !first,
        );
        first = false;
        if (stop) return;
        setText(r.text);
        setError(undefined);
      } catch (e) {
        if (!stop) setError(e as ApiError);
      }
      if (!stop && live) timer = window.setTimeout(() => void load(), 2000);
    };
    void load();
    return () => {
      stop = true;
      window.clearTimeout(timer);
    };
  }, [cluster, id, container, live]);
  return (
    <Section title="Logs" id="logs">
      {containers.length > 1 ? (
        <label>
          Container{' '}
          <select value={container} onChange={(e) => setContainer(e.currentTarget.value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      ) : null}
      <p class="muted">{live ? 'Last 200 lines, following (every 2 s).' : 'Last 200 lines.'}</p>
      <ErrorNote error={error} />
      <pre
        class="logs"
        tabIndex={0}
        aria-label={`Logs of container ${container}`}
        data-testid="logs"
      >
        {text === undefined ? 'Loading…' : text || '(no output yet)'}
      </pre>
    </Section>
  );
}

export function Task({ cluster, id }: { cluster: string; id: string }): JSX.Element {
  const v = useView<TaskDetail & { taskDefinitionJson: unknown }>(
    `/c/${encodeURIComponent(cluster)}/tasks/${encodeURIComponent(id)}`,
  );
  if (!v.data) return v.error ? <ErrorNote error={v.error} /> : <Loading what={`task ${id}`} />;
  const t = v.data;
  const r = t.row;
  return (
    <>
      <h1>
        Task <code>{r.id.slice(0, 8)}</code> <Badge tone={r.tone}>{r.lastStatus}</Badge>
      </h1>
      <ErrorNote error={v.error} />
      <Section title="Summary">
        <dl class="facts">
          <dt>Task</dt>
          <dd>
            <code>{r.arn}</code>
          </dd>
          <dt>Status</dt>
          <dd>
            {r.lastStatus} (desired {r.desiredStatus}), health {r.health}
          </dd>
          <dt>Host</dt>
          <dd>
            <Link href={paths.instance(cluster, r.instanceId)}>{r.host}</Link>
          </dd>
          <dt>Started by</dt>
          <dd>
            {r.service ? (
              <Link href={paths.service(cluster, r.service)}>service {r.service}</Link>
            ) : (
              r.group
            )}
          </dd>
          <dt>Task definition</dt>
          <dd>
            <Link href={paths.taskDefinition(r.taskDefinition)}>{r.taskDefinition}</Link>
          </dd>
          <dt>Created</dt>
          <dd>
            <Time ms={t.createdAt} />
          </dd>
          {r.stoppedAt ? (
            <>
              <dt>Stopped</dt>
              <dd>
                <Time ms={r.stoppedAt} /> {r.stopCode} {r.stoppedReason}
              </dd>
            </>
          ) : null}
        </dl>
        {r.desiredStatus !== 'STOPPED' ? (
          <ActionButton
            label="Stop task…"
            danger
            action={() => ({ kind: 'stop-task', cluster, task: r.id })}
          />
        ) : null}
      </Section>
      <Section title="Containers">
        <Table
          label="Containers"
          head={['Container', 'Image', 'Status', 'Health', 'Ports', 'Exit code', 'Reason']}
        >
          {t.containers.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>
                <code>{c.image}</code>
              </td>
              <td>{c.lastStatus}</td>
              <td>{c.health}</td>
              <td>{c.ports.join(', ')}</td>
              <td>{c.exitCode ?? ''}</td>
              <td>{c.reason ?? ''}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Logs
        cluster={cluster}
        id={r.id}
        containers={t.containers.map((c) => c.name)}
        live={r.lastStatus !== 'STOPPED'}
      />
      <Section title="Task definition">
        <pre class="json" tabIndex={0} aria-label="Task definition JSON">
          {JSON.stringify(t.taskDefinitionJson, null, 2)}
        </pre>
      </Section>
    </>
  );
}
