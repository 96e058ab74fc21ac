/**
 * The task definition editor's logic: the editable copy of a described revision, the form
 * fields it is edited through (scalars as inputs, objects and arrays as JSON text), reading the
 * edited form back, and finding the field a scheduler validation message names so the page can
 * show the message beside it. Pure and shared by server and page; must never call an API.
 */
import type { FormField } from './view-types.js';

/** Fields DescribeTaskDefinition adds that RegisterTaskDefinition does not take. */
const READ_ONLY = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'requiresAttributes',
  'compatibilities',
]);

/** The definition as a new revision starts from it. */
export function editableCopy(
  described: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(described)) {
    if (!READ_ONLY.has(k) && v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

function fieldOf(path: string, label: string, v: unknown, container?: number): FormField {
  if (typeof v === 'number') return { path, label, kind: 'number', text: String(v), container };
  if (typeof v === 'boolean') return { path, label, kind: 'boolean', text: String(v), container };
  if (typeof v === 'string') return { path, label, kind: 'text', text: v, container };
  return { path, label, kind: 'json', text: JSON.stringify(v, null, 2), container };
}

/** The form of an editable definition: its own fields, then each container's. */
export function formFields(def: Readonly<Record<string, unknown>>): FormField[] {
  const out: FormField[] = [];
  for (const [k, v] of Object.entries(def)) {
    if (k === 'containerDefinitions') continue;
    out.push(fieldOf(k, k, v));
  }
  const containers = Array.isArray(def['containerDefinitions'])
    ? (def['containerDefinitions'] as unknown[])
    : [];
  containers.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) return;
    for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
      out.push(fieldOf(`containerDefinitions[${i}].${k}`, k, v, i));
    }
  });
  return out;
}

/** A form value that is not what its field holds (not a number, not JSON). */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

function parseValue(f: FormField, text: string): unknown {
  switch (f.kind) {
    case 'number': {
      const t = text.trim();
      if (t === '') return undefined;
      const n = Number(t);
      if (!Number.isFinite(n)) throw new Error(`${f.label} must be a number`);
      return n;
    }
    case 'boolean':
      return text === 'true';
    case 'text':
      return text;
    case 'json':
      try {
        return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
      } catch (e) {
        throw new Error(`${f.label} is not valid JSON: ${(e as Error).message}`, { cause: e });
      }
  }
}

/**
 * The definition a form describes: `values` by field path (missing paths keep the field's
 * text). Problems name the field; the definition is undefined when there are any.
 */
export function readForm(
  fields: readonly FormField[],
  values: Readonly<Record<string, string>>,
): { definition: Record<string, unknown> | undefined; problems: FieldProblem[] } {
  const def: Record<string, unknown> = {};
  const containers: Record<string, unknown>[] = [];
  const problems: FieldProblem[] = [];
  for (const f of fields) {
    let v: unknown;
    try {
      v = parseValue(f, values[f.path] ?? f.text);
    } catch (e) {
      problems.push({ path: f.path, message: (e as Error).message });
      continue;
    }
    if (v === undefined) continue;
    if (f.container === undefined) def[f.label] = v;
    else (containers[f.container] ??= {})[f.label] = v;
  }
  if (containers.length) def['containerDefinitions'] = containers.map((c) => c ?? {});
  return problems.length ? { definition: undefined, problems } : { definition: def, problems };
}

function containerIndex(def: Readonly<Record<string, unknown>>, name: string): number {
  const list = Array.isArray(def['containerDefinitions'])
    ? (def['containerDefinitions'] as { name?: unknown }[])
    : [];
  return list.findIndex((c) => c?.name === name);
}

/**
 * The field a RegisterTaskDefinition error message names, as a form path, from the scheduler's
 * ECS-worded messages ("Invalid 'memory' setting for container 'web': …"). Undefined when the
 * message names none. (The API answers only `__type` and `message`, so the path is read back
 * from the wording.)
 */
export function fieldOfError(
  message: string,
  def: Readonly<Record<string, unknown>>,
): string | undefined {
  let m = /^Invalid '([^']+)' setting for container '([^']+)'/.exec(message);
  if (m) {
    const i = containerIndex(def, m[2] as string);
    return i < 0 ? 'containerDefinitions' : `containerDefinitions[${i}].${m[1]}`;
  }
  m = /^Invalid setting for container '([^']+)'\. '([^']+)'/.exec(message);
  if (m) {
    const i = containerIndex(def, m[1] as string);
    return i < 0 ? 'containerDefinitions' : `containerDefinitions[${i}].${m[2]}`;
  }
  m = /^Invalid '([^']+)' setting for container (\d+)/.exec(message);
  if (m) return `containerDefinitions[${m[2]}].${m[1]}`;
  m = /^Invalid '([^']+)' setting for the task definition/.exec(message);
  if (m) return m[1];
  m = /^Container\.(\w+) (should not be null or empty|contains invalid characters)/.exec(message);
  if (m) {
    const key = m[1] as string;
    const empty = m[2] === 'should not be null or empty';
    const list = Array.isArray(def['containerDefinitions'])
      ? (def['containerDefinitions'] as Record<string, unknown>[])
      : [];
    const i = list.findIndex((c) => {
      const v = c?.[key];
      const blank = typeof v !== 'string' || v.trim() === '';
      return empty ? blank : !blank && !/^[A-Za-z0-9_-]{1,255}$/.test(v as string);
    });
    return `containerDefinitions[${Math.max(0, i)}].${key}`;
  }
  m = /^Duplicate container name '([^']+)'/.exec(message);
  if (m) {
    const name = m[1] as string;
    const list = Array.isArray(def['containerDefinitions'])
      ? (def['containerDefinitions'] as { name?: unknown }[])
      : [];
    const first = containerIndex(def, name);
    const second = list.findIndex((c, i) => c?.name === name && i !== first);
    return `containerDefinitions[${Math.max(0, second)}].name`;
  }
  if (/^Invalid networkMode|networkMode awsvpc/.test(message)) return 'networkMode';
  if (
    /^(Container list cannot be empty|Too many containers|Task definition doesn't have any essential)/.test(
      message,
    )
  ) {
    return 'containerDefinitions';
  }
  if (/task 'cpu'/.test(message)) return 'cpu';
  m = /^(\S+) must be a JSON object\.$/.exec(message);
  if (m) return m[1];
  if (/family/i.test(message)) return 'family';
  return undefined;
}

/**
 * The form field to show a message at: the path itself when it is a field, else the nearest
 * enclosing field (`containerDefinitions[0].portMappings[1].hostPort` → the
 * `containerDefinitions[0].portMappings` JSON field), else undefined (shown above the form).
 */
export function nearestField(
  path: string | undefined,
  fields: readonly FormField[],
): string | undefined {
  if (path === undefined) return undefined;
  const paths = new Set(fields.map((f) => f.path));
  let p = path;
  while (p !== '') {
    if (paths.has(p)) return p;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  // A container-level message without a field of its own: its first field.
  const c = /^containerDefinitions\[(\d+)\]/.exec(path);
  if (c) return fields.find((f) => f.container === Number(c[1]))?.path;
  return undefined;
}
