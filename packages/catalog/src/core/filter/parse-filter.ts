/**
 * Parser for Consul's `filter` language (the go-bexpr subset Consul documents): selectors,
 * match operators, `and` / `or` / `not` and parentheses, into a small immutable AST.
 * It is pure text-in, tree-out: it must never look at the data being filtered, and every
 * syntax problem must come out as a FilterError naming the position and what was expected.
 */

import { FilterError } from './errors.js';
import { readStringLiteral } from './string-literal.js';

/** One step of a selector: `.Name`, `["key"]` or `.0`. */
export type SelectorSegment =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number };

/** A literal from the expression; bexpr keeps it raw and coerces it to the field's type. */
export interface FilterValue {
  readonly raw: string;
  /** How the literal was written: a quoted string, a number, or a bare word. */
  readonly form: 'string' | 'number' | 'word';
}

export type MatchOperator =
  | '=='
  | '!='
  | 'in'
  | 'not in'
  | 'contains'
  | 'not contains'
  | 'is empty'
  | 'is not empty'
  | 'matches'
  | 'not matches';

/** The parsed expression tree. */
export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | {
      readonly kind: 'match';
      readonly selector: readonly SelectorSegment[];
      readonly operator: MatchOperator;
      /** Absent for `is empty` / `is not empty`. */
      readonly value?: FilterValue;
    };

const OPERATORS_EXPECTED =
  'an operator (==, !=, in, not in, contains, not contains, is empty, is not empty, matches, not matches)';

const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_/]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): FilterNode {
    this.skipSpace();
    if (this.atEnd()) throw this.fail('expected an expression, found the end of the filter');
    const node = this.parseOr();
    this.skipSpace();
    if (!this.atEnd()) {
      throw this.fail(`expected "and", "or" or the end of the filter, found ${this.describe()}`);
    }
    return node;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.peekKeyword('or')) {
      this.consumeKeyword('or');
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseNot();
    while (this.peekKeyword('and')) {
      this.consumeKeyword('and');
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): FilterNode {
    this.skipSpace();
    if (this.wordAt(this.pos) === 'not') {
      this.pos += 3;
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterNode {
    this.skipSpace();
    if (this.src[this.pos] === '(') {
      const open = this.pos;
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.src[this.pos] !== ')') {
        throw this.fail(
          `expected ")" to close the "(" at position ${open + 1}, found ${this.describe()}`,
        );
      }
      this.pos++;
      return inner;
    }
    return this.parseMatch();
  }

  private parseMatch(): FilterNode {
    const c = this.src[this.pos];
    if (c === '"' || c === '`' || c === '-' || isDigit(c)) {
      // Only `<value> in <selector>` may start with a literal.
      const value = this.parseValue();
      return this.parseValueOpSelector(value);
    }
    if (!isIdentStart(c))
      throw this.fail(`expected a selector or a value, found ${this.describe()}`);
    const start = this.pos;
    const selector = this.parseSelector();
    const raw = this.src.slice(start, this.pos);
    this.skipSpace();
    const opStart = this.pos;
    if (this.src.startsWith('==', this.pos) || this.src.startsWith('!=', this.pos)) {
      const operator = this.src.startsWith('==', this.pos) ? '==' : '!=';
      this.pos += 2;
      return { kind: 'match', selector, operator, value: this.parseValue() };
    }
    const word = this.wordAt(this.pos);
    switch (word) {
      case 'is': {
        this.pos += 2;
        if (this.peekKeyword('empty')) {
          this.consumeKeyword('empty');
          return { kind: 'match', selector, operator: 'is empty' };
        }
        if (this.peekKeyword('not')) {
          this.consumeKeyword('not');
          if (this.peekKeyword('empty')) {
            this.consumeKeyword('empty');
            return { kind: 'match', selector, operator: 'is not empty' };
          }
        }
        this.skipSpace();
        throw this.fail(`expected "empty" or "not empty" after "is", found ${this.describe()}`);
      }
      case 'contains':
      case 'matches':
        this.pos += word.length;
        return { kind: 'match', selector, operator: word, value: this.parseValue() };
      case 'in':
        this.pos = opStart;
        return this.parseValueOpSelector({ raw, form: 'word' });
      case 'not': {
        this.pos += 3;
        this.skipSpace();
        const next = this.wordAt(this.pos);
        if (next === 'contains' || next === 'matches') {
          this.pos += next.length;
          return {
            kind: 'match',
            selector,
            operator: `not ${next}`,
            value: this.parseValue(),
          };
        }
        if (next === 'in') {
          this.pos = opStart;
          return this.parseValueOpSelector({ raw, form: 'word' });
        }
        throw this.fail(
          `expected "in", "contains" or "matches" after "not", found ${this.describe()}`,
        );
      }
      default:
        this.pos = opStart;
        throw this.fail(`expected ${OPERATORS_EXPECTED}, found ${this.describe()}`);
    }
  }

  private parseValueOpSelector(value: FilterValue): FilterNode {
    this.skipSpace();
    let operator: MatchOperator;
    if (this.wordAt(this.pos) === 'in') {
      this.pos += 2;
      operator = 'in';
    } else if (this.wordAt(this.pos) === 'not') {
      const save = this.pos;
      this.pos += 3;
      this.skipSpace();
      if (this.wordAt(this.pos) !== 'in') {
        this.pos = save;
        throw this.fail(`expected "in" or "not in" after a value, found ${this.describe()}`);
      }
      this.pos += 2;
      operator = 'not in';
    } else {
      throw this.fail(`expected "in" or "not in" after a value, found ${this.describe()}`);
    }
    this.skipSpace();
    if (!isIdentStart(this.src[this.pos])) {
      throw this.fail(`expected a selector after "${operator}", found ${this.describe()}`);
    }
    return { kind: 'match', selector: this.parseSelector(), operator, value };
  }

  private parseSelector(): SelectorSegment[] {
    const segments: SelectorSegment[] = [{ kind: 'field', name: this.parseIdentifier() }];
    for (;;) {
      const c = this.src[this.pos];
      if (c === '.') {
        this.pos++;
        if (isIdentStart(this.src[this.pos])) {
          segments.push({ kind: 'field', name: this.parseIdentifier() });
        } else if (isDigit(this.src[this.pos])) {
          const start = this.pos;
          while (isDigit(this.src[this.pos])) this.pos++;
          segments.push({ kind: 'index', index: Number(this.src.slice(start, this.pos)) });
        } else {
          throw this.fail(`expected a field name or an index after ".", found ${this.describe()}`);
        }
      } else if (c === '[') {
        this.pos++;
        this.skipSpace();
        const q = this.src[this.pos];
        if (q !== '"' && q !== '`') {
          throw this.fail(`expected a quoted key inside "[...]", found ${this.describe()}`);
        }
        const name = this.parseString();
        this.skipSpace();
        if (this.src[this.pos] !== ']') {
          throw this.fail(`expected "]" to close the index, found ${this.describe()}`);
        }
        this.pos++;
        segments.push({ kind: 'field', name });
      } else {
        return segments;
      }
    }
  }

  private parseIdentifier(): string {
    const start = this.pos;
    while (isIdentPart(this.src[this.pos])) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private parseValue(): FilterValue {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === '"' || c === '`') return { raw: this.parseString(), form: 'string' };
    if (c === '-' || isDigit(c)) return this.parseNumber();
    if (isIdentStart(c)) {
      const start = this.pos;
      this.parseSelector();
      return { raw: this.src.slice(start, this.pos), form: 'word' };
    }
    throw this.fail(
      `expected a value (a quoted string, a number or a word), found ${this.describe()}`,
    );
  }

  private parseNumber(): FilterValue {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/.exec(this.src.slice(this.pos));
    if (m === null) throw this.fail(`expected a number, found ${this.describe()}`);
    const end = this.pos + m[0].length;
    const after = this.src[end];
    if (after !== undefined && after !== ')' && !isSpace(after)) {
      throw this.fail(`invalid number literal "${this.src.slice(this.pos, end + 1)}"`);
    }
    this.pos = end;
    return { raw: m[0], form: 'number' };
  }

  private parseString(): string {
    const lit = readStringLiteral(this.src, this.pos);
    if (!lit.ok) {
      this.pos = lit.at;
      throw this.fail(lit.message);
    }
    this.pos = lit.end;
    return lit.value;
  }

  private skipSpace(): void {
    while (isSpace(this.src[this.pos])) this.pos++;
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** The whole identifier-like word starting at `at`, or '' when none starts there. */
  private wordAt(at: number): string {
    if (!isIdentStart(this.src[at])) return '';
    let end = at;
    while (isIdentPart(this.src[end])) end++;
    return this.src.slice(at, end);
  }

  private peekKeyword(word: string): boolean {
    let at = this.pos;
    while (isSpace(this.src[at])) at++;
    return this.wordAt(at) === word;
  }

  private consumeKeyword(word: string): void {
    this.skipSpace();
    this.pos += word.length;
  }

  private describe(): string {
    if (this.atEnd()) return 'the end of the filter';
    const word = this.wordAt(this.pos);
    if (word !== '') return `"${word}"`;
    return JSON.stringify(this.src.slice(this.pos, this.pos + 8));
  }

  private fail(message: string): FilterError {
    return new FilterError(this.src, this.pos + 1, message);
  }
}

/**
 * Parses a filter expression into its tree.
 * @throws FilterError when the expression is not valid; the message names the position.
 */
export function parseFilter(expression: string): FilterNode {
  return new Parser(expression).parse();
}
