// The ECS service model of the AWS CLI the tests drive (/usr/bin/aws, Debian's awscli, which
// ships botocore's model), and a checker of JSON responses against its output shapes: unknown
// members, wrong types, missing required members. Test support only; never imported by src.
import { existsSync, readFileSync } from 'node:fs';

/** Where Debian's awscli keeps botocore's ECS model (BOTOCORE_ECS_MODEL overrides it). */
export const ECS_MODEL_PATH =
  process.env['BOTOCORE_ECS_MODEL'] ??
  '/usr/lib/python3/dist-packages/awscli/botocore/data/ecs/2014-11-13/service-2.json';

/** One botocore shape (the fields the checks read). */
export interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
}

/** The parts of a botocore service model the tests use. */
export interface ServiceModel {
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

let cached: ServiceModel | undefined;

/** The CLI's ECS model, with the shapes of operations newer than it (see EXTRA_OUTPUTS). */
export function ecsModel(): ServiceModel {
  if (cached) return cached;
  if (!existsSync(ECS_MODEL_PATH)) {
    throw new Error(`botocore's ECS model is required at ${ECS_MODEL_PATH} (Debian awscli)`);
  }
  const m = JSON.parse(readFileSync(ECS_MODEL_PATH, 'utf8')) as ServiceModel;
  cached = {
    operations: { ...m.operations, ...EXTRA_OPERATIONS },
    shapes: { ...m.shapes, ...EXTRA_SHAPES },
  };
  return cached;
}

/**
 * DeleteTaskDefinitions came after the CLI's model (awscli 2.9.19). Its response is written
 * here from the ECS API reference, made of the model's own TaskDefinitions and Failures.
 */
const EXTRA_OPERATIONS: ServiceModel['operations'] = {
  DeleteTaskDefinitions: {
    input: { shape: 'DeleteTaskDefinitionsRequest' },
    output: { shape: 'DeleteTaskDefinitionsResponse' },
  },
};
const EXTRA_SHAPES: ServiceModel['shapes'] = {
  DeleteTaskDefinitionsRequest: {
    type: 'structure',
    required: ['taskDefinitions'],
    members: { taskDefinitions: { shape: 'StringList' } },
  },
  DeleteTaskDefinitionsResponse: {
    type: 'structure',
    members: {
      taskDefinitions: { shape: 'TaskDefinitionList' },
      failures: { shape: 'Failures' },
    },
  },
  TaskDefinitionList: { type: 'list', member: { shape: 'TaskDefinition' } },
};

/** The operations of the CLI's own model (without EXTRA_OPERATIONS). */
export function cliOperations(): string[] {
  const m = JSON.parse(readFileSync(ECS_MODEL_PATH, 'utf8')) as ServiceModel;
  return Object.keys(m.operations).sort();
}

/**
 * Enum values the ECS API reference has and the CLI's older model lacks, for operations newer
 * than it: DeleteTaskDefinitions puts revisions in DELETE_IN_PROGRESS.
 */
const NEWER_ENUM_VALUES: Readonly<Record<string, readonly string[]>> = {
  TaskDefinitionStatus: ['DELETE_IN_PROGRESS'],
};

const typeName = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;

/**
 * Everything wrong with `value` as the output of `operation`: one line per fault, with the
 * JSON path. Enum values are checked too (a strict client rejects an unknown one).
 */
export function checkOutput(operation: string, value: unknown): string[] {
  const model = ecsModel();
  const op = model.operations[operation];
  if (!op) return [`${operation}: not an operation of the model`];
  const faults: string[] = [];
  if (!op.output) {
    if (typeName(value) !== 'object' || Object.keys(value as object).length > 0) {
      faults.push(`${operation}: the model has no output, got ${JSON.stringify(value)}`);
    }
    return faults;
  }
  check(model, op.output.shape, value, operation, faults);
  return faults;
}

function check(
  model: ServiceModel,
  shapeName: string,
  v: unknown,
  path: string,
  faults: string[],
): void {
  const shape = model.shapes[shapeName];
  if (!shape) {
    faults.push(`${path}: unknown shape ${shapeName}`);
    return;
  }
  if (v === null) {
    faults.push(`${path}: null (members are omitted, never null)`);
    return;
  }
  const bad = (want: string): void => {
    faults.push(`${path}: ${shapeName} wants ${want}, got ${typeName(v)} ${short(v)}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (typeName(v) !== 'object') return bad('an object');
      const obj = v as Record<string, unknown>;
      const members = shape.members ?? {};
      for (const [k, mv] of Object.entries(obj)) {
        const m = members[k];
        if (!m) faults.push(`${path}.${k}: not a member of ${shapeName}`);
        else check(model, m.shape, mv, `${path}.${k}`, faults);
      }
      for (const r of shape.required ?? []) {
        if (obj[r] === undefined)
          faults.push(`${path}.${r}: required member of ${shapeName} missing`);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(v)) return bad('an array');
      // Paths name no index, so one fault seen in many elements is reported once.
      for (const e of v) check(model, shape.member!.shape, e, `${path}[]`, faults);
      return;
    }
    case 'map': {
      if (typeName(v) !== 'object') return bad('an object (map)');
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        check(model, shape.key!.shape, k, `${path}{key}`, faults);
        check(model, shape.value!.shape, mv, `${path}{}`, faults);
      }
      return;
    }
    case 'string':
      if (typeof v !== 'string') return bad('a string');
      if (shape.enum && !shape.enum.includes(v) && !NEWER_ENUM_VALUES[shapeName]?.includes(v)) {
        faults.push(`${path}: '${v}' is not one of ${shapeName} [${shape.enum.join(', ')}]`);
      }
      return;
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) bad('an integer');
      return;
    case 'double':
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('a number');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad('a boolean');
      return;
    case 'timestamp':
      // AWS JSON 1.1: epoch seconds.
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('epoch seconds');
      return;
    case 'blob':
      if (typeof v !== 'string') bad('base64 text');
      return;
    default:
      faults.push(`${path}: shape type ${shape.type} is not checked`);
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const SCALARS = new Set([
  'string',
  'integer',
  'long',
  'boolean',
  'double',
  'float',
  'timestamp',
  'blob',
]);

/**
 * The text of src/core/request-shapes.ts: the input shapes of `operations`, reduced to what
 * a type check needs (see that file's header for the notation).
 */
export function requestShapesSource(operations: readonly string[]): string {
  const m = ecsModel();
  const shapes = new Map<string, string>();
  const ref = (name: string): string => {
    const s = m.shapes[name]!;
    if (SCALARS.has(s.type)) return s.type;
    walk(name);
    return name;
  };
  const walk = (name: string): void => {
    if (shapes.has(name)) return;
    const s = m.shapes[name]!;
    shapes.set(name, '');
    if (s.type === 'structure') {
      const members = Object.entries(s.members ?? {}).map(([k, v]) => `${k}=${ref(v.shape)}`);
      shapes.set(name, members.join(' '));
    } else if (s.type === 'list') shapes.set(name, `[${ref(s.member!.shape)}]`);
    else if (s.type === 'map') shapes.set(name, `{${ref(s.key!.shape)}:${ref(s.value!.shape)}}`);
    else throw new Error(`unexpected shape type ${s.type} of ${name}`);
  };
  const inputs: string[] = [];
  for (const op of [...operations].sort()) {
    const input = m.operations[op]?.input?.shape;
    if (!input) continue;
    walk(input);
    inputs.push(`  ${op}: '${input}',`);
  }
  const lines = [...shapes].sort(([a], [b]) => (a < b ? -1 : 1));
  return [
    '/**',
    " * The input shapes of the ECS operations berth implements, from botocore's ECS model (the",
    " * one Debian's awscli ships). GENERATED by test/request-shapes.test.ts: after changing the",
    ' * implemented operations, run `UPDATE_REQUEST_SHAPES=1 npx tap',
    ' * packages/scheduler/test/request-shapes.test.ts`. Do not edit by hand.',
    ' *',
    ' * Notation: a structure is `member=ref member=ref ...`, a list `[ref]`, a map `{ref:ref}`;',
    ' * a ref is another shape or a scalar (string, integer, long, boolean, double, float,',
    ' * timestamp, blob). Data only; must never hold logic.',
    ' */',
    '',
    "/** Each operation's input shape. */",
    'export const OPERATION_INPUTS: Readonly<Record<string, string>> = {',
    ...inputs,
    '};',
    '',
    '/** The shapes those inputs reach. */',
    'export const REQUEST_SHAPES: Readonly<Record<string, string>> = {',
    ...lines.map(([k, v]) => `  ${k}: '${v}',`),
    '};',
    '',
  ].join('\n');
}
