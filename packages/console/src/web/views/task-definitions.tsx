/**
 * Task definitions: families with their revisions, one revision's JSON with "run tasks" and
 * "edit as a new revision", and the editor, which registers the edited copy and shows the
 * scheduler's validation message beside the field it names.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { fieldOfError, nearestField, readForm } from '../../core/task-def-form.js';
import type { FamilyRow, FormField, TaskDefDetail } from '../../core/view-types.js';
import { ApiError } from '../api.js';
import { navigate, useView } from '../hooks.js';
import { paths } from '../routes.js';
import { ActionButton } from '../parts/action-dialog.js';
import { ErrorNote, Link, Loading, Section, Table, Time } from '../parts/ui.js';

export function Families(): JSX.Element {
  const v = useView<FamilyRow[]>('/task-definitions');
  return (
    <>
      <h1>Task definitions</h1>
      <ErrorNote error={v.error} />
      {!v.data ? (
        v.error ? null : (
          <Loading what="task definitions" />
        )
      ) : (
        <Table label="Task definition families" head={['Family', 'Latest', 'Active revisions']}>
          {v.data.map((f) => (
            <tr key={f.family}>
              <th scope="row">
                <Link href={paths.taskDefinition(f.family)}>{f.family}</Link>
              </th>
              <td>
                <Link href={paths.taskDefinition(`${f.family}:${f.latest}`)}>{f.latest}</Link>
              </td>
              <td>
                {f.revisions.map((r) => (
                  <Link key={r} class="rev" href={paths.taskDefinition(`${f.family}:${r}`)}>
                    {r}
                  </Link>
                ))}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

export function TaskDefinition({ name, cluster }: { name: string; cluster: string }): JSX.Element {
  const v = useView<TaskDefDetail>(`/task-definitions/${encodeURIComponent(name)}`);
  const [count, setCount] = useState('1');
  if (!v.data)
    return v.error ? <ErrorNote error={v.error} /> : <Loading what={`task definition ${name}`} />;
  const d = v.data;
  const full = `${d.family}:${d.revision}`;
  return (
    <>
      <h1>
        Task definition {full} <span class="muted">{d.status}</span>
      </h1>
      <ErrorNote error={v.error} />
      <Section title="Actions">
        <p>
          Registered <Time ms={d.registeredAt} />.{' '}
          <Link href={paths.editTaskDefinition(full)}>Edit as a new revision</Link>
        </p>
        <div class="form-row">
          <label>
            Tasks to run
            <input
              type="number"
              min={1}
              max={10}
              value={count}
              onInput={(e) => setCount(e.currentTarget.value)}
            />
          </label>
          <ActionButton
            label="Run tasks…"
            action={() => {
              const n = Number(count);
              if (!Number.isInteger(n) || n < 1 || n > 10)
                return new ApiError(0, 'InvalidInput', 'Run 1 to 10 tasks at a time.', 'count');
              return { kind: 'run-task', cluster, taskDefinition: full, count: n };
            }}
          />
        </div>
      </Section>
      <Section title="JSON">
        <pre class="json" tabIndex={0} aria-label={`${full} as JSON`}>
          {JSON.stringify(d.described, null, 2)}
        </pre>
      </Section>
    </>
  );
}

function Field({
  f,
  value,
  error,
  onInput,
}: {
  f: FormField;
  value: string;
  error: string | undefined;
  onInput: (v: string) => void;
}): JSX.Element {
  const id = `f-${f.path.replace(/[^A-Za-z0-9]/g, '-')}`;
  const described = error ? `${id}-error` : undefined;
  const common = {
    id,
    name: f.path,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
  } as const;
  return (
    <div class={`field${error ? ' invalid' : ''}`} data-field={f.path}>
      <label for={id}>{f.label}</label>
      {f.kind === 'json' ? (
        <textarea
          {...common}
          rows={Math.min(12, value.split('\n').length + 1)}
          spellcheck={false}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      ) : f.kind === 'boolean' ? (
        <select {...common} value={value} onChange={(e) => onInput(e.currentTarget.value)}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          {...common}
          type={f.kind === 'number' ? 'number' : 'text'}
          list={undefined}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
      {error ? (
        <p class="field-error" id={described} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function EditTaskDefinition({ name }: { name: string }): JSX.Element {
  const v = useView<TaskDefDetail>(`/task-definitions/${encodeURIComponent(name)}`);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | undefined>();
  if (!v.data)
    return v.error ? <ErrorNote error={v.error} /> : <Loading what={`task definition ${name}`} />;
  const d = v.data;
  const fields = d.fields;
  const groups = new Map<number | undefined, FormField[]>();
  for (const f of fields) groups.set(f.container, [...(groups.get(f.container) ?? []), f]);
  const set = (path: string, value: string): void => setValues((vs) => ({ ...vs, [path]: value }));
  const show = (message: string, path: string | undefined): void => {
    const at = nearestField(path, fields);
    if (at) {
      setErrors({ [at]: message });
      setGeneral(undefined);
    } else {
      setErrors({});
      setGeneral(message);
    }
  };
  return (
    <>
      <h1>New revision of {d.family}</h1>
      <p class="muted">
        Starts from {d.family}:{d.revision}. Objects and lists are edited as JSON. The scheduler
        checks the result; its message appears beside the field it names.
      </p>
      {general ? (
        <p class="error" role="alert">
          {general}
        </p>
      ) : null}
      <form class="editor" onSubmit={(e) => e.preventDefault()}>
        {[...groups.entries()].map(([container, list]) => (
          <fieldset key={String(container)}>
            <legend>
              {container === undefined
                ? 'Task definition'
                : `Container ${container}: ${String((d.editable['containerDefinitions'] as { name?: string }[] | undefined)?.[container]?.name ?? '')}`}
            </legend>
            {list.map((f) => (
              <Field
                key={f.path}
                f={f}
                value={values[f.path] ?? f.text}
                error={errors[f.path]}
                onInput={(x) => set(f.path, x)}
              />
            ))}
          </fieldset>
        ))}
        <ActionButton
          label="Register revision…"
          action={() => {
            const r = readForm(fields, values);
            if (!r.definition) {
              const p = r.problems[0];
              return new ApiError(0, 'InvalidInput', p?.message ?? 'invalid', p?.path);
            }
            return { kind: 'register-task-definition', definition: r.definition };
          }}
          onDone={(result) => {
            setErrors({});
            setGeneral(undefined);
            const m = /registered (\S+)/.exec(result);
            if (m?.[1]) navigate(paths.taskDefinition(m[1]));
          }}
          onError={(e) => {
            const r = readForm(fields, values);
            show(
              `${e.type}: ${e.message}`,
              e.field ?? (r.definition ? fieldOfError(e.message, r.definition) : undefined),
            );
            return true;
          }}
        />
      </form>
    </>
  );
}
