/**
 * Recognises Consul's prepared query names: `<query>.query[.<dc>].<domain>` (the query's ID
 * or name, dots allowed, as Consul joins the labels) and the RFC 2782 form
 * `_<query>._<proto>.query[.<dc>].<domain>` (protocol ignored). Pure; it must never decide
 * what the query answers, only which query a name asks for.
 */

/** A prepared query lookup: which query, in which domain, for which datacenter. */
export interface QueryName {
  /** The query's ID or name (lower-case: DNS names are). */
  readonly query: string;
  /** The datacenter label, '' when the name has none. */
  readonly dc: string;
  /** Index of the domain in `domains`. */
  readonly domain: number;
}

/**
 * The prepared query `name` (lower-case, no trailing dot) asks for, or undefined when it is
 * no query name. Like Consul: the label before the domain is `query`, or a datacenter with
 * `query` before it; a bare `query.<domain>` names no query.
 */
export function parseQueryName(name: string, domains: readonly string[]): QueryName | undefined {
  for (let d = 0; d < domains.length; d++) {
    const suffix = `.${domains[d] as string}`;
    if (!name.endsWith(suffix)) continue;
    const labels = name.slice(0, -suffix.length).split('.');
    let end = labels.length - 1;
    let dc = '';
    if (labels[end] !== 'query') {
      dc = labels[end] ?? '';
      end--;
      if (labels[end] !== 'query') return undefined;
    }
    const parts = labels.slice(0, end);
    const n = parts.length;
    if (n === 0 || parts.some((l) => l === '')) return undefined;
    let query: string;
    if (n >= 2 && parts[0]?.startsWith('_') && parts[n - 1]?.startsWith('_')) {
      // RFC 2782: `_<query>._<proto>`; the protocol label is ignored.
      query = parts
        .slice(0, n - 1)
        .join('.')
        .slice(1);
    } else query = parts.join('.');
    return query === '' ? undefined : { query, dc, domain: d };
  }
  return undefined;
}
