/**
 * The canonical text form of a CatalogSnapshot: one sorted line per instance (and per node),
 * for golden tests, logged diffs and "did anything change" checks. Pure. Check `output` is
 * left out on purpose: it changes without changing health (Consul itself syncs output-only
 * changes lazily), and a new snapshot per output change would churn every consumer.
 */
import type { CatalogSnapshot, ServiceInstance } from './snapshot.js';

// Percent-encode only what would break the line format: '%', whitespace, controls.
function tok(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[%\s\u0000-\u001f\u007f]/g, (c) =>
    [...Buffer.from(c, 'utf8')]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

function sortedJson(o: Readonly<Record<string, string>>): string {
  const keys = Object.keys(o).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, o[k]])));
}

/**
 * One instance as a line:
 * `<service> <id> node=<node> addr=<address>:<port> status=<status> maint=<0|1>
 *  tags=<json> meta=<json> checks=<id>:<status>,...`
 * Tokens percent-encode '%' and whitespace; tags and meta are JSON with sorted meta keys.
 */
export function instanceToLine(i: ServiceInstance): string {
  const checks = i.checks.map((c) => `${tok(c.id)}:${c.status}`).join(',');
  return (
    `${tok(i.service)} ${tok(i.id)} node=${tok(i.node)} addr=${tok(i.address)}:${i.port}` +
    ` status=${i.status} maint=${i.maintenance ? 1 : 0} tags=${tok(JSON.stringify(i.tags))}` +
    ` meta=${tok(sortedJson(i.meta))} checks=${checks}` +
    // Only non-default weights are written, so the common line stays short.
    (i.weights && (i.weights.passing !== 1 || i.weights.warning !== 1)
      ? ` weights=${i.weights.passing}/${i.weights.warning}`
      : '')
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every instance of the snapshot as a sorted list of lines (see instanceToLine). */
export function snapshotToLines(snapshot: CatalogSnapshot): string[] {
  const lines: string[] = [];
  for (const list of snapshot.services.values())
    for (const i of list) lines.push(instanceToLine(i));
  return lines.sort(compare);
}

/** Every node as a sorted line: `node <name> addr=<address> dc=<dc> meta=<json>`. */
export function nodeLines(snapshot: CatalogSnapshot): string[] {
  const lines: string[] = [];
  for (const n of snapshot.nodes.values()) {
    lines.push(
      `node ${tok(n.name)} addr=${tok(n.address)} dc=${tok(n.datacenter)} meta=${tok(sortedJson(n.meta))}`,
    );
  }
  return lines.sort(compare);
}

/** Lines only in `b` (added) and only in `a` (removed), each sorted. */
export interface LinesDiff {
  readonly added: string[];
  readonly removed: string[];
}

/** Compare two sorted or unsorted line lists as sets. */
export function diffLines(a: readonly string[], b: readonly string[]): LinesDiff {
  const inA = new Set(a);
  const inB = new Set(b);
  return {
    added: b.filter((l) => !inA.has(l)).sort(compare),
    removed: a.filter((l) => !inB.has(l)).sort(compare),
  };
}

/** A diff as text: `- line` for removed, `+ line` for added (removed first). */
export function formatDiff(d: LinesDiff): string {
  return [...d.removed.map((l) => `- ${l}`), ...d.added.map((l) => `+ ${l}`)].join('\n');
}
