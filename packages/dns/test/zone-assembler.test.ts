/**
 * ZoneAssembler with plain entries: which fragment wins a shared name, and counted claims
 * (empty non-terminals, PTR targets, addr names) that live while any fragment holds them.
 */
import t from 'tap';
import { ZoneAssembler, type EntryMakers, type Fragment } from '@berth/dns';

type E = string;
const makers: EntryMakers<E> = {
  empty: (domain) => `NODATA/${domain}`,
  ptr: (targets) => `PTR ${targets.join(',')}`,
  addr: (address) => [[`${address}.addr`, `A ${address}`]],
};

function frag(
  f: Partial<{
    names: Record<string, E>;
    empties: string[];
    ptr: [string, string][];
    addrs: string[];
  }>,
): Fragment<E> {
  return {
    names: new Map(Object.entries(f.names ?? {})),
    empties: new Map((f.empties ?? []).map((n) => [n, 0])),
    ptr: f.ptr ?? [],
    addrs: f.addrs ?? [],
  };
}

/** Applies steps and returns the resolved view after each. */
function run(steps: [string, Fragment<E> | undefined][][]): Record<string, E>[] {
  const a = new ZoneAssembler<E>(makers);
  const view = new Map<string, E>();
  return steps.map((step) => {
    for (const [owner, f] of step) a.replace(owner, f);
    a.flush((name, e) => (e === undefined ? view.delete(name) : view.set(name, e)));
    return Object.fromEntries([...view].sort(([x], [y]) => (x < y ? -1 : 1)));
  });
}

const cases: {
  name: string;
  input: [string, Fragment<E> | undefined][][];
  want: Record<string, E>[];
}[] = [
  {
    name: 'the smallest owner wins a shared name, the other takes over when it leaves',
    input: [
      [
        ['2b', frag({ names: { x: 'from b' } })],
        ['2a', frag({ names: { x: 'from a' } })],
      ],
      [['2a', undefined]],
      [['2b', undefined]],
    ],
    want: [{ x: 'from a' }, { x: 'from b' }, {}],
  },
  {
    name: 'an empty non-terminal lives while any fragment claims it; a real name beats it',
    input: [
      [
        ['2a', frag({ empties: ['_v1.service'] })],
        ['2b', frag({ empties: ['_v1.service'] })],
      ],
      [['2a', undefined]],
      [['2c', frag({ names: { '_v1.service': 'service _v1' } })]],
      [['2c', undefined]],
      [['2b', frag({})]],
    ],
    want: [
      { '_v1.service': 'NODATA/0' },
      { '_v1.service': 'NODATA/0' },
      { '_v1.service': 'service _v1' },
      { '_v1.service': 'NODATA/0' },
      {},
    ],
  },
  {
    name: 'PTR targets merge across fragments and are counted',
    input: [
      [
        ['1', frag({ ptr: [['2.0.0.127.in-addr.arpa', 'node1.node']] })],
        ['2web', frag({ ptr: [['2.0.0.127.in-addr.arpa', 'web.service']] })],
        ['2api', frag({ ptr: [['2.0.0.127.in-addr.arpa', 'web.service']] })],
      ],
      [['2web', undefined]],
      [['1', frag({})]],
      [['2api', undefined]],
    ],
    want: [
      { '2.0.0.127.in-addr.arpa': 'PTR node1.node,web.service' },
      { '2.0.0.127.in-addr.arpa': 'PTR node1.node,web.service' },
      { '2.0.0.127.in-addr.arpa': 'PTR web.service' },
      {},
    ],
  },
  {
    name: 'addr names live while any fragment uses the address',
    input: [
      [
        ['2a', frag({ addrs: ['127.0.0.7'] })],
        ['2b', frag({ addrs: ['127.0.0.7'] })],
      ],
      [['2a', frag({})]],
      [['2b', undefined]],
    ],
    want: [{ '127.0.0.7.addr': 'A 127.0.0.7' }, { '127.0.0.7.addr': 'A 127.0.0.7' }, {}],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.strictSame(run(c.input), c.want);
  });
}

t.test('flush reports only names touched since the last flush', async (t) => {
  const a = new ZoneAssembler<E>(makers);
  a.replace('2a', frag({ names: { x: '1', y: '2' } }));
  a.replace('2b', frag({ names: { z: '3' } }));
  t.strictSame(a.flush(() => {}).sort(), ['x', 'y', 'z']);
  a.replace('2b', frag({ names: { z: '4' } }));
  t.strictSame(
    a.flush(() => {}),
    ['z'],
  );
  t.strictSame(
    a.flush(() => {}),
    [],
    'nothing since',
  );
  const same = a.fragment('2a');
  if (same) a.replace('2a', same);
  t.strictSame(
    a.flush(() => {}),
    [],
    'the same fragment again is no change',
  );
});
