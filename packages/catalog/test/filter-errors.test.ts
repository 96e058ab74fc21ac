// Bad filter expressions: each must throw FilterError naming the position and what was expected.
import t from 'tap';
import { compileFilter, FilterError, parseFilter } from '../src/core/filter/index.js';

const cases: { name: string; input: string; want: { position: number; message: RegExp } }[] = [
  { name: 'empty', input: '', want: { position: 1, message: /expected an expression/ } },
  { name: 'only spaces', input: '   ', want: { position: 4, message: /expected an expression/ } },
  {
    name: 'selector without operator',
    input: 'Service.Name',
    want: { position: 13, message: /expected an operator .*found the end/ },
  },
  {
    name: 'unknown operator',
    input: 'Service.Name = web',
    want: { position: 14, message: /expected an operator \(==, !=, in/ },
  },
  {
    name: 'unknown word operator',
    input: 'Service.Name like web',
    want: { position: 14, message: /expected an operator.*found "like"/ },
  },
  {
    name: 'missing value',
    input: 'Service.Name ==',
    want: { position: 16, message: /expected a value/ },
  },
  {
    name: 'unterminated string',
    input: 'Service.Name == "web',
    want: { position: 17, message: /unterminated string literal/ },
  },
  {
    name: 'unterminated raw string',
    input: 'Service.Name == `web',
    want: { position: 17, message: /unterminated string literal/ },
  },
  {
    name: 'bad escape',
    input: 'Service.Name == "a\\qb"',
    want: { position: 19, message: /invalid escape sequence/ },
  },
  {
    name: 'unbalanced open parenthesis',
    input: '(Service.Name == web',
    want: { position: 21, message: /expected "\)" to close the "\(" at position 1/ },
  },
  {
    name: 'stray close parenthesis',
    input: 'Service.Name == web)',
    want: { position: 20, message: /expected "and", "or" or the end/ },
  },
  {
    name: 'dangling and',
    input: 'Service.Name == web and',
    want: { position: 24, message: /expected a selector or a value/ },
  },
  {
    name: 'two expressions without and/or',
    input: 'a == b c == d',
    want: { position: 8, message: /expected "and", "or" or the end.*"c"/ },
  },
  {
    name: 'is without empty',
    input: 'Service.Tags is full',
    want: { position: 17, message: /expected "empty" or "not empty"/ },
  },
  {
    name: 'not followed by nonsense',
    input: 'Service.Tags not has x',
    want: { position: 18, message: /expected "in", "contains" or "matches" after "not"/ },
  },
  {
    name: 'literal without in',
    input: '"v1" == Service.Tags',
    want: { position: 6, message: /expected "in" or "not in" after a value/ },
  },
  {
    name: 'in without selector',
    input: '"v1" in "x"',
    want: { position: 9, message: /expected a selector after "in"/ },
  },
  {
    name: 'bad number',
    input: 'Service.Port == 12ab',
    want: { position: 17, message: /invalid number literal "12a"/ },
  },
  {
    name: 'bad index',
    input: 'Meta[env] == x',
    want: { position: 6, message: /expected a quoted key inside/ },
  },
  {
    name: 'unclosed index',
    input: 'Meta["env" == x',
    want: { position: 12, message: /expected "\]" to close the index/ },
  },
  {
    name: 'dot without field',
    input: 'Meta. == x',
    want: { position: 6, message: /expected a field name or an index after "\."/ },
  },
  {
    name: 'bad regular expression',
    input: 'Service.Name matches "("',
    want: { position: 1, message: /invalid regular expression "\("/ },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const err = t.throws(() => compileFilter(c.input));
    t.ok(err instanceof FilterError, 'is a FilterError');
    if (!(err instanceof FilterError)) return;
    t.equal(err.code, 'BERTH_CATALOG_FILTER');
    t.equal(err.position, c.want.position, 'position');
    t.match(err.message, c.want.message);
    t.match(err.message, `at position ${c.want.position}:`);
    t.equal(err.expression, c.input);
  });
}

t.test('the parse tree of a compound expression', async (t) => {
  t.same(parseFilter('not v1 in Service.Tags or Meta["a b"] is not empty and X.0 == `1`'), {
    kind: 'or',
    left: {
      kind: 'not',
      operand: {
        kind: 'match',
        selector: [
          { kind: 'field', name: 'Service' },
          { kind: 'field', name: 'Tags' },
        ],
        operator: 'in',
        value: { raw: 'v1', form: 'word' },
      },
    },
    right: {
      kind: 'and',
      left: {
        kind: 'match',
        selector: [
          { kind: 'field', name: 'Meta' },
          { kind: 'field', name: 'a b' },
        ],
        operator: 'is not empty',
      },
      right: {
        kind: 'match',
        selector: [
          { kind: 'field', name: 'X' },
          { kind: 'index', index: 0 },
        ],
        operator: '==',
        value: { raw: '1', form: 'string' },
      },
    },
  });
});
