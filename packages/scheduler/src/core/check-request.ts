/**
 * What AWS checks before an ECS action runs, in the order it does: the JSON types of the body
 * against the operation's input shape (a wrong type is a SerializationException, as AWS's
 * JSON 1.1 deserializer answers it; unknown members are ignored, as there), then the ARNs the
 * request names (another region: InvalidParameterException "Invalid Region in ARN"; another
 * account: AccessDeniedException). Pure; must never look anything up.
 */
import { EcsError } from '../errors.js';
import type { ArnScope } from './arn.js';
import type { Body } from './input.js';
import { OPERATION_INPUTS, REQUEST_SHAPES } from './request-shapes.js';

type Compiled =
  | { kind: 'scalar'; type: string }
  | { kind: 'structure'; members: Map<string, string> }
  | { kind: 'list'; member: string }
  | { kind: 'map'; value: string };

const compiled = new Map<string, Compiled>();

function shapeOf(ref: string): Compiled {
  let c = compiled.get(ref);
  if (c) return c;
  const text = REQUEST_SHAPES[ref];
  if (text === undefined) c = { kind: 'scalar', type: ref };
  else if (text.startsWith('[')) c = { kind: 'list', member: text.slice(1, -1) };
  else if (text.startsWith('{')) c = { kind: 'map', value: text.slice(1, -1).split(':')[1] ?? '' };
  else {
    const members = new Map<string, string>();
    for (const m of text.split(' ')) {
      const eq = m.indexOf('=');
      if (eq > 0) members.set(m.slice(0, eq), m.slice(eq + 1));
    }
    c = { kind: 'structure', members };
  }
  compiled.set(ref, c);
  return c;
}

/** AWS's words for a JSON token of the wrong type. */
function token(v: unknown): string {
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (v === true) return 'TRUE_VALUE';
  if (v === false) return 'FALSE_VALUE';
  return 'VALUE';
}

const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  boolean: 'a Boolean',
  double: 'a Double',
  float: 'a Float',
  timestamp: 'a Timestamp',
  blob: 'a ByteBuffer',
};

function fault(message: string, path: string): EcsError {
  return new EcsError('SerializationException', `${message} (at ${path})`);
}

function checkValue(ref: string, v: unknown, path: string): void {
  if (v === null || v === undefined) return;
  const shape = shapeOf(ref);
  const isArray = Array.isArray(v);
  const isObject = typeof v === 'object' && !isArray;
  switch (shape.kind) {
    case 'structure':
      if (isArray) throw fault('Start of list found where not expected', path);
      if (!isObject) throw fault('Expected null', path);
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        const m = shape.members.get(k);
        if (m !== undefined) checkValue(m, mv, path === '' ? k : `${path}.${k}`);
      }
      return;
    case 'list':
      if (!isArray) throw fault('Expected list or null', path);
      (v as unknown[]).forEach((e, i) => checkValue(shape.member, e, `${path}[${i}]`));
      return;
    case 'map':
      if (!isObject) throw fault('Expected map or null', path);
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        checkValue(shape.value, mv, `${path}.${k}`);
      }
      return;
    case 'scalar': {
      if (isArray) throw fault('Start of list found where not expected', path);
      if (isObject) throw fault('Start of structure or map found where not expected.', path);
      const ok =
        shape.type === 'string' || shape.type === 'blob'
          ? typeof v === 'string'
          : shape.type === 'boolean'
            ? typeof v === 'boolean'
            : shape.type === 'timestamp'
              ? typeof v === 'number' || typeof v === 'string'
              : typeof v === 'number';
      if (!ok) {
        throw fault(
          `${token(v)} can not be converted to ${ARTICLE[shape.type] ?? shape.type}`,
          path,
        );
      }
    }
  }
}

/** Throws SerializationException when a member of `body` has a JSON type its shape forbids. */
export function checkRequestTypes(action: string, body: Body): void {
  const input = OPERATION_INPUTS[action];
  if (input !== undefined) checkValue(input, body, '');
}

/** The request members that name ECS resources (top level, or inside `attributes`). */
const REFERENCES = [
  'cluster',
  'clusters',
  'containerInstance',
  'containerInstances',
  'taskDefinition',
  'taskDefinitions',
  'task',
  'tasks',
  'service',
  'services',
  'resourceArn',
  'taskSet',
  'taskSets',
  'primaryTaskSet',
] as const;

const ECS_ARN = /^arn:(aws[a-z-]*):ecs:([^:]*):([^:]*):/;

function checkArn(value: unknown, scope: ArnScope, action: string): void {
  if (typeof value !== 'string') return;
  const m = ECS_ARN.exec(value);
  if (!m) return;
  if (m[2] !== scope.region)
    throw new EcsError('InvalidParameterException', 'Invalid Region in ARN');
  if (m[3] !== scope.accountId) {
    throw new EcsError(
      'AccessDeniedException',
      `User is not authorized to perform: ecs:${action} on resource: ${value} because no ` +
        `resource-based policy allows the ecs:${action} action`,
    );
  }
}

/** Refuses ECS ARNs of another region or account among the resources a request names. */
export function checkArnScope(action: string, body: Body, scope: ArnScope): void {
  for (const field of REFERENCES) {
    const v = body[field];
    if (Array.isArray(v)) for (const e of v) checkArn(e, scope, action);
    else checkArn(v, scope, action);
  }
  const attributes = body['attributes'];
  if (Array.isArray(attributes)) {
    for (const a of attributes) {
      if (a && typeof a === 'object') checkArn((a as Body)['targetId'], scope, action);
    }
  }
}
