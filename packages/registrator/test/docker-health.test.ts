// The Docker-health mirror check: the pure mapping (which services get it, its ID, name, TTL,
// the per-container switch) and the reconciler (a health flip is a check update, never a
// re-registration; a resync never resets it; a re-registration keeps the current status).
import { eventually } from '@berth/daemon/testing';
import t, { type Test } from 'tap';
import {
  type ContainerInfo,
  Registrator,
  type RegistratorOptions,
  containerFromInspect,
  containerToServices,
  dockerHealthCheckId,
  dockerHealthStatus,
} from '../src/index.js';
import { MemoryRegistry, MemoryRuntime } from '../src/testing/index.js';

const OPTS = { hostname: 'h1', hostIp: '127.0.0.2' };

function box(over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: '1',
    name: 'web',
    image: 'web:1',
    env: [],
    labels: {},
    ports: [{ port: 80, protocol: 'tcp', bindings: [{ hostIp: '', hostPort: 30001 }] }],
    ip: '',
    state: 'running',
    exitCode: 0,
    ...over,
  };
}

const MIRROR = {
  CheckID: 'service:h1:web:80:docker-health',
  Name: 'Docker health',
  TTL: '1h',
  Status: 'critical',
};

t.test('which services get the Docker-health check', async (t) => {
  const cases: {
    name: string;
    input: { container: Partial<ContainerInfo>; dockerHealth?: boolean };
    want: { checks: unknown[][]; warnings: string[] };
  }[] = [
    {
      name: 'no HEALTHCHECK: no mirror check',
      input: { container: {} },
      want: { checks: [[]], warnings: [] },
    },
    {
      name: 'HEALTHCHECK starting: mirror check, registered critical',
      input: { container: { health: 'starting' } },
      want: { checks: [[MIRROR]], warnings: [] },
    },
    {
      name: 'healthy: the registration is the same (status is not in it)',
      input: { container: { health: 'healthy' } },
      want: { checks: [[MIRROR]], warnings: [] },
    },
    {
      name: 'after any SERVICE_CHECK_* check',
      input: {
        container: {
          health: 'unhealthy',
          env: ['SERVICE_CHECK_HTTP=/health', 'SERVICE_CHECK_INTERVAL=1s'],
        },
      },
      want: {
        checks: [[{ HTTP: 'http://127.0.0.2:30001/health', Interval: '1s' }, MIRROR]],
        warnings: [],
      },
    },
    {
      name: 'SERVICE_CHECK_DOCKER_HEALTH=false turns it off (and is not Meta)',
      input: { container: { health: 'healthy', env: ['SERVICE_CHECK_DOCKER_HEALTH=false'] } },
      want: { checks: [[]], warnings: [] },
    },
    {
      name: 'per port: SERVICE_80_CHECK_DOCKER_HEALTH=false',
      input: {
        container: {
          health: 'healthy',
          labels: { SERVICE_80_CHECK_DOCKER_HEALTH: 'false' },
          ports: [
            { port: 80, protocol: 'tcp', bindings: [{ hostIp: '', hostPort: 30001 }] },
            { port: 81, protocol: 'tcp', bindings: [{ hostIp: '', hostPort: 30002 }] },
          ],
        },
      },
      want: {
        checks: [[], [{ ...MIRROR, CheckID: 'service:h1:web:81:docker-health' }]],
        warnings: [],
      },
    },
    {
      name: 'a bad value keeps the check and warns naming the key',
      input: { container: { health: 'healthy', env: ['SERVICE_CHECK_DOCKER_HEALTH=maybe'] } },
      want: { checks: [[MIRROR]], warnings: ['SERVICE_CHECK_DOCKER_HEALTH'] },
    },
    {
      name: '--docker-health=false turns it off for every container',
      input: { container: { health: 'healthy' }, dockerHealth: false },
      want: { checks: [[]], warnings: [] },
    },
    {
      name: 'a custom SERVICE_ID names the check',
      input: { container: { health: 'healthy', env: ['SERVICE_ID=web-a'] } },
      want: { checks: [[{ ...MIRROR, CheckID: 'service:web-a:docker-health' }]], warnings: [] },
    },
  ];
  for (const c of cases) {
    const { services, warnings } = containerToServices(box(c.input.container), {
      ...OPTS,
      ...(c.input.dockerHealth === undefined ? {} : { dockerHealth: c.input.dockerHealth }),
    });
    t.match(
      services.map((s) => s.checks),
      c.want.checks,
      c.name,
    );
    t.same(
      services.map((s) => s.checks.length),
      c.want.checks.map((x) => x.length),
      `${c.name}: check count`,
    );
    t.same(
      warnings.map((w) => w.key),
      c.want.warnings,
      `${c.name}: warnings`,
    );
    for (const s of services) t.notOk('check_docker_health' in s.meta, `${c.name}: not Meta`);
  }
});

t.test('Docker health → check status', async (t) => {
  const cases = [
    { name: 'healthy', input: 'healthy' as const, want: 'passing' },
    { name: 'unhealthy', input: 'unhealthy' as const, want: 'critical' },
    { name: 'starting', input: 'starting' as const, want: 'critical' },
    { name: 'unknown', input: undefined, want: 'critical' },
  ];
  for (const c of cases) t.equal(dockerHealthStatus(c.input).status, c.want, c.name);
  t.equal(dockerHealthCheckId('h1:web:80'), 'service:h1:web:80:docker-health');
});

t.test('inspect: State.Health.Status → health', async (t) => {
  const cases = [
    { name: 'no Health', input: { Status: 'running' }, want: undefined },
    {
      name: 'starting',
      input: { Status: 'running', Health: { Status: 'starting' } },
      want: 'starting',
    },
    {
      name: 'healthy',
      input: { Status: 'running', Health: { Status: 'healthy' } },
      want: 'healthy',
    },
    {
      name: 'unhealthy',
      input: { Status: 'running', Health: { Status: 'unhealthy' } },
      want: 'unhealthy',
    },
    { name: 'none', input: { Status: 'running', Health: { Status: 'none' } }, want: undefined },
  ];
  for (const c of cases)
    t.equal(containerFromInspect({ Id: 'x', State: c.input }).health, c.want, c.name);
});

const BASE: RegistratorOptions = {
  hostname: OPTS.hostname,
  ip: OPTS.hostIp,
  resync: 0,
  consulProbe: 0,
  retryInterval: 5,
  retryMaxMs: 20,
};

function setup(t: Test): { rt: MemoryRuntime; reg: MemoryRegistry; r: Registrator } {
  const rt = new MemoryRuntime();
  const reg = new MemoryRegistry();
  const r = new Registrator(BASE, rt, reg);
  r.start();
  t.teardown(() => r.close());
  return { rt, reg, r };
}

const ID = 'h1:web:80';
const CHECK = 'service:h1:web:80:docker-health';

t.test('the reconciler mirrors Docker health without re-registering', async (t) => {
  const { rt, reg, r } = setup(t);
  await r.synced;
  const status = (): string | undefined => reg.checks.get(CHECK)?.status;
  const ops = (): string[] => reg.writes.map((w) => `${w.op} ${w.id}`);

  rt.set(box({ health: 'starting' }));
  rt.emit('start', '1');
  await eventually('registered', () => reg.services.has(ID));
  t.equal(status(), 'critical', 'critical while starting');

  rt.set(box({ health: 'healthy' }));
  rt.emit('health_status', '1');
  await eventually('passing', () => status() === 'passing');

  rt.set(box({ health: 'unhealthy' }));
  rt.emit('health_status', '1');
  await eventually('critical', () => status() === 'critical');

  rt.set(box({ health: 'healthy' }));
  rt.emit('health_status', '1');
  await eventually('passing again', () => status() === 'passing');
  t.same(
    ops(),
    [`register ${ID}`, `check ${CHECK}`, `check ${CHECK}`, `check ${CHECK}`],
    'one registration, then check updates only',
  );

  const before = reg.writes.length;
  const reports: { registered: number; health: number; unchanged: number }[] = [];
  r.on('reconcile', (rep) => reports.push(rep));
  for (let i = 0; i < 3; i++) await r.requestReconcile('periodic');
  t.equal(reg.writes.length, before, 'a resync writes nothing');
  t.equal(status(), 'passing', 'and does not reset the check');
  t.match(reports, [
    { registered: 0, health: 0, unchanged: 1 },
    { registered: 0, health: 0, unchanged: 1 },
    { registered: 0, health: 0, unchanged: 1 },
  ]);

  // The check expired or was reset behind our back: the resync re-asserts it.
  await reg.updateCheck(CHECK, 'critical', 'TTL expired');
  await r.requestReconcile('periodic');
  t.equal(status(), 'passing', 'a resync re-asserts a status that drifted');

  // A registration change (new tag) re-registers with the current status: no critical blip.
  rt.set(box({ health: 'healthy', env: ['SERVICE_TAGS=v2'] }));
  const seen: string[] = [];
  const orig = reg.register.bind(reg);
  reg.register = async (s) => {
    seen.push(s.checks.find((c) => c.CheckID === CHECK)?.Status ?? '');
    return orig(s);
  };
  rt.emit('start', '1');
  await eventually(
    're-registered',
    () => reg.services.get(ID)?.service.tags.includes('v2') === true,
  );
  t.same(seen, ['passing'], 'registered straight as passing');
  t.equal(status(), 'passing');

  // Consul restarted without state: everything comes back with the current status.
  reg.wipe();
  await r.requestReconcile('registry-changed');
  t.equal(status(), 'passing', 'restored with its status after a Consul wipe');
});

t.test('a re-started registrator keeps the status Consul holds', async (t) => {
  const rt = new MemoryRuntime();
  const reg = new MemoryRegistry();
  rt.set(box({ health: 'healthy' }));
  const first = new Registrator(BASE, rt, reg);
  first.start();
  await first.synced;
  await first.close();
  t.equal(reg.checks.get(CHECK)?.status, 'passing');
  const before = reg.writes.filter((w) => w.op === 'register').length;
  const second = new Registrator(BASE, rt, reg);
  second.start();
  t.teardown(() => second.close());
  await second.synced;
  t.equal(
    reg.writes.filter((w) => w.op === 'register').length,
    before,
    'no re-registration by the new run',
  );
  t.equal(reg.checks.get(CHECK)?.status, 'passing', 'never reset to critical');
});
