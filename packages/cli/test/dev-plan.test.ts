import t from 'tap';
import { devPlan, hostIp } from '../src/dev/dev-plan.js';
import { plannedPorts } from '../src/dev/port-check.js';

const base = {
  portOffset: 0,
  agentsDir: '/tmp/agents',
  credentialsFile: '/tmp/credentials',
  region: 'us-east-1',
  agentGrace: '30s',
  lostAfter: '2m',
};

const flag = (args: readonly string[], name: string): string | undefined =>
  args[args.indexOf(name) + 1];

t.test('host addresses', async (t) => {
  const cases = [
    { name: 'one host uses 127.0.0.1', input: [1, 1], want: '127.0.0.1' },
    { name: 'first of three', input: [1, 3], want: '127.0.0.2' },
    { name: 'third of three', input: [3, 3], want: '127.0.0.4' },
  ] as const;
  for (const c of cases) t.equal(hostIp(c.input[0], c.input[1]), c.want, c.name);
});

t.test('one host: default ports, unprefixed labels', async (t) => {
  const plan = devPlan({ ...base, hosts: 1 });
  t.equal(plan.name, 'dev-8500');
  t.equal(plan.scheduler, 'http://127.0.0.1:8700');
  t.same(
    plan.children.map((c) => c.label),
    ['catalog', 'scheduler', 'agent', 'registrator', 'dns', 'router', 'console'],
  );
  const agent = plan.children[2]!.args;
  t.equal(flag(agent, '--listen'), '127.0.0.1:51678', 'the ECS introspection port');
  t.equal(flag(agent, '--instance-id'), 'dev-8500-h1');
  t.equal(flag(agent, '--host-ip'), '127.0.0.1');
  const registrator = plan.children[3]!.args;
  t.equal(flag(registrator, '--label-filter'), 'berth.instance-id=dev-8500-h1');
  t.equal(flag(registrator, '--hostname'), 'dev-8500-h1');
  t.equal(flag(plan.children[4]!.args, '--listen'), '127.0.0.1:8600');
  t.equal(flag(plan.children[5]!.args, '--proxy'), '127.0.0.1:9999');
  t.notOk(plan.children[0]!.args.includes('--data-dir'), 'catalog in memory');
  const catalogArgs = plan.children[0]!.args;
  t.ok(catalogArgs.includes('--acl-enabled'), 'catalog ACLs on (issue 17)');
  t.equal(flag(catalogArgs, '--acl-default-policy'), 'deny', 'deny by default');
  t.notOk(catalogArgs.includes('--acl-enable-token-persistence'), 'nothing to persist to');
  for (const c of plan.children) {
    t.notOk(
      c.args.some((a) => /token|secret|initial-management/i.test(a)),
      `no token on the ${c.label} command line`,
    );
  }
  const consoleArgs = plan.children[6]!.args;
  t.equal(plan.console, 'http://127.0.0.1:8710');
  t.equal(flag(consoleArgs, '--listen'), '127.0.0.1:8710');
  t.equal(flag(consoleArgs, '--agent-port'), '51678');
  t.equal(flag(consoleArgs, '--router-port'), '9998');
  t.equal(flag(consoleArgs, '--dns'), '127.0.0.1:8600');
});

t.test('three hosts with an offset and a data dir', async (t) => {
  const plan = devPlan({ ...base, hosts: 3, portOffset: 100, catalogDataDir: '/d/catalog' });
  t.equal(plan.children.length, 2 + 3 * 4 + 1, 'catalog, scheduler, 4 per host, console');
  t.equal(flag(plan.children[0]!.args, '--data-dir'), '/d/catalog');
  t.ok(plan.children[0]!.args.includes('--acl-enable-token-persistence'), 'durable agent tokens');
  t.same(
    plan.hosts.map((h) => [h.name, h.ip, h.instanceId]),
    [
      ['h1', '127.0.0.2', 'dev-8600-h1'],
      ['h2', '127.0.0.3', 'dev-8600-h2'],
      ['h3', '127.0.0.4', 'dev-8600-h3'],
    ],
  );
  const labels = plan.children.map((c) => c.label);
  t.ok(labels.includes('agent@h3') && labels.includes('router@h2'), 'labels name the host');
  const agent3 = plan.children.find((c) => c.label === 'agent@h3')!.args;
  t.equal(flag(agent3, '--listen'), '127.0.0.4:8803', 'agent port moves below the ephemeral range');
  t.equal(flag(agent3, '--data-dir'), '/tmp/agents/h3');
  t.equal(flag(agent3, '--advertise-ip'), '127.0.0.4');
  const reserved = flag(agent3, '--reserved-ports')!.split(',').map(Number);
  t.ok(reserved.includes(8600) && reserved.includes(10099), 'berth ports reserved for tasks');
  const dns2 = plan.children.find((c) => c.label === 'dns@h2')!;
  t.equal(flag(dns2.args, '--listen'), '127.0.0.3:8700');
  t.equal(dns2.readyUrl, 'http://127.0.0.3:8701/health');
  for (const c of plan.children) {
    for (const a of c.args) {
      if (/^\d+\.\d+\.\d+\.\d+/.test(a)) t.match(a, /^127\./, `${c.label} stays on loopback`);
    }
  }
});

t.test('host count is bounded', async (t) => {
  for (const hosts of [0, -1, 201, 1.5]) {
    t.throws(() => devPlan({ ...base, hosts }), RangeError, `hosts=${hosts}`);
  }
});

t.test('scheduler replicas (issue 15): each its own port, agents know them all', async (t) => {
  const plan = devPlan({ ...base, hosts: 2, schedulers: 2 });
  t.same(plan.schedulers, ['http://127.0.0.1:8700', 'http://127.0.0.1:8720']);
  t.same(
    plan.children.slice(0, 3).map((c) => c.label),
    ['catalog', 'scheduler', 'scheduler@2'],
  );
  const agent = plan.children.find((c) => c.label === 'agent@h1')!;
  t.equal(flag(agent.args, '--scheduler'), 'http://127.0.0.1:8700,http://127.0.0.1:8720');
  const router = plan.children.find((c) => c.label === 'router@h2')!;
  t.equal(
    flag(router.args, '--scheduler'),
    'http://127.0.0.1:8700,http://127.0.0.1:8720',
    'routers report requests per task to every replica (issue 21)',
  );
  t.match(flag(agent.args, '--reserved-ports'), /(^|,)8720(,|$)/);
  t.throws(() => devPlan({ ...base, hosts: 1, schedulers: 0 }), /--schedulers must be 1\.\.5/);
});

t.test(
  'no two daemons of a plan listen on one port (replica 2 was on the console’s 8710)',
  async (t) => {
    for (const schedulers of [1, 2, 5]) {
      for (const hosts of [1, 3]) {
        const ports = plannedPorts(devPlan({ ...base, hosts, schedulers }).children);
        const seen = new Map<string, string>();
        for (const p of ports) {
          const key = `${p.host}:${p.port}/${p.proto}`;
          t.notOk(
            seen.has(key),
            `${key}: ${p.label}${seen.has(key) ? ` and ${seen.get(key)}` : ''}`,
          );
          seen.set(key, p.label);
        }
      }
    }
  },
);
