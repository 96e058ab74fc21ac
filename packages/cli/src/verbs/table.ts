/**
 * Plain-text tables for people (`berth ps`, `berth services`): columns padded to the widest
 * cell, two spaces apart. Pure; it never writes to a stream.
 */

/** Renders `rows` under `headers`; cells are strings, missing cells are empty. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    widths
      .map((w, i) => (i === widths.length - 1 ? (cells[i] ?? '') : (cells[i] ?? '').padEnd(w)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
