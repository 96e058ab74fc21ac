import t from 'tap';
import { chunk, toConsulOp, parseTxnResults, parseTxnErrors, MAX_TXN_OPS } from '../src/index.js';

t.test('chunk: batches of at most 64', async (t) => {
  const cases: { name: string; input: number; want: number[] }[] = [
    { name: 'empty', input: 0, want: [] },
    { name: 'one', input: 1, want: [1] },
    { name: 'exactly 64', input: 64, want: [64] },
    { name: '65', input: 65, want: [64, 1] },
    { name: '150', input: 150, want: [64, 64, 22] },
  ];
  for (const c of cases) {
    const items = Array.from({ length: c.input }, (_, i) => i);
    const got = chunk(items, MAX_TXN_OPS);
    t.strictSame(
      got.map((b) => b.length),
      c.want,
      c.name,
    );
    t.strictSame(got.flat(), items, `${c.name}: order kept`);
  }
  t.throws(() => chunk([1], 0), RangeError);
});

t.test('toConsulOp', async (t) => {
  const cases: { name: string; input: Parameters<typeof toConsulOp>[0]; want: unknown }[] = [
    {
      name: 'set',
      input: { verb: 'set', key: 'a/b', value: 'hi', flags: 3 },
      want: { KV: { Verb: 'set', Key: 'a/b', Value: 'aGk=', Flags: 3 } },
    },
    {
      name: 'cas',
      input: { verb: 'cas', key: 'k', value: Buffer.from([0, 255]), index: 12 },
      want: { KV: { Verb: 'cas', Key: 'k', Value: 'AP8=', Index: 12 } },
    },
    {
      name: 'delete',
      input: { verb: 'delete', key: 'k' },
      want: { KV: { Verb: 'delete', Key: 'k' } },
    },
    {
      name: 'lock',
      input: { verb: 'lock', key: 'k', value: '', session: 's1' },
      want: { KV: { Verb: 'lock', Key: 'k', Value: '', Session: 's1' } },
    },
  ];
  for (const c of cases) t.strictSame(toConsulOp(c.input), c.want, c.name);
});

t.test('parse results and errors', async (t) => {
  const body = {
    Results: [
      { KV: { LockIndex: 0, Key: 'a', Flags: 0, Value: null, CreateIndex: 5, ModifyIndex: 5 } },
      {
        KV: {
          LockIndex: 1,
          Key: 'b',
          Flags: 2,
          Value: 'eA==',
          Session: 's',
          CreateIndex: 3,
          ModifyIndex: 6,
        },
      },
    ],
    Errors: null,
  };
  t.strictSame(parseTxnResults(body), [
    {
      key: 'a',
      value: null,
      flags: 0,
      lockIndex: 0,
      session: undefined,
      createIndex: 5,
      modifyIndex: 5,
    },
    { key: 'b', value: 'x', flags: 2, lockIndex: 1, session: 's', createIndex: 3, modifyIndex: 6 },
  ]);
  t.strictSame(
    parseTxnErrors(
      { Results: null, Errors: [{ OpIndex: 3, What: 'failed to set key "k", index is stale' }] },
      128,
    ),
    [{ opIndex: 131, what: 'failed to set key "k", index is stale' }],
    'opIndex shifted to the caller numbering',
  );
  t.strictSame(parseTxnErrors(null, 64), [{ opIndex: 64, what: 'transaction rolled back' }]);
});
