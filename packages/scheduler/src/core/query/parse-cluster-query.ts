/**
 * Parser of the ECS cluster query language (memberOf constraints, ListContainerInstances
 * `filter`): `subject operator [argument]` joined by and / or / not (or &&, ||, !) with
 * parentheses. Validates operators and arguments per subject, as ECS documents them, and
 * precompiles regular expressions, wildcards, numbers and dates. Pure: must never do I/O or
 * read the clock.
 */

import { QueryError } from './errors.js';
import type {
  ClusterQuery,
  QueryComparison,
  QueryNode,
  QueryOperator,
  QuerySubject,
  QueryValue,
} from './types.js';
import { compileValue, subjectText } from './compile-value.js';

/** Longest expression accepted; ECS caps constraint expressions at 2000 characters. */
const MAX_EXPRESSION = 2000;
/** Deepest nesting of parentheses / not, so a hostile expression cannot blow the stack. */
const MAX_DEPTH = 64;

const WORD_OPERATORS: Readonly<Record<string, QueryOperator>> = {
  equals: '==',
  not_equals: '!=',
  greater_than: '>',
  greater_than_equal: '>=',
  less_than: '<',
  less_than_equal: '<=',
  exists: 'exists',
  not_exists: '!exists',
  in: 'in',
  not_in: '!in',
  matches: '=~',
  not_matches: '!~',
};

const ORDERED: readonly QueryOperator[] = ['==', '!=', '>', '>=', '<', '<='];
const STRINGY: readonly QueryOperator[] = ['==', '!=', 'in', '!in', '=~', '!~'];
const ALL: readonly QueryOperator[] = [...ORDERED, 'exists', '!exists', 'in', '!in', '=~', '!~'];

/** The operators ECS documents for each subject. */
const VALID_OPERATORS: Readonly<Record<QuerySubject['kind'], readonly QueryOperator[]>> = {
  agentConnected: STRINGY,
  agentVersion: ORDERED,
  ec2InstanceId: STRINGY,
  registeredAt: ORDERED,
  runningTasksCount: ORDERED,
  'task:group': [...STRINGY, 'exists', '!exists'],
  attribute: ALL,
};

const OPERATOR_LIST = '==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~';
const SUBJECT_LIST =
  'attribute:<name>, task:group, agentConnected, agentVersion, ec2InstanceId, registeredAt or runningTasksCount';
const ATTRIBUTE_NAME = /^[A-Za-z0-9_./\\-]{1,128}$/;

/**
 * Parses and validates a cluster query expression.
 * @throws QueryError naming the position and what was expected.
 */
export function parseClusterQuery(expression: string): ClusterQuery {
  if (typeof expression !== 'string') throw new QueryError(0, 'expression must be a string');
  if (expression.length > MAX_EXPRESSION) {
    throw new QueryError(
      MAX_EXPRESSION,
      `expression is ${expression.length} characters long; the limit is ${MAX_EXPRESSION}`,
    );
  }
  const parser = new Parser(expression);
  const root = parser.parse();
  const query: ClusterQuery = { expression, root, dynamic: isDynamic(root) };
  return deepFreeze(query);
}

function isDynamic(node: QueryNode): boolean {
  switch (node.type) {
    case 'compare':
      return node.subject.kind === 'task:group' || node.subject.kind === 'runningTasksCount';
    case 'not':
      return isDynamic(node.term);
    default:
      return node.terms.some(isDynamic);
  }
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  parse(): QueryNode {
    this.ws();
    if (this.pos >= this.src.length) this.fail('an expression');
    const node = this.or();
    this.ws();
    if (this.pos < this.src.length) this.fail("'and', 'or' or the end of the expression");
    return node;
  }

  private or(): QueryNode {
    const terms = [this.and()];
    while (this.keyword('or') || this.symbol('||')) terms.push(this.and());
    return terms.length === 1 ? terms[0]! : { type: 'or', terms };
  }

  private and(): QueryNode {
    const terms = [this.unary()];
    while (this.keyword('and') || this.symbol('&&')) terms.push(this.unary());
    return terms.length === 1 ? terms[0]! : { type: 'and', terms };
  }

  private unary(): QueryNode {
    this.ws();
    if (++this.depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} levels of nesting`);
    let node: QueryNode;
    if (this.keyword('not') || this.symbol('!')) {
      node = { type: 'not', term: this.unary() };
    } else if (this.symbol('(')) {
      node = this.or();
      this.ws();
      if (!this.symbol(')')) this.fail("')'");
    } else {
      node = this.comparison();
    }
    this.depth--;
    return node;
  }

  private comparison(): QueryComparison {
    this.ws();
    const subject = this.subject();
    this.ws();
    const opAt = this.pos;
    const op = this.operator();
    if (!VALID_OPERATORS[subject.kind].includes(op)) {
      throw new QueryError(
        opAt,
        `position ${opAt}: operator ${op} is not valid for ${subjectText(subject)}; expected one of ${VALID_OPERATORS[subject.kind].join(', ')}`,
      );
    }
    let values: QueryValue[];
    if (op === 'exists' || op === '!exists') {
      values = [];
    } else if (op === 'in' || op === '!in') {
      values = this.list(subject);
    } else {
      this.ws();
      values = [this.value(subject, op, false)];
    }
    return { type: 'compare', subject, op, values };
  }

  private subject(): QuerySubject {
    const start = this.pos;
    const word = this.read(/[^\s=!<>~()[\],'"&|]/y);
    if (word === '') this.fail(`a subject (${SUBJECT_LIST})`);
    switch (word) {
      case 'agentConnected':
      case 'agentVersion':
      case 'ec2InstanceId':
      case 'registeredAt':
      case 'runningTasksCount':
      case 'task:group':
        return { kind: word };
    }
    if (word.startsWith('attribute:')) {
      const name = word.slice('attribute:'.length);
      if (!ATTRIBUTE_NAME.test(name)) {
        throw new QueryError(
          start,
          `position ${start}: invalid attribute name ${JSON.stringify(name)}; expected 1-128 letters, numbers, hyphens, underscores, periods, forward or back slashes`,
        );
      }
      return { kind: 'attribute', name };
    }
    this.pos = start;
    return this.fail(`a subject (${SUBJECT_LIST})`);
  }

  private operator(): QueryOperator {
    for (const sym of ['==', '!=', '>=', '<=', '=~', '!~', '>', '<'] as const) {
      if (!this.symbol(sym)) continue;
      // `===`, `=>`, `<>`... are no operators: never read the rest as the value.
      if (/[=!<>~]/.test(this.src[this.pos] ?? '')) {
        const at = this.pos - sym.length;
        throw new QueryError(
          at,
          `position ${at}: invalid operator ${JSON.stringify(sym + this.src.slice(this.pos).split(/[^=!<>~]/)[0])}; expected one of ${OPERATOR_LIST}`,
        );
      }
      return sym;
    }
    if (this.src.startsWith('!exists', this.pos) && this.boundary(this.pos + 7)) {
      this.pos += 7;
      return '!exists';
    }
    if (this.src.startsWith('!in', this.pos) && this.boundary(this.pos + 3)) {
      this.pos += 3;
      return '!in';
    }
    const start = this.pos;
    const word = this.read(/[A-Za-z_]/y);
    const op = WORD_OPERATORS[word.toLowerCase()];
    if (op !== undefined && Object.hasOwn(WORD_OPERATORS, word.toLowerCase())) return op;
    this.pos = start;
    return this.fail(`an operator (${OPERATOR_LIST})`);
  }

  private list(subject: QuerySubject): QueryValue[] {
    this.ws();
    const open = this.src[this.pos];
    if (open !== '[' && open !== '(') this.fail("an argument list such as '[a, b]'");
    this.pos++;
    const close = open === '[' ? ']' : ')';
    const values: QueryValue[] = [];
    for (;;) {
      this.ws();
      values.push(this.value(subject, 'in', true));
      this.ws();
      if (this.symbol(',')) continue;
      if (this.symbol(close)) return values;
      this.fail(`',' or '${close}'`);
    }
  }

  private value(subject: QuerySubject, op: QueryOperator, inList: boolean): QueryValue {
    const start = this.pos;
    const quote = this.src[this.pos];
    let text: string;
    let quoted = false;
    if (quote === "'" || quote === '"') {
      quoted = true;
      text = this.quoted(quote);
    } else {
      text = this.bare(inList);
      if (text === '') this.fail('a value');
      // A bare value never starts with an operator character (`== =x`): quote it if meant.
      if (/^[=!<>~]/.test(text)) {
        this.pos = start;
        this.fail('a value (quote a value that starts with =, !, <, > or ~)');
      }
    }
    return compileValue(subject, op, text, quoted, start);
  }

  private quoted(quote: string): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos++]!;
      if (c === quote) return out;
      if (c === '\\' && (this.src[this.pos] === quote || this.src[this.pos] === '\\')) {
        out += this.src[this.pos++];
      } else {
        out += c;
      }
    }
    throw new QueryError(start, `position ${start}: unterminated quoted value`);
  }

  /** A bare value runs to whitespace, ')' / ']' / ',' (in lists), or '&&' / '||'. */
  private bare(inList: boolean): string {
    const start = this.pos;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (/\s/.test(c) || c === ')' || c === "'" || c === '"') break;
      if (inList && (c === ',' || c === ']')) break;
      if ((c === '&' || c === '|') && this.src[this.pos + 1] === c) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  private keyword(word: string): boolean {
    this.ws();
    const s = this.src.slice(this.pos, this.pos + word.length);
    if (s.toLowerCase() !== word) return false;
    const next = this.src[this.pos + word.length];
    if (next !== undefined && !/[\s(]/.test(next)) return false;
    this.pos += word.length;
    return true;
  }

  private symbol(sym: string): boolean {
    this.ws();
    if (!this.src.startsWith(sym, this.pos)) return false;
    // '!' alone is "not": never the start of != / !~ / !in / !exists.
    if (sym === '!' && /^(=|~|in\b|exists\b)/.test(this.src.slice(this.pos + 1))) return false;
    this.pos += sym.length;
    return true;
  }

  private boundary(at: number): boolean {
    const c = this.src[at];
    return c === undefined || /[\s([]/.test(c);
  }

  private read(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.src.length) {
      re.lastIndex = this.pos;
      if (!re.test(this.src)) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private fail(expected: string): never {
    const found =
      this.pos >= this.src.length
        ? 'the end of the expression'
        : JSON.stringify(this.src.slice(this.pos, this.pos + 12));
    throw new QueryError(this.pos, `position ${this.pos}: expected ${expected}, found ${found}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof RegExp)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
