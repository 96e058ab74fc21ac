// Issue 16: the registrator's diff as a pure planWrites(known, desired) → writes, table-driven
// (no Docker, no Consul, no clock).
import t from 'tap';
import {
  DOCKER_HEALTH_TTL,
  type Desired,
  type DesiredService,
  type KnownService,
  type ServiceRegistration,
  applyWrite,
  dockerHealthCheck,
  dockerHealthCheckId,
  planWrites,
  withOwnership,
} from '../src/index.js';

const NOW = 10_000_000;
const HALF_TTL = 1_800_000;

function reg(id: string, port = 80, withCheck = false): ServiceRegistration {
  return {
    id,
    name: 'web',
    address: '127.0.0.2',
    port,
    tags: [],
    meta: {},
    checks: withCheck ? [dockerHealthCheck(id)] : [],
  };
}

function want(
  id: string,
  over: { port?: number; paused?: boolean; health?: 'passing' | 'critical' } = {},
): DesiredService {
  const r = reg(id, over.port, over.health !== undefined);
  const health = over.health && {
    checkId: dockerHealthCheckId(id),
    status: over.health,
    output: '',
  };
  return withOwnership(r, 'h1', 'c1', over.paused ?? false, health);
}

function known(d: DesiredService, over: Partial<KnownService> = {}): [string, KnownService] {
  return [d.registration.id, { containerId: 'c1', hash: d.hash, maintenance: false, ...over }];
}

const A = want('h1:a:80');
const A2 = want('h1:a:80', { port: 81 });
const B = want('h1:b:80');
const AP = want('h1:a:80', { paused: true });
const AH = want('h1:a:80', { health: 'passing' });
const AHc = want('h1:a:80', { health: 'critical' });

/** Writes in a readable notation: `register h1:a:80`, `check ...=passing`, `maintenance on`. */
function notation(
  k: [string, KnownService][],
  services: Desired,
  resync = false,
  containerId = 'c1',
): { writes: string[]; unchanged: number } {
  const plan = planWrites(new Map(k), { containerId, services }, { now: NOW, resync });
  return {
    writes: plan.writes.map((w) => {
      if (w.op === 'check') return `check ${w.checkId}=${w.status}`;
      if (w.op === 'maintenance') return `maintenance ${w.id} ${w.enable ? 'on' : 'off'}`;
      return `${w.op} ${w.id}`;
    }),
    unchanged: plan.unchanged,
  };
}

t.test('planWrites', async (t) => {
  const cases: {
    name: string;
    input: {
      known: [string, KnownService][];
      desired: Desired;
      resync?: boolean;
      container?: string;
    };
    want: { writes: string[]; unchanged: number };
  }[] = [
    {
      name: 'new container: register',
      input: { known: [], desired: [A] },
      want: { writes: ['register h1:a:80'], unchanged: 0 },
    },
    {
      name: 'unchanged: nothing',
      input: { known: [known(A)], desired: [A] },
      want: { writes: [], unchanged: 1 },
    },
    {
      name: 'changed registration: re-register (no deregister first)',
      input: { known: [known(A)], desired: [A2] },
      want: { writes: ['register h1:a:80'], unchanged: 0 },
    },
    {
      name: 'edited behind our back (empty hash): re-register',
      input: { known: [known(A, { hash: '' })], desired: [A] },
      want: { writes: ['register h1:a:80'], unchanged: 0 },
    },
    {
      name: 'renamed: removals first, then the new ID',
      input: { known: [known(A)], desired: [B] },
      want: { writes: ['deregister h1:a:80', 'register h1:b:80'], unchanged: 0 },
    },
    {
      name: 'stopped: deregister all of it',
      input: { known: [known(A), known(B)], desired: [] },
      want: { writes: ['deregister h1:a:80', 'deregister h1:b:80'], unchanged: 0 },
    },
    {
      name: "never another container's services",
      input: { known: [known(A, { containerId: 'c2' })], desired: [] },
      want: { writes: [], unchanged: 0 },
    },
    {
      name: "'keep': nothing written, its services counted unchanged",
      input: { known: [known(A), known(B, { containerId: 'c2' })], desired: 'keep' },
      want: { writes: [], unchanged: 1 },
    },
    {
      name: 'paused: maintenance on, no re-registration',
      input: { known: [known(A)], desired: [AP] },
      want: { writes: ['maintenance h1:a:80 on'], unchanged: 1 },
    },
    {
      name: 'new paused container: register, then maintenance on',
      input: { known: [], desired: [AP] },
      want: { writes: ['register h1:a:80', 'maintenance h1:a:80 on'], unchanged: 0 },
    },
    {
      name: 'still paused: nothing',
      input: { known: [known(AP, { maintenance: true })], desired: [AP] },
      want: { writes: [], unchanged: 1 },
    },
    {
      name: 'unpaused (same registration): maintenance off only',
      input: { known: [known(A, { maintenance: true })], desired: [A] },
      want: { writes: ['maintenance h1:a:80 off'], unchanged: 1 },
    },
    {
      name: 'a re-registration while in maintenance sets it off explicitly',
      input: { known: [known(A, { maintenance: true })], desired: [A2] },
      want: { writes: ['register h1:a:80', 'maintenance h1:a:80 off'], unchanged: 0 },
    },
    {
      name: 'first registration carries the health status: no separate check write',
      input: { known: [], desired: [AH] },
      want: { writes: ['register h1:a:80'], unchanged: 0 },
    },
    {
      name: 'health flip: a check update, never a re-registration',
      input: { known: [known(AH, { health: 'passing', healthAt: NOW })], desired: [AHc] },
      want: { writes: ['check service:h1:a:80:docker-health=critical'], unchanged: 1 },
    },
    {
      name: 'event with the same health: nothing',
      input: { known: [known(AH, { health: 'passing', healthAt: 1 })], desired: [AH] },
      want: { writes: [], unchanged: 1 },
    },
    {
      name: 'resync re-asserts a mirror check older than half its TTL',
      input: {
        known: [known(AH, { health: 'passing', healthAt: NOW - HALF_TTL - 1 })],
        desired: [AH],
        resync: true,
      },
      want: { writes: ['check service:h1:a:80:docker-health=passing'], unchanged: 1 },
    },
    {
      name: 'resync leaves a fresh mirror check alone',
      input: {
        known: [known(AH, { health: 'passing', healthAt: NOW - HALF_TTL + 1 })],
        desired: [AH],
        resync: true,
      },
      want: { writes: [], unchanged: 1 },
    },
  ];
  t.equal(DOCKER_HEALTH_TTL, '1h', 'HALF_TTL above is half of it');
  for (const c of cases) {
    t.same(
      notation(c.input.known, c.input.desired, c.input.resync, c.input.container),
      c.want,
      c.name,
    );
  }
});

t.test('applyWrite: what is known after each write', async (t) => {
  const reg1 = applyWrite(
    undefined,
    planWrites(new Map(), { containerId: 'c1', services: [AH] }, { now: NOW, resync: false })
      .writes[0]!,
    NOW,
  );
  t.same(reg1, {
    containerId: 'c1',
    hash: AH.hash,
    maintenance: false,
    health: 'passing',
    healthAt: NOW,
  });
  t.same(
    applyWrite(
      reg1,
      { op: 'check', id: 'h1:a:80', checkId: 'x', status: 'critical', output: '' },
      NOW + 1,
    ),
    { ...reg1, health: 'critical', healthAt: NOW + 1 },
  );
  t.same(applyWrite(reg1, { op: 'maintenance', id: 'h1:a:80', enable: true }, NOW), {
    ...reg1,
    maintenance: true,
  });
  t.equal(applyWrite(reg1, { op: 'deregister', id: 'h1:a:80' }, NOW), undefined);
  t.equal(applyWrite(undefined, { op: 'maintenance', id: 'x', enable: true }, NOW), undefined);
});

t.test(
  'a plan applied in order reaches the desired state: planning again writes nothing',
  async (t) => {
    const states: [string, KnownService][][] = [
      [],
      [known(A)],
      [known(A, { maintenance: true })],
      [known(AH, { health: 'critical', healthAt: 0 })],
    ];
    const targets: Desired[] = [[A], [B], [AP], [AH], [A2, B], []];
    for (const [i, start] of states.entries()) {
      for (const [j, services] of targets.entries()) {
        const k = new Map(start);
        for (const w of planWrites(k, { containerId: 'c1', services }, { now: NOW, resync: false })
          .writes) {
          const next = applyWrite(k.get(w.id), w, NOW);
          if (next) k.set(w.id, next);
          else k.delete(w.id);
        }
        const again = planWrites(k, { containerId: 'c1', services }, { now: NOW, resync: false });
        t.same(again.writes, [], `state ${i} → target ${j}`);
      }
    }
  },
);
