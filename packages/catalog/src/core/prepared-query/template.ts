/**
 * Prepared-query templates of type `name_prefix_match`: the name a client asked for is matched
 * against the template's Regexp and its `${name.full}`, `${name.prefix}`, `${name.suffix}`,
 * `${match(N)}` and `${agent.segment}` variables are filled into the service definition.
 * Pure; an unknown variable or a bad regular expression is a 400 when the template is saved.
 */
import { BadRequestError } from '../../errors.js';
import type { QueryInput, QueryService } from '../types.js';

const VAR = /\$\{\s*([^}]*?)\s*\}/g;
const KNOWN = /^(name\.full|name\.prefix|name\.suffix|agent\.segment|match\(\s*(\d+)\s*\))$/;

export interface CompiledTemplate {
  readonly re: RegExp | null;
}

function strings(s: QueryService): string[] {
  return [
    s.service,
    s.near,
    ...(s.tags ?? []),
    ...(s.ignoreCheckIds ?? []),
    ...Object.values(s.nodeMeta ?? {}),
    ...Object.values(s.serviceMeta ?? {}),
  ];
}

/** Checks a template's variables and regexp; throws 400 on the first problem. */
export function compileTemplate(
  q: Pick<QueryInput, 'templateRegexp' | 'service'>,
): CompiledTemplate {
  for (const text of strings(q.service)) {
    for (const m of text.matchAll(VAR)) {
      if (!KNOWN.test(m[1] ?? '')) {
        throw new BadRequestError(
          `Failed compiling template: unknown variable ${JSON.stringify(m[1])}`,
        );
      }
    }
  }
  if (q.templateRegexp === '') return { re: null };
  try {
    return { re: new RegExp(q.templateRegexp) };
  } catch (err) {
    throw new BadRequestError(`Failed compiling template: bad Regexp: ${(err as Error).message}`);
  }
}

/** The service definition of `q` with the template variables filled in for `name`. */
export function renderTemplate(q: QueryInput, name: string): QueryService {
  if (q.templateType === '') return q.service;
  const { re } = compileTemplate(q);
  const match = re ? re.exec(name) : null;
  const suffix = name.startsWith(q.name) ? name.slice(q.name.length) : '';
  const fill = (text: string): string =>
    text.replace(VAR, (_all, v: string) => {
      if (v === 'name.full') return name;
      if (v === 'name.prefix') return q.name;
      if (v === 'name.suffix') return suffix;
      if (v === 'agent.segment') return '';
      const n = /^match\(\s*(\d+)\s*\)$/.exec(v);
      return n && match ? (match[Number(n[1])] ?? '') : '';
    });
  const map = (m: Readonly<Record<string, string>> | null) =>
    m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, fill(v)])) : null;
  let tags = q.service.tags ? q.service.tags.map(fill) : null;
  if (tags && q.templateRemoveEmptyTags) tags = tags.filter((t) => t !== '');
  return {
    ...q.service,
    service: fill(q.service.service),
    near: fill(q.service.near),
    tags,
    ignoreCheckIds: q.service.ignoreCheckIds ? q.service.ignoreCheckIds.map(fill) : null,
    nodeMeta: map(q.service.nodeMeta),
    serviceMeta: map(q.service.serviceMeta),
  };
}
