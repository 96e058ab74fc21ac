import t from 'tap';
import { diffLines, formatDiff, instanceToLine, type ServiceInstance } from '../src/index.js';

const base: ServiceInstance = {
  id: 'h:c:80',
  service: 'web',
  node: 'n1',
  nodeAddress: '127.0.0.2',
  address: '127.0.0.2',
  port: 31000,
  tags: ['urlprefix-/web strip=/web'],
  meta: { b: '2', a: '1 %' },
  checks: [
    { id: 'serfHealth', name: 'Serf', status: 'passing', serviceId: '', output: 'changes often' },
  ],
  status: 'passing',
  maintenance: false,
  modifyIndex: 9,
};

t.test('instanceToLine', async (t) => {
  const cases: { name: string; input: Partial<ServiceInstance>; want: string }[] = [
    {
      name: 'escapes spaces and % so the line stays splittable; meta keys sorted',
      input: {},
      want:
        'web h:c:80 node=n1 addr=127.0.0.2:31000 status=passing maint=0 ' +
        'tags=["urlprefix-/web%20strip=/web"] meta={"a":"1%20%25","b":"2"} checks=serfHealth:passing',
    },
    {
      name: 'newline in an id',
      input: { id: 'a\nb', tags: [], meta: {}, checks: [] },
      want: 'web a%0Ab node=n1 addr=127.0.0.2:31000 status=passing maint=0 tags=[] meta={} checks=',
    },
  ];
  for (const c of cases) {
    const line = instanceToLine({ ...base, ...c.input });
    t.equal(line, c.want, c.name);
    t.notMatch(line, /\n/, 'one line');
  }
  t.equal(
    instanceToLine({ ...base, checks: [{ ...base.checks[0]!, output: 'other' }] }),
    instanceToLine(base),
    'check output is not part of the canonical form',
  );
});

t.test('diffLines', async (t) => {
  const cases: {
    name: string;
    input: [string[], string[]];
    want: { added: string[]; removed: string[] };
  }[] = [
    {
      name: 'identical',
      input: [
        ['a', 'b'],
        ['b', 'a'],
      ],
      want: { added: [], removed: [] },
    },
    { name: 'added', input: [['a'], ['a', 'c', 'b']], want: { added: ['b', 'c'], removed: [] } },
    { name: 'removed', input: [['a', 'b'], []], want: { added: [], removed: ['a', 'b'] } },
    {
      name: 'changed line',
      input: [['web x port=1'], ['web x port=2']],
      want: { added: ['web x port=2'], removed: ['web x port=1'] },
    },
  ];
  for (const c of cases) t.strictSame(diffLines(...c.input), c.want, c.name);
  t.equal(formatDiff({ added: ['n'], removed: ['o'] }), '- o\n+ n');
});
