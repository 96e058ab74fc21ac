import t from 'tap';
import { nextIndex, type IndexStep } from '../src/index.js';

const cases: { name: string; input: [bigint, bigint | undefined]; want: IndexStep['kind'] }[] = [
  { name: 'missing header is an error', input: [0n, undefined], want: 'error' },
  { name: 'index 0 is an error', input: [5n, 0n], want: 'error' },
  { name: 'first answer is a change', input: [0n, 7n], want: 'change' },
  { name: 'higher index is a change', input: [7n, 9n], want: 'change' },
  { name: 'same index after timeout', input: [9n, 9n], want: 'same' },
  { name: 'lower index resets', input: [900n, 3n], want: 'reset' },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    const got = nextIndex(...c.input);
    t.equal(got.kind, c.want);
    if (got.kind === 'reset') t.equal(got.next, 0n, 'reset asks again from 0');
    if (got.kind === 'change') t.equal(got.next, c.input[1]);
  });
}
