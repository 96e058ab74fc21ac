/**
 * Canonical text form of a parsed cluster query: symbolic operators, single spaces, `and` /
 * `or` / `not(...)`, lists as `[a, b]`, quoted values kept quoted. Parsing the output yields an
 * equivalent query. Used for golden tests and for echoing constraints back in API responses.
 * Pure: must never throw for a query parseClusterQuery produced.
 */

import type { ClusterQuery, QueryNode, QueryValue } from './types.js';

/** Formats `q` in canonical form. */
export function formatClusterQuery(q: ClusterQuery): string {
  return formatNode(q.root, false);
}

function formatNode(node: QueryNode, nested: boolean): string {
  switch (node.type) {
    case 'not':
      return `not(${formatNode(node.term, false)})`;
    case 'and':
    case 'or': {
      const text = node.terms
        .map((t) => formatNode(t, t.type !== 'compare'))
        .join(` ${node.type} `);
      return nested ? `(${text})` : text;
    }
    case 'compare': {
      const s =
        node.subject.kind === 'attribute' ? `attribute:${node.subject.name}` : node.subject.kind;
      if (node.values.length === 0) return `${s} ${node.op}`;
      if (node.op === 'in' || node.op === '!in') {
        return `${s} ${node.op} [${node.values.map(formatValue).join(', ')}]`;
      }
      return `${s} ${node.op} ${formatValue(node.values[0]!)}`;
    }
  }
}

function formatValue(v: QueryValue): string {
  if (!v.quoted) return v.text;
  return `'${v.text.replace(/[\\']/g, '\\$&')}'`;
}
