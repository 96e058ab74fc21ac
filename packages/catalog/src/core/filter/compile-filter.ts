/**
 * Turns a `filter` expression into a predicate over one result item (a ServiceNode, a
 * CheckServiceNode, an agent service, a health check...). Compilation does all the work that
 * can fail (parsing, regular expressions); the returned predicate is pure and must never
 * throw, whatever shape the value has.
 *
 * Without Go's static types, selectors are resolved against the value itself:
 * - a missing field (or a walk through a non-object) does not match, so the positive operators
 *   (`==`, `in`, `contains`, `matches`, `is not empty`) are false and their negations are true,
 *   as go-bexpr does for a missing map key;
 * - a selector that walks through a list by field name (`Checks.Status`) looks at every
 *   element and matches when any element matches (go-bexpr's rule for slices of structs);
 *   `.0` picks one element.
 */

import { FilterError, SelectorError } from './errors.js';
import { invalidSelector, type Schema } from './schema.js';
import { valueContains, valueEquals, valueIsEmpty, valueMatches } from './match-value.js';
import { parseFilter } from './parse-filter.js';
import type { FilterNode, FilterValue, MatchOperator, SelectorSegment } from './parse-filter.js';

/** A compiled filter: true when the item should be kept. */
export type FilterPredicate = (value: unknown) => boolean;

const NEGATED: ReadonlySet<MatchOperator> = new Set([
  '!=',
  'not in',
  'not contains',
  'is not empty',
  'not matches',
]);

const MISSING: unique symbol = Symbol('missing');

/** Every value the selector reaches in `root` (several when it walks through a list). */
function resolve(root: unknown, selector: readonly SelectorSegment[]): unknown[] {
  let current: unknown[] = [root];
  for (const seg of selector) {
    const next: unknown[] = [];
    for (const item of current) step(item, seg, next);
    if (next.length === 0) return [];
    current = next;
  }
  return current;
}

function step(item: unknown, seg: SelectorSegment, out: unknown[]): void {
  if (Array.isArray(item)) {
    if (seg.kind === 'index') {
      if (seg.index < item.length) out.push(item[seg.index]);
      return;
    }
    for (const element of item) step(element, seg, out);
    return;
  }
  if (seg.kind === 'field' && typeof item === 'object' && item !== null) {
    const value = Object.hasOwn(item, seg.name)
      ? (item as Record<string, unknown>)[seg.name]
      : MISSING;
    if (value !== MISSING && value !== undefined) out.push(value);
  }
}

/**
 * Go's regexp is RE2; JavaScript lacks inline flag groups, so a leading `(?i)` / `(?s)` /
 * `(?m)` group becomes RegExp flags.
 */
function compileRegExp(expression: string, pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline !== null) {
    flags = [...new Set(inline[1])].join('');
    source = source.slice(inline[0].length);
  }
  try {
    return new RegExp(source, flags + 'u');
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (err) {
      throw new FilterError(
        expression,
        1,
        `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`,
      );
    }
  }
}

function compileNode(expression: string, node: FilterNode): FilterPredicate {
  switch (node.kind) {
    case 'and': {
      const left = compileNode(expression, node.left);
      const right = compileNode(expression, node.right);
      return (v) => left(v) && right(v);
    }
    case 'or': {
      const left = compileNode(expression, node.left);
      const right = compileNode(expression, node.right);
      return (v) => left(v) || right(v);
    }
    case 'not': {
      const operand = compileNode(expression, node.operand);
      return (v) => !operand(v);
    }
    case 'match':
      return compileMatch(expression, node.selector, node.operator, node.value);
  }
}

function compileMatch(
  expression: string,
  selector: readonly SelectorSegment[],
  operator: MatchOperator,
  value: FilterValue | undefined,
): FilterPredicate {
  const literal: FilterValue = value ?? { raw: '', form: 'string' };
  const negate = NEGATED.has(operator);
  let test: (field: unknown) => boolean;
  if (operator === '==' || operator === '!=') {
    test = (f) => valueEquals(f, literal);
  } else if (operator === 'is empty' || operator === 'is not empty') {
    test = valueIsEmpty;
  } else if (operator === 'matches' || operator === 'not matches') {
    const re = compileRegExp(expression, literal.raw);
    test = (f) => valueMatches(f, re);
  } else {
    test = (f) => valueContains(f, literal);
  }
  // A missing field is an empty one for `is empty`, and otherwise matches nothing.
  const onMissing = operator === 'is empty' || operator === 'is not empty' ? !negate : negate;
  return (root) => {
    const found = resolve(root, selector);
    if (found.length === 0) return onMissing;
    return found.some((f) => test(f) !== negate);
  };
}

function checkSelectors(node: FilterNode, schema: Schema): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      checkSelectors(node.left, schema);
      checkSelectors(node.right, schema);
      return;
    case 'not':
      checkSelectors(node.operand, schema);
      return;
    case 'match': {
      const bad = invalidSelector(schema, node.selector);
      if (bad !== undefined) throw new SelectorError(bad);
    }
  }
}

/**
 * Compiles a Consul `filter` expression (go-bexpr syntax) into a predicate. With a schema,
 * every selector must exist in it, as go-bexpr checks selectors against the Go type.
 * @throws FilterError naming the position and what was expected when the expression is bad,
 *   SelectorError naming a selector the schema does not have.
 */
export function compileFilter(expression: string, schema?: Schema): FilterPredicate {
  const tree = parseFilter(expression);
  if (schema) checkSelectors(tree, schema);
  return compileNode(expression, tree);
}
