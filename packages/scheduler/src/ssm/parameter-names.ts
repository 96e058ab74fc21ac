/**
 * Parameter names as SSM has them: flat (`db-pass`) or hierarchical (`/prod/db/pass`, at most
 * 15 levels), their ARNs (`arn:aws:ssm:<region>:<account>:parameter/prod/db/pass`), the
 * `name:version` / `name:label` selectors, labels, and where each parameter lives in KV
 * (`<prefix>ssm/parameters/h/prod/db/pass`, `.../n/db-pass`). Pure.
 */
import type { ArnScope } from '../core/arn.js';
import { ssmError, validation } from './ssm-errors.js';

export const MAX_NAME = 2048;
export const MAX_LEVELS = 15;
const SEGMENT = /^[a-zA-Z0-9_.-]+$/;

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

/** Whether a name is well formed (hierarchy depth not checked). */
export function isParameterName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME) return false;
  const first = name.startsWith('/') ? name.slice(1) : name;
  if (/^(aws|ssm)/i.test(first)) return false;
  if (!name.startsWith('/')) return SEGMENT.test(name);
  return name
    .slice(1)
    .split('/')
    .every((s) => SEGMENT.test(s));
}

/** Throws SSM's ValidationException / HierarchyLevelLimitExceededException for a bad name. */
export function checkParameterName(name: string): void {
  if (!isParameterName(name)) throw validation(NAME_RULES);
  if (name.startsWith('/') && name.split('/').length - 1 > MAX_LEVELS) {
    throw ssmError(
      'HierarchyLevelLimitExceededException',
      `Parameter name hierarchy has exceeded the maximum depth of ${MAX_LEVELS} levels`,
    );
  }
}

/** The ARN SSM gives parameter `name`. */
export function parameterArn(scope: ArnScope, name: string): string {
  const rest = name.startsWith('/') ? name.slice(1) : name;
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter/${rest}`;
}

/** The parameter name of an SSM parameter ARN (undefined if `arn` is not one). */
export function nameOfParameterArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d*:parameter\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const rest = m[1] as string;
  return rest.includes('/') ? `/${rest}` : rest;
}

/** A name with an optional selector: `name`, `name:3`, `name:label`. */
export interface Selected {
  readonly name: string;
  readonly version?: number;
  readonly label?: string;
  /** `:3` or `:label`, as GetParameter echoes it. */
  readonly selector?: string;
}

/** Splits a GetParameter(s) name (or ARN) into name and selector. */
export function parseSelected(input: string): Selected {
  let text = input;
  if (text.startsWith('arn:')) {
    const m = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d*:parameter\/[^:]+)(?::(.*))?$/.exec(text);
    const name = m ? nameOfParameterArn(m[1] as string) : undefined;
    if (!m || name === undefined) throw validation(`Invalid parameter ARN: ${input}`);
    text = m[2] === undefined ? name : `${name}:${m[2]}`;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { name: text };
  const name = text.slice(0, colon);
  const sel = text.slice(colon + 1);
  if (/^\d+$/.test(sel)) return { name, version: Number(sel), selector: `:${sel}` };
  if (sel === '') throw validation(`Invalid parameter selector in ${input}`);
  return { name, label: sel, selector: `:${sel}` };
}

/** Why a label is invalid (undefined when it is fine). */
export function labelProblem(label: string): string | undefined {
  if (label.length < 1 || label.length > 100) return 'length';
  if (!/^[a-zA-Z0-9_.-]+$/.test(label)) return 'characters';
  if (/^\d/.test(label)) return 'starts with a number';
  if (/^(aws|ssm)/i.test(label)) return 'reserved prefix';
  return undefined;
}

/** KV key layout of the SSM store under the KV prefix. */
export class SsmLayout {
  readonly root: string;
  constructor(kvPrefix: string) {
    this.root = `${kvPrefix}ssm/`;
  }
  /** Names the key that seals new values (an id, never the key). */
  get keyId(): string {
    return `${this.root}key-id`;
  }
  get parameters(): string {
    return `${this.root}parameters/`;
  }
  parameter(name: string): string {
    return name.startsWith('/') ? `${this.parameters}h${name}` : `${this.parameters}n/${name}`;
  }
  /** The KV prefix holding every parameter under `path` (`/` or `/a/b`). */
  pathPrefix(path: string): string {
    const p = path.endsWith('/') ? path : `${path}/`;
    return `${this.parameters}h${p}`;
  }
  /** The parameter name of a KV key under `parameters` (undefined for foreign keys). */
  nameOf(key: string): string | undefined {
    const rest = key.slice(this.parameters.length);
    if (!key.startsWith(this.parameters)) return undefined;
    if (rest.startsWith('h/')) return rest.slice(1);
    if (rest.startsWith('n/')) return rest.slice(2);
    return undefined;
  }
}
