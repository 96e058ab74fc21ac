// The flags of `berth agent` (src/daemon/options.ts): defaults, each flag's conversion, and
// bad values stopping the daemon with a message naming the flag. The config goes to startAgent
// as it is (its keys are the engine's); what the engine runs on is resolveAgentOptions of it.
import t from 'tap';
import { loadConfig } from '@berth/daemon';
import { agentOptions, resolveAgentOptions, schedulerUrls } from '../src/index.js';

const load = (argv: string[], env: Record<string, string> = {}) => {
  const config = loadConfig(agentOptions, argv, env, undefined, { envPrefix: 'BERTH_AGENT_' });
  return {
    ...resolveAgentOptions(config),
    scheduler: schedulerUrls(config.scheduler).join(','),
    region: config.region,
    listen: config.listen,
    docker: config.docker,
  };
};

t.test('defaults', async (t) => {
  t.match(load([]), {
    scheduler: 'http://127.0.0.1:8700',
    cluster: 'default',
    region: 'us-east-1',
    advertiseIp: '127.0.0.1',
    listen: { host: '127.0.0.1', port: 51678 },
    attributes: {},
    reservedPorts: [22, 2375, 2376, 51678],
    reservedMemoryMiB: 0,
    dataDir: '/var/lib/berth/agent',
    cleanupWaitMs: 600_000,
    imagePullBehavior: 'prefer-cached',
    hostIp: '',
    degradedAfterMs: 30_000,
    imageGcThresholdPercent: 85,
    imageGcMinAgeMs: 3_600_000,
    stopTimeoutS: 30,
    pollWaitSeconds: 20,
  });
  t.notOk('containerDns' in load([]));
  t.notOk('instanceId' in load([]));
});

const cases: { name: string; input: string[]; want: Record<string, unknown> }[] = [
  {
    name: '--scheduler',
    input: ['--scheduler', '127.0.0.1:9000'],
    want: { scheduler: 'http://127.0.0.1:9000' },
  },
  {
    name: '--scheduler with replicas (issue 15)',
    input: ['--scheduler', 'http://127.0.0.1:9000/, 127.0.0.1:9010'],
    want: { scheduler: 'http://127.0.0.1:9000,http://127.0.0.1:9010' },
  },
  { name: '--cluster', input: ['--cluster', 'prod'], want: { cluster: 'prod' } },
  { name: '--instance-id', input: ['--instance-id', 'i-0abc'], want: { instanceId: 'i-0abc' } },
  {
    name: '--advertise-ip',
    input: ['--advertise-ip', '127.0.0.2'],
    want: { advertiseIp: '127.0.0.2' },
  },
  {
    name: '--listen',
    input: ['--listen', '127.0.0.1:0'],
    want: { listen: { host: '127.0.0.1', port: 0 } },
  },
  {
    name: '--attribute repeated',
    input: ['--attribute', 'rack=r1', '--attribute', 'gpu'],
    want: { attributes: { rack: 'r1', gpu: '' } },
  },
  {
    name: '--docker',
    input: ['--docker', '/run/docker.sock'],
    want: { docker: '/run/docker.sock' },
  },
  {
    name: '--reserved-ports',
    input: ['--reserved-ports', '22,8080'],
    want: { reservedPorts: [22, 8080] },
  },
  {
    name: '--reserved-memory',
    input: ['--reserved-memory', '512'],
    want: { reservedMemoryMiB: 512 },
  },
  { name: '--data-dir', input: ['--data-dir', '/tmp/a'], want: { dataDir: '/tmp/a' } },
  { name: '--cleanup-wait', input: ['--cleanup-wait', '90s'], want: { cleanupWaitMs: 90_000 } },
  {
    name: '--image-pull-behavior',
    input: ['--image-pull-behavior', 'always'],
    want: { imagePullBehavior: 'always' },
  },
  {
    name: '--container-dns',
    input: ['--container-dns', '127.0.0.153'],
    want: { containerDns: '127.0.0.153' },
  },
  { name: '--stop-timeout', input: ['--stop-timeout', '1500ms'], want: { stopTimeoutS: 2 } },
  { name: '--poll-wait', input: ['--poll-wait', '5s'], want: { pollWaitSeconds: 5 } },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    t.match(load(c.input), c.want);
  });
}

t.test('env and AWS_REGION', async (t) => {
  t.match(load([], { BERTH_AGENT_CLUSTER: 'envc', AWS_REGION: 'eu-west-1' }), {
    cluster: 'envc',
    region: 'eu-west-1',
  });
});

const bad: { name: string; input: string[]; want: RegExp }[] = [
  { name: 'attribute', input: ['--attribute', '=x'], want: /^--attribute: "=x" is not name=value/ },
  {
    name: 'container dns',
    input: ['--container-dns', 'dns.local'],
    want: /^--container-dns: "dns.local" is not an IPv4 address/,
  },
  { name: 'advertise ip', input: ['--advertise-ip', 'host'], want: /^--advertise-ip: / },
  {
    name: 'reserved port',
    input: ['--reserved-ports', '22,99999'],
    want: /^--reserved-ports: "99999" is not a port/,
  },
  { name: 'cluster', input: ['--cluster', 'a b'], want: /^--cluster: / },
  { name: 'gc threshold', input: ['--image-gc-threshold', '0'], want: /^--image-gc-threshold: / },
  { name: 'poll wait', input: ['--poll-wait', '2m'], want: /^--poll-wait: must be from 1s to 60s/ },
  {
    name: 'pull behavior (type check)',
    input: ['--image-pull-behavior', 'never'],
    want: /image-pull-behavior.*is not one of default, always, once, prefer-cached/,
  },
];
for (const c of bad) {
  t.test(`bad ${c.name}`, async (t) => {
    t.throws(() => load(c.input), c.want);
  });
}
