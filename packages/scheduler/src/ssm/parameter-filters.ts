/**
 * DescribeParameters' and GetParametersByPath's filters (`ParameterFilters`: Key, Option,
 * Values; the older `Filters`: Key, Values) over parameter records, with SSM's keys and
 * options. Pure.
 */
import type { Body } from '../core/input.js';
import { latest, type ParameterRecord } from './parameter-record.js';
import { ssmError, validation } from './ssm-errors.js';

/** One parsed filter. */
export interface ParameterFilter {
  readonly key: string;
  readonly option: string;
  readonly values: readonly string[];
}

const OPTIONS: Readonly<Record<string, readonly string[]>> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Type: ['Equals'],
  KeyId: ['Equals'],
  Path: ['Recursive', 'OneLevel'],
  Tier: ['Equals'],
  DataType: ['Equals'],
  Label: ['Equals'],
};

/** Reads `ParameterFilters` (and the older `Filters`) of a request; `allowed` limits keys. */
export function readFilters(body: Body, allowed: readonly string[]): ParameterFilter[] {
  const out: ParameterFilter[] = [];
  const raw = body['ParameterFilters'];
  const legacy = body['Filters'];
  for (const [list, isLegacy] of [
    [raw, false],
    [legacy, true],
  ] as const) {
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw validation('Filters must be a list.');
    for (const f of list as Body[]) {
      const key = typeof f?.['Key'] === 'string' ? (f['Key'] as string) : '';
      const values = Array.isArray(f?.['Values']) ? (f['Values'] as unknown[]).map(String) : [];
      const isTag = key.startsWith('tag:') && key.length > 4;
      if (!isTag && !(key in OPTIONS)) {
        throw ssmError('InvalidFilterKey', `The filter key ${key} is not valid.`);
      }
      if (!allowed.includes(isTag ? 'tag' : key)) {
        throw validation(`The following filter key is not valid: ${key}.`);
      }
      const option =
        (typeof f['Option'] === 'string' ? (f['Option'] as string) : undefined) ??
        (key === 'Path' ? 'OneLevel' : 'Equals');
      const valid = isTag ? ['Equals'] : (OPTIONS[key] as readonly string[]);
      if (!isLegacy && !valid.includes(option)) {
        throw ssmError(
          'InvalidFilterOption',
          `The filter option ${option} is not valid for key ${key}. Valid options: ${valid.join(', ')}.`,
        );
      }
      if (values.length === 0 && key !== 'Label') {
        throw ssmError('InvalidFilterValue', `The filter ${key} needs at least one value.`);
      }
      out.push({ key, option, values });
    }
  }
  return out;
}

function pathMatches(name: string, path: string, recursive: boolean): boolean {
  const p = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(p)) return false;
  return recursive || !name.slice(p.length).includes('/');
}

/** Whether parameter `p` passes every filter. */
export function matchesFilters(p: ParameterRecord, filters: readonly ParameterFilter[]): boolean {
  const v = latest(p);
  return filters.every((f) => {
    const any = (fn: (value: string) => boolean): boolean => f.values.some(fn);
    switch (f.key) {
      case 'Name':
        return any((x) => {
          const n = x.startsWith('/') || !p.name.startsWith('/') ? x : `/${x}`;
          if (f.option === 'BeginsWith') return p.name.startsWith(n);
          if (f.option === 'Contains') return p.name.includes(x);
          return p.name === n;
        });
      case 'Type':
        return any((x) => v.type === x);
      case 'KeyId':
        return any((x) => v.keyId === x);
      case 'Tier':
        return any((x) => v.tier === x);
      case 'DataType':
        return any((x) => v.dataType === x);
      case 'Label':
        return p.versions.some((ver) => ver.labels.some((l) => f.values.includes(l)));
      case 'Path':
        return any((x) => pathMatches(p.name, x, f.option === 'Recursive'));
      default: {
        const tag = f.key.slice(4);
        return (p.tags ?? []).some((t) => t.Key === tag && f.values.includes(t.Value));
      }
    }
  });
}

/** Whether `name` lies under `path` (directly, or anywhere below when `recursive`). */
export { pathMatches };
